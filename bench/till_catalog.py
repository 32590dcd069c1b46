"""The till's offline catalog on the wire: a cold start (every page) against a delta after price changes.

    .venv/bin/python bench/till_catalog.py                  # omni_bench_till_catalog, created and migrated
    .venv/bin/python bench/till_catalog.py --variants 25000 --changes 50 --url postgres://postgres@127.0.0.1:5432/x

What it does:

1. drops and creates the PostgreSQL database of ``--url`` and migrates it; seeds two stores, a cashier
   and ``--variants`` variants (5 sizes per product, realistic names, stock at both stores); then
   dates every row an hour back, as a catalog that has been there for a while;
2. downloads the whole catalog as the till does (``GET /api/v1/pos/catalog/?limit=2500&after=...``
   until ``next_after`` is null), through the real view (``pos.api.views.CatalogView``);
3. changes ``--changes`` prices (store price list entries, ``save()``: the stamp the delta reads)
   and asks ``GET catalog/?since=<the first page's cursor>``;
4. prints the bytes of each (the JSON as sent, and gzip-compressed the way ``GZipMiddleware`` does:
   ``django.utils.text.compress_string``) and the time the server took, and checks the targets:
   cold start < 1.5 MB gzip, delta < 100 KB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import child_env, create_database, migrate, print_table  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_bench_till_catalog"
PAGE = 2500  # the till's page size (static/pos/js/config.js CATALOG_PAGE_SIZE)
COLD_TARGET, DELTA_TARGET = 1_500_000, 100_000
WORDS = [
    "linen",
    "shirt",
    "honey",
    "maquis",
    "olive",
    "soap",
    "scarf",
    "cotton",
    "wool",
    "mug",
    "canistrelli",
]
SIZES = ["XS", "S", "M", "L", "XL"]


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def seed(*, variants: int) -> dict:
    from decimal import Decimal

    from catalog.models import Category, OptionType, OptionValue, Product, Variant, VatRate
    from inventory.models import LocationKind, StockLevel
    from pricing.models import Channel, PriceList
    from tests.factories import LocationFactory, cashier, make_ean13

    rng = random.Random(7)
    here = LocationFactory(code="BTA", name="Bench Ajaccio", kind=LocationKind.STORE)
    there = LocationFactory(code="BTB", name="Bench Bastia", kind=LocationKind.STORE)
    user = cashier(here, email="cashier@bta.example")
    vat = VatRate.objects.create(code="bench-std", name="Standard", rate=Decimal("0.2000"))
    category = Category.objects.create(name="Bench", slug="bench")
    size = OptionType.objects.create(code="bench-size", name="Size")
    values = [
        OptionValue.objects.create(option_type=size, code=s.lower(), name=s, position=i)
        for i, s in enumerate(SIZES)
    ]
    products = Product.objects.bulk_create(
        [
            Product(
                name=f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {n}",
                slug=f"bench-product-{n}",
                category=category,
                vat_rate=vat,
                base_price_ht=Decimal(rng.randint(300, 9000)) / 100,
            )
            for n in range((variants + len(SIZES) - 1) // len(SIZES))
        ],
        batch_size=2000,
    )
    rows = [
        Variant(
            product=products[n // len(SIZES)],
            sku=f"BT-{n:06d}",
            ean13=make_ean13(n + 100_000),
            position=n % 5,
        )
        for n in range(variants)
    ]
    created = Variant.objects.bulk_create(rows, batch_size=2000)
    through = Variant.option_values.through
    through.objects.bulk_create(
        [through(variant_id=v.pk, optionvalue_id=values[v.position].pk) for v in created], batch_size=5000
    )
    StockLevel.objects.bulk_create(
        [
            StockLevel(variant=v, location=loc, on_hand=rng.randint(0, 12))
            for v in created
            for loc in (here, there)
        ],
        batch_size=5000,
    )
    price_list = PriceList.objects.create(
        code="bench-bta", name="BTA prices", channel=Channel.STORE, location=here
    )
    hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    Variant.objects.update(updated_at=hour_ago)
    Product.objects.update(updated_at=hour_ago)
    PriceList.objects.update(updated_at=hour_ago)
    return {"user": user, "variants": [v.pk for v in created], "price_list": price_list}


def get(user, **params) -> tuple[dict, bytes, float]:
    import json

    from rest_framework.test import APIRequestFactory, force_authenticate

    from pos.api.views import CatalogView

    request = APIRequestFactory().get("/api/v1/pos/catalog/", params)
    force_authenticate(request, user=user)
    started = time.perf_counter()
    response = CatalogView.as_view()(request)
    response.render()
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content), response.content, elapsed


def gz(content: bytes) -> int:
    from django.utils.text import compress_string

    return len(compress_string(content))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--variants", type=int, default=25_000)
    parser.add_argument("--changes", type=int, default=50)
    args = parser.parse_args()

    create_database(args.url)
    migrate(child_env(DATABASE_URL=args.url))
    setup_django(args.url)
    started = time.perf_counter()
    data = seed(variants=args.variants)
    print(f"seeded {args.variants} variants in {time.perf_counter() - started:.1f} s")

    # cold start: every page, as the till asks them
    raw = zipped = items = pages = 0
    seconds = 0.0
    cursor = None
    after = 0
    while True:
        body, content, elapsed = get(data["user"], limit=PAGE, after=after)
        cursor = cursor or body["cursor"]
        raw, zipped, items, pages = (
            raw + len(content),
            zipped + gz(content),
            items + len(body["results"]),
            pages + 1,
        )
        seconds += elapsed
        if body["next_after"] is None:
            break
        after = body["next_after"]
    assert items == args.variants, items

    # some prices change, then the delta since the first page's cursor
    from decimal import Decimal

    from pricing.models import PriceListEntry

    rng = random.Random(11)
    for variant_id in rng.sample(data["variants"], args.changes):
        PriceListEntry(
            price_list=data["price_list"], variant_id=variant_id, price_ht=Decimal("4.9900")
        ).save()
    body, content, delta_seconds = get(data["user"], since=cursor)
    assert len(body["results"]) == args.changes and body["next_after"] is None, len(body["results"])

    print_table(
        ["download", "items", "requests", "raw bytes", "gzip bytes", "server s"],
        [
            ["cold start (full)", items, pages, f"{raw:,}", f"{zipped:,}", f"{seconds:.2f}"],
            [f"delta after {args.changes} price changes", len(body["results"]), 1, f"{len(content):,}",
             f"{gz(content):,}", f"{delta_seconds:.3f}"],
        ],
    )  # fmt: skip
    ok = zipped < COLD_TARGET and gz(content) < DELTA_TARGET
    print(
        f"targets: cold start < {COLD_TARGET:,} B gzip: {zipped < COLD_TARGET}; "
        f"delta < {DELTA_TARGET:,} B gzip: {gz(content) < DELTA_TARGET}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
