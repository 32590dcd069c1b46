"""The reports by shop (issue 17): facts and roll-ups carry the order's shop.

The data step fills the existing facts' shop from their orders (a till sale: none, the stores; a web
order without a shop, from before shops: the default shop), regroups ``SalesDay`` per shop in SQL and
rebuilds the cube and the customer roll-ups from the facts (``reporting.cube.rebuild``, the same as
``manage.py rebuild_reports`` does for them). The totals without a shop filter stay the same: the rows
over every shop are the sums of before. Migrating back empties the roll-ups: run
``manage.py rebuild_reports`` then.
"""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models

FACT_SHOP = """
    SELECT CASE WHEN o.channel = 'store' THEN NULL
                ELSE COALESCE(o.shop_id, (SELECT s.id FROM shops_shop s WHERE s.is_default))
           END
    FROM orders_order o WHERE o.id = {table}.order_id
"""

DAYS = """
    INSERT INTO reporting_salesday (day, location_id, channel, shop_id, orders, identified_orders,
        units_sold, units_cancelled, units_returned, sales_ht, sales_ttc, revenue_ht, revenue_ttc,
        discount_ttc, cost_ht, costed_revenue_ht, shipping_ttc, refunds_ttc)
    SELECT day, location_id, channel, shop_id,
        COUNT(DISTINCT CASE WHEN kind = 'sale' THEN order_id END),
        COUNT(DISTINCT CASE WHEN kind = 'sale' AND customer_id IS NOT NULL THEN order_id END),
        COALESCE(SUM(CASE WHEN kind = 'sale' THEN units ELSE 0 END), 0),
        -COALESCE(SUM(CASE WHEN kind = 'cancel' THEN units ELSE 0 END), 0),
        -COALESCE(SUM(CASE WHEN kind = 'return' THEN units ELSE 0 END), 0),
        COALESCE(SUM(CASE WHEN kind = 'sale' THEN revenue_ht ELSE 0 END), 0),
        COALESCE(SUM(CASE WHEN kind = 'sale' THEN revenue_ttc ELSE 0 END), 0),
        COALESCE(SUM(revenue_ht), 0), COALESCE(SUM(revenue_ttc), 0), COALESCE(SUM(discount_ttc), 0),
        COALESCE(SUM(cost_ht), 0),
        COALESCE(SUM(CASE WHEN cost_ht IS NOT NULL THEN revenue_ht ELSE 0 END), 0),
        COALESCE(SUM(shipping_ttc), 0), COALESCE(SUM(refund_ttc), 0)
    FROM reporting_salesfact GROUP BY day, location_id, channel, shop_id
"""


def fill_shops(apps, schema_editor):
    SalesFact = apps.get_model("reporting", "SalesFact")
    if not SalesFact.objects.using(schema_editor.connection.alias).exists():
        return  # a new database: nothing derived yet
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            # The new foreign keys are deferred: checked now, the rows updated leave no pending trigger
            # event for the shop_id indexes Django creates at the end of the migration.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in ("reporting_salesfact", "reporting_paymentfact", "reporting_pickupfact"):
            cursor.execute(f"UPDATE {table} SET shop_id = ({FACT_SHOP.format(table=table)})")
        cursor.execute("DELETE FROM reporting_salesday")
        cursor.execute(DAYS)
    from reporting import cube  # the cube's one definition (its SQL reads only the reporting tables)

    cube.rebuild()
    if schema_editor.connection.vendor == "postgresql":  # the roll-ups were rewritten: fresh statistics
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE reporting_salesfact, reporting_paymentfact, reporting_pickupfact, reporting_salesday, "
                "reporting_salescube, reporting_customerday, reporting_customerfirst"
            )


def empty_roll_ups(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM reporting_salesday")
        cursor.execute("DELETE FROM reporting_salescube")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0006_location_accepts_reservations"),
        ("reporting", "0008_verbose_names"),
        ("shops", "0002_default_shop"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="salescube",
            name="rep_cube_key",
        ),
        migrations.RemoveConstraint(
            model_name="salesday",
            name="rep_day_unique",
        ),
        migrations.AddField(
            model_name="paymentfact",
            name="shop",
            field=models.ForeignKey(
                blank=True,
                help_text="The web shop of the order; none for the stores' till sales.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="shops.shop",
                verbose_name="shop",
            ),
        ),
        migrations.AddField(
            model_name="pickupfact",
            name="shop",
            field=models.ForeignKey(
                blank=True,
                help_text="The web shop of the order; none for the stores' till sales.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="shops.shop",
                verbose_name="shop",
            ),
        ),
        migrations.AddField(
            model_name="salescube",
            name="shop_key",
            field=models.IntegerField(
                default=-1,
                help_text="The shop's id; 0 for the stores (no shop); -1 for every shop (the chain's rows).",
                verbose_name="shop key",
            ),
        ),
        migrations.AddField(
            model_name="salesday",
            name="shop",
            field=models.ForeignKey(
                blank=True,
                help_text="The web shop of the order; none for the stores' till sales.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="shops.shop",
                verbose_name="shop",
            ),
        ),
        migrations.AddField(
            model_name="salesfact",
            name="shop",
            field=models.ForeignKey(
                blank=True,
                help_text="The web shop of the order; none for the stores' till sales.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="shops.shop",
                verbose_name="shop",
            ),
        ),
        migrations.AddConstraint(
            model_name="salescube",
            constraint=models.UniqueConstraint(
                fields=("dimension", "location_key", "shop_key", "grain", "start", "channel", "ref", "code"),
                name="rep_cube_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="salesday",
            constraint=models.UniqueConstraint(
                models.F("day"),
                django.db.models.functions.comparison.Coalesce("location", models.Value(0)),
                models.F("channel"),
                django.db.models.functions.comparison.Coalesce("shop", models.Value(0)),
                name="rep_day_unique",
            ),
        ),
        migrations.RunPython(fill_shops, empty_roll_ups),
    ]
