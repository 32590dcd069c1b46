"""The till's catalog delta: ``PriceList.updated_at`` and ``PriceListEntry.updated_at``. Existing rows
get the migration's time (a till whose cursor is older receives their variants once more)."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pricing", "0003_customer_benefit_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="pricelist",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, db_index=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="pricelistentry",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, db_index=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
