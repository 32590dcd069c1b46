"""The till's catalog delta (pos.selectors.store_catalog_changes): ``Variant.updated_at``, an index on
``Product.updated_at`` and the ``RemovedVariant`` tombstones. Existing variants get the migration's
time: a till whose cursor is older receives them once more, never misses one."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_variant_cost_price"),
    ]

    operations = [
        migrations.CreateModel(
            name="RemovedVariant",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sku", models.CharField(max_length=64, verbose_name="SKU")),
                ("removed_at", models.DateTimeField(auto_now_add=True, db_index=True)),
            ],
        ),
        migrations.AddField(
            model_name="variant",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, db_index=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="product",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, db_index=True),
        ),
    ]
