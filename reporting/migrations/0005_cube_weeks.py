from django.db import migrations, models


class Migration(migrations.Migration):
    """The cube keeps weeks beside months (``reporting.cube.split``). Lands with 0003: no database
    holds month rows without their weeks (``manage.py rebuild_reports`` writes both)."""

    dependencies = [("reporting", "0004_pickup_fact")]

    operations = [
        migrations.RemoveConstraint(model_name="salescube", name="rep_cube_unique"),
        migrations.RenameField(model_name="salescube", old_name="month", new_name="start"),
        migrations.AlterField(
            model_name="salescube",
            name="start",
            field=models.DateField(help_text="First day of the month, or the week's Monday."),
        ),
        migrations.AddField(
            model_name="salescube",
            name="grain",
            field=models.CharField(choices=[("m", "Month"), ("w", "Week")], default="m", max_length=1),
        ),
        migrations.AddConstraint(
            model_name="salescube",
            constraint=models.UniqueConstraint(
                fields=("dimension", "location_key", "grain", "start", "channel", "ref", "code"),
                name="rep_cube_key",
            ),
        ),
    ]
