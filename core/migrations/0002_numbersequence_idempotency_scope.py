from django.conf import settings
from django.db import migrations, models


def scope_by_user(apps, schema_editor):
    Record = apps.get_model("core", "IdempotencyRecord")
    for record in Record.objects.all().only("pk", "user_id").iterator():
        Record.objects.filter(pk=record.pk).update(scope=f"user:{record.user_id}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="NumberSequence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=40, unique=True)),
                ("last_value", models.PositiveBigIntegerField(default=0)),
            ],
            options={"verbose_name": "number sequence"},
        ),
        migrations.AddField(
            model_name="idempotencyrecord",
            name="scope",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.RunPython(scope_by_user, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="idempotencyrecord", name="idempotency_user_key_unique"),
        migrations.AddConstraint(
            model_name="idempotencyrecord",
            constraint=models.UniqueConstraint(fields=("scope", "key"), name="idempotency_scope_key_unique"),
        ),
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(model_name="idempotencyrecord", name="method", field=models.CharField(blank=True, max_length=10)),
        migrations.AlterField(model_name="idempotencyrecord", name="path", field=models.CharField(blank=True, max_length=2000)),
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="fingerprint",
            field=models.CharField(
                blank=True,
                help_text="SHA-256 of what was asked: the same key with another request is refused.",
                max_length=64,
            ),
        ),
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="response_json",
            field=models.TextField(blank=True, help_text="The outcome exactly as first given (JSON, key order included)."),
        ),
    ]
