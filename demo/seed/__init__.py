"""The demo data set: four Corsican boutiques and a warehouse, a 5,000-product catalog, stock, users.

``seed_demo()`` is deterministic (everything generated comes from ``random.Random(seed)``) and
re-runnable: locations, VAT rates, roles and the demo users are created or updated every time; the
catalog and its stock are only generated when there is no product yet, so a second run changes
nothing. Start over with ``manage.py seed_demo --reset`` (it empties the database first).

One module per domain: ``inventory`` (locations and the initial stock), ``catalog`` (VAT rates,
categories, options, products and variants), ``accounts`` (roles, the demo logins, the demo
shopper's portal), ``orders`` (the demo shopper's order history), ``reviews``, ``pricing``,
``logistics`` and ``pos``. ``manage.py seed_demo`` calls ``seed_demo()`` and then the other seeds.

Stock goes in through ``inventory.services.bulk_receive_initial_stock``: levels, lots and their ledger
rows are written together, so ``manage.py check_stock`` is clean right after seeding.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation

from accounts.models import User
from accounts.roles import ensure_roles
from catalog.models import Category, Product, Variant
from inventory import selectors as stock_selectors
from inventory.models import Location

from . import accounts, catalog, inventory
from .accounts import DemoLogin


@dataclass
class SeedResult:
    catalog_created: bool
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    seconds: float = 0.0


def seed_demo(*, products: int = 5000, seed: int = 42) -> SeedResult:
    started = time.perf_counter()
    ensure_roles()
    locations = inventory.ensure_locations()
    vat_rates = catalog.ensure_vat_rates()
    accounts.ensure_customer_groups()
    catalog_created = False
    if not Product.objects.exists():
        with transaction.atomic(), translation.override("fr"):
            rng = random.Random(seed)  # one generator, catalog then stock: the same data every time
            variants = catalog.create_catalog(rng=rng, count=products, vat_rates=vat_rates)
            admin = accounts.ensure_user("admin@demo.example", None, None, "Admin", "Demo", locations)
            inventory.receive_stock(rng=rng, variants=variants, locations=locations, user=admin)
        catalog_created = True
    logins = [accounts.login(*spec, locations) for spec in accounts.DEMO_USERS]
    accounts.ensure_demo_company()
    return SeedResult(
        catalog_created=catalog_created,
        counts=demo_counts(),
        logins=logins,
        seconds=time.perf_counter() - started,
    )


def demo_counts() -> dict[str, int]:
    return {
        "locations": Location.objects.count(),
        "categories": Category.objects.count(),
        "products": Product.objects.count(),
        "variants": Variant.objects.count(),
        **stock_selectors.row_counts(),
        "users": User.objects.count(),
    }
