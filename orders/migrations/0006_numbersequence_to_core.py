"""The gapless sequences now live in core (core.numbering): copy the counters, drop the old table."""

from django.db import migrations


def copy_to_core(apps, schema_editor):
    Old = apps.get_model("orders", "NumberSequence")
    New = apps.get_model("core", "NumberSequence")
    for row in Old.objects.all():
        New.objects.update_or_create(name=row.name, defaults={"last_value": row.last_value})


def copy_back(apps, schema_editor):
    Old = apps.get_model("orders", "NumberSequence")
    New = apps.get_model("core", "NumberSequence")
    for row in New.objects.all():
        Old.objects.update_or_create(name=row.name, defaults={"last_value": row.last_value})


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_notification_log"),
        ("core", "0002_numbersequence_idempotency_scope"),
    ]

    operations = [
        migrations.RunPython(copy_to_core, copy_back),
        migrations.DeleteModel(name="NumberSequence"),
    ]
