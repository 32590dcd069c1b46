"""The demo stores and warehouse, and their initial stock (through the inventory ledger).

Stock goes in through ``inventory.services.bulk_receive_initial_stock``: levels, lots and their ledger
rows are written together, so ``manage.py check_stock`` is clean right after seeding.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from accounts.models import User
from catalog.models import Variant
from inventory.models import Location, LocationKind
from inventory.services import InitialStock, LotInput, bulk_receive_initial_stock

from .catalog import Leaf

_WEEK = {
    "mon": "10:00-19:00",
    "tue": "10:00-19:00",
    "wed": "10:00-19:00",
    "thu": "10:00-19:00",
    "fri": "10:00-19:30",
    "sat": "09:30-19:30",
}
LOCATIONS: list[dict[str, Any]] = [
    {
        "code": "AJA",
        "name": "Ajaccio",
        "kind": LocationKind.STORE,
        "address_line": "12 cours Napoléon",
        "postal_code": "20000",
        "city": "Ajaccio",
        "phone": "+33 4 95 21 00 01",
        "email": "ajaccio@demo.example",
        "opening_hours": {**_WEEK, "sun": "10:00-13:00"},
    },
    {
        "code": "BAS",
        "name": "Bastia",
        "kind": LocationKind.STORE,
        "address_line": "4 boulevard Paoli",
        "postal_code": "20200",
        "city": "Bastia",
        "phone": "+33 4 95 31 00 02",
        "email": "bastia@demo.example",
        "opening_hours": {**_WEEK, "sun": "closed"},
    },
    {
        "code": "PVE",
        "name": "Porto-Vecchio",
        "kind": LocationKind.STORE,
        "address_line": "2 rue Borgo",
        "postal_code": "20137",
        "city": "Porto-Vecchio",
        "phone": "+33 4 95 70 00 03",
        "email": "portovecchio@demo.example",
        "opening_hours": {**_WEEK, "sun": "10:00-19:00"},
    },
    {
        "code": "CAL",
        "name": "Calvi",
        "kind": LocationKind.STORE,
        "address_line": "8 boulevard Wilson",
        "postal_code": "20260",
        "city": "Calvi",
        "phone": "+33 4 95 65 00 04",
        "email": "calvi@demo.example",
        "opening_hours": {**_WEEK, "sun": "10:00-13:00"},
    },
    {
        "code": "WH",
        "name": "Entrepôt Mezzavia",
        "kind": LocationKind.WAREHOUSE,
        "address_line": "Zone industrielle du Vazzio",
        "postal_code": "20090",
        "city": "Ajaccio",
        "phone": "+33 4 95 23 00 05",
        "email": "entrepot@demo.example",
        "opening_hours": dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "07:00-15:00"),
        "sells_online": True,
    },
]


def ensure_locations() -> dict[str, Location]:
    result = {}
    for spec in LOCATIONS:
        defaults = {key: value for key, value in spec.items() if key != "code"}
        result[spec["code"]], _ = Location.objects.update_or_create(code=spec["code"], defaults=defaults)
    return result


SHELF_LIFE_DAYS = {
    "charcuterie": (30, 180),
    "cheese": (10, 60),
    "honey-jams": (180, 720),
    "olive-oil": (300, 720),
    "biscuits": (60, 240),
}


def _lots(rng: random.Random, leaf: Leaf, total: int, today: dt.date) -> list[tuple[LotInput, int]]:
    n = min(total, rng.randint(1, 3))
    cuts = sorted(rng.sample(range(1, total), n - 1)) if n > 1 else []
    quantities = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    lots = []
    for i, quantity in enumerate(quantities):
        if leaf.items == "wine":
            lot = LotInput(batch=f"MILL-{rng.randint(2016, 2023)}-{i + 1}", expiry_date=None)
        else:
            expiry = today + dt.timedelta(days=rng.randint(*SHELF_LIFE_DAYS[leaf.items]))
            lot = LotInput(batch=f"L{expiry:%y%m%d}-{i + 1}", expiry_date=expiry)
        lots.append((lot, quantity))
    return lots


def warehouse_bin(index: int) -> str:
    """The warehouse bin of the ``index``-th variant (catalog order, so a product's sizes sit side by
    side): 26 aisles of 40 shelves of 12 bins, "A-01-1" to "Z-40-12", then round again."""
    slot = index % (26 * 40 * 12)
    aisle, rest = divmod(slot, 40 * 12)
    shelf, position = divmod(rest, 12)
    return f"{chr(ord('A') + aisle)}-{shelf + 1:02d}-{position + 1}"


def receive_stock(
    *,
    rng: random.Random,
    variants: list[tuple[Variant, Leaf]],
    locations: dict[str, Location],
    user: User,
) -> None:
    """Stock for every variant in the warehouse and most stores, food in dated lots, in one ledger load."""
    today = timezone.localdate()
    rows: list[InitialStock] = []
    for index, (variant, leaf) in enumerate(variants):
        for location in locations.values():
            warehouse = location.kind == LocationKind.WAREHOUSE
            shelf = warehouse_bin(index) if warehouse else ""
            if not warehouse and rng.random() > 0.75:
                continue  # not every store carries every variant
            quantity = rng.randint(20, 120) if warehouse else rng.randint(0, 18)
            if quantity == 0:
                continue
            threshold = rng.randint(2, 5) if not warehouse and rng.random() < 0.1 else None
            if leaf.kind == "food":
                for lot, lot_quantity in _lots(rng, leaf, quantity, today):
                    rows.append(InitialStock(variant.pk, location.pk, lot_quantity, lot, threshold, shelf))
            else:
                rows.append(
                    InitialStock(
                        variant.pk, location.pk, quantity, None, threshold, shelf if warehouse else ""
                    )
                )
    bulk_receive_initial_stock(rows=rows, reference="SEED-DEMO", user=user)
