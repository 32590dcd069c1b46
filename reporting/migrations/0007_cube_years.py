from django.db import migrations, models

FIGURES = ("orders", "units", "units_sold", "units_cancelled", "units_returned", "sales_ttc", "revenue_ht",
           "revenue_ttc", "discount_ttc", "cost_ht", "costed_revenue_ht")  # fmt: skip


def years_from_months(apps, schema_editor):
    """Each year row is the sum of its month rows (orders add up across months: an order is sold at one
    moment), so a database migrated here needs no ``rebuild_reports``."""
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        year = "CAST(date_trunc('year', start) AS date)"
    else:
        year = "date(start, 'start of year')"
    keys = "dimension, location_key, channel, ref, code"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO reporting_salescube ({keys}, grain, start, {', '.join(FIGURES)}) "
            f"SELECT {keys}, 'y', {year}, {', '.join(f'SUM({name})' for name in FIGURES)} "
            f"FROM reporting_salescube WHERE grain = 'm' GROUP BY {keys}, {year}"
        )


def no_years(apps, schema_editor):
    schema_editor.connection.cursor().execute("DELETE FROM reporting_salescube WHERE grain = 'y'")


class Migration(migrations.Migration):
    """The cube keeps calendar years beside months and weeks (``reporting.cube.split``)."""

    dependencies = [("reporting", "0006_customer_first")]

    operations = [
        migrations.AlterField(
            model_name="salescube",
            name="grain",
            field=models.CharField(
                choices=[("y", "Year"), ("m", "Month"), ("w", "Week")], default="m", max_length=1
            ),
        ),
        migrations.AlterField(
            model_name="salescube",
            name="start",
            field=models.DateField(help_text="First day of the year or the month, or the week's Monday."),
        ),
        migrations.RunPython(years_from_months, no_years),
    ]
