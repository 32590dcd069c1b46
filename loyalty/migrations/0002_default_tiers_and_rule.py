"""Default tiers (silver, gold, platinum) and a default earn rule (1 point per euro); staff edit them."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

TIERS = [
    # code, name, rank, threshold EUR (12 months), earn multiplier, discount %, free shipping, early access
    ("silver", "Silver", 1, "200.00", "1.00", "0.00", False, False),
    ("gold", "Gold", 2, "800.00", "1.25", "5.00", True, False),
    ("platinum", "Platinum", 3, "2000.00", "1.50", "10.00", True, True),
]


def seed(apps, schema_editor):
    Tier = apps.get_model("loyalty", "Tier")
    EarnRule = apps.get_model("loyalty", "EarnRule")
    for code, name, rank, threshold, multiplier, discount, free_shipping, early_access in TIERS:
        Tier.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "rank": rank,
                "threshold_eur": Decimal(threshold),
                "earn_multiplier": Decimal(multiplier),
                "discount_percent": Decimal(discount),
                "free_shipping": free_shipping,
                "early_access": early_access,
            },
        )
    if not EarnRule.objects.exists():
        EarnRule.objects.create(
            name="1 point per euro",
            valid_from=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
            points_per_euro=Decimal("1.000"),
        )


def unseed(apps, schema_editor):
    pass  # the rows may be referenced by then; leave them


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
