"""Benchmark: the shop's "in stock at this store" filter on a category and a search listing, before
(the levels read through variants and locations) and after (the products' availability table).

    .venv/bin/python bench/store_filter.py [--products 5000] [--variants 4] [--locations 5] \
        [--repeats 40] [--backends postgres,sqlite] [--url postgres://postgres@127.0.0.1:5432/omni_bench_store_filter]

Per backend, in a child process with its own database (PostgreSQL: the ``--url`` database, dropped
and created, then migrated; SQLite: a file in a temporary folder):

1. seeds in bulk: ``--products`` published products in 20 categories, ``--variants`` each, ``--locations``
   stores, stock at about half of the (variant, location) pairs through
   ``inventory.services.bulk_receive_initial_stock`` (which fills the availability table), then a
   few hundred reservations that take a product's last units somewhere;
2. times, ``--repeats`` times each, with a different store each time:
   - ``page``: the filtered listing query alone (COUNT and the first page of 24 products, sorted by name),
     on the whole catalog (a top category) and on a search word;
   - ``listing``: ``storefront.selectors.listing`` (the page, its cards and the facets: stores with stock,
     sizes, colours, price range);
   once with the old filter (the ``Exists`` over the levels, kept here; ``--old-repeats`` runs, as it
   takes seconds a run on SQLite) and once with the new one;
3. prints p50 and p95 (ms) per backend, case and version, and checks both give the same products.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_bench_store_filter"


def seed(*, products: int, variants: int, locations: int) -> list[str]:
    from decimal import Decimal

    from catalog.models import Category, Product, Variant, VatRate
    from inventory import services
    from inventory.models import Location, Reservation, StockLevel

    rng = random.Random(15)
    vat = VatRate.objects.create(code="standard", name="Standard", rate=Decimal("0.2000"))
    top = Category.objects.create(name="All", name_fr="Tout", name_en="All", slug="all")
    categories = Category.objects.bulk_create(
        [
            Category(name=f"Cat {i}", name_fr=f"Cat {i}", name_en=f"Cat {i}", slug=f"cat-{i}", parent=top)
            for i in range(20)
        ]
    )
    words = ["robe", "veste", "miel", "savon", "couteau", "figue", "sneakers", "fromage"]
    Product.objects.bulk_create(
        [
            Product(
                name=f"{words[i % len(words)]} {i:05d}",
                name_fr=f"{words[i % len(words)]} {i:05d}",
                name_en=f"{words[i % len(words)]} {i:05d}",
                slug=f"p-{i:05d}",
                category=categories[i % 20],
                vat_rate=vat,
                base_price_ht=Decimal(10 + i % 90),
            )
            for i in range(products)
        ],
        batch_size=2000,
    )
    product_ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    Variant.objects.bulk_create(
        [
            Variant(product_id=p, sku=f"S-{p}-{v}", ean13=f"2{p:08d}{v:03d}"[:12] + "0", position=v)
            for p in product_ids
            for v in range(variants)
        ],
        batch_size=5000,
    )
    stores = Location.objects.bulk_create(
        [Location(code=f"st{i}", name=f"Store {i}") for i in range(locations)]
    )
    variant_ids = list(Variant.objects.order_by("pk").values_list("pk", flat=True))
    rows = [
        services.InitialStock(v, loc.pk, rng.randint(1, 3))
        for v in variant_ids
        for loc in stores
        if rng.random() < 0.5
    ]
    services.bulk_receive_initial_stock(rows=rows, reference="bench")
    # Some products sold out somewhere by reservations: their levels have units, none available.
    levels = list(StockLevel.objects.select_related("variant__product", "location").order_by("?")[:300])
    for level in levels:
        services.reserve_stock(variant=level.variant, location=level.location, quantity=level.on_hand)
    print(
        f"  seeded {len(product_ids)} products, {len(variant_ids)} variants, {len(rows)} levels, "
        f"{Reservation.objects.count()} reservations",
        flush=True,
    )
    return [s.code for s in stores]


def old_available_at(location_code: str | None = None):
    from django.db.models import Exists, F, OuterRef

    from inventory.models import StockLevel

    levels = StockLevel.objects.filter(
        variant__product=OuterRef("pk"),
        variant__is_active=True,
        on_hand__gt=F("reserved"),
        location__is_active=True,
    )
    if location_code:
        levels = levels.filter(location__code=location_code)
    return Exists(levels)


def old_stores_with_stock(product_ids):
    from django.db.models import Exists, F, OuterRef, QuerySet, Subquery

    from inventory.models import Location, LocationKind, StockLevel

    wanted = Subquery(product_ids) if isinstance(product_ids, QuerySet) else list(product_ids)
    return (
        Location.objects.filter(is_active=True, kind=LocationKind.STORE)
        .filter(
            Exists(
                StockLevel.objects.filter(
                    location=OuterRef("pk"),
                    variant__product_id__in=wanted,
                    variant__is_active=True,
                    on_hand__gt=F("reserved"),
                )
            )
        )
        .order_by("name")
    )


def run_one(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import translation

    from bench._common import percentile
    from inventory import selectors as stock_selectors
    from storefront import selectors as shop

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0)
    codes = seed(products=args.products, variants=args.variants, locations=args.locations)
    translation.activate("fr")
    tree = shop.category_tree()
    top = next(node for node in tree.nodes.values() if node.slug == "all")
    new_at, new_stores = stock_selectors.product_available_at, stock_selectors.stores_with_stock
    results = []
    for case, kwargs in (("category", {"category": top}), ("search", {"query": "robe"})):
        for kind in ("page", "listing"):
            for version in ("before", "after"):
                old = version == "before"
                stock_selectors.product_available_at = old_available_at if old else new_at  # type: ignore[assignment]
                stock_selectors.stores_with_stock = old_stores_with_stock if old else new_stores  # type: ignore[assignment]
                times = []
                for i in range((args.old_repeats if old else args.repeats) + 2):
                    filters = shop.ListingFilters(store=codes[i % len(codes)])
                    start = time.perf_counter()
                    if kind == "page":
                        qs = shop.product_list(filters=filters, **kwargs)
                        qs.count()
                        list(qs.values_list("pk", flat=True)[: shop.PAGE_SIZE])
                    else:
                        shop.listing(filters=filters, **kwargs)
                    if i >= 2:  # two warm-up runs
                        times.append((time.perf_counter() - start) * 1000)
                times.sort()
                results.append((case, kind, version, percentile(times, 50), percentile(times, 95)))
                print(
                    f"  {case} {kind} {version}: p50 {results[-1][3]:.1f} ms, p95 {results[-1][4]:.1f} ms",
                    flush=True,
                )
    stock_selectors.product_available_at, stock_selectors.stores_with_stock = new_at, new_stores
    for code in codes:  # both read the same products
        new = set(
            shop.product_list(filters=shop.ListingFilters(store=code), category=top).values_list(
                "pk", flat=True
            )
        )
        stock_selectors.product_available_at = old_available_at  # type: ignore[assignment]
        old = set(
            shop.product_list(filters=shop.ListingFilters(store=code), category=top).values_list(
                "pk", flat=True
            )
        )
        stock_selectors.product_available_at = new_at
        assert new == old, f"{code}: {len(new ^ old)} products differ"
    from bench._common import print_table

    print(
        f"\n{connection.vendor}: {args.products} products x {args.variants} variants x {args.locations} "
        f"locations, {args.repeats} timed runs each ({args.old_repeats} of the old filter), a different "
        "store each run"
    )
    print_table(
        ["listing", "what", "filter", "p50 ms", "p95 ms"],
        [(c, k, v, f"{p50:.1f}", f"{p95:.1f}") for c, k, v, p50, p95 in results],
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--variants", type=int, default=4)
    parser.add_argument("--locations", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument(
        "--old-repeats", type=int, default=8, help="runs of the old filter (seconds each on SQLite)"
    )
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args)
        return
    from bench._common import child_env, create_database, drop_database, migrate

    base = [
        sys.executable,
        __file__,
        "--child",
        f"--products={args.products}",
        f"--variants={args.variants}",
        f"--locations={args.locations}",
        f"--repeats={args.repeats}",
        f"--old-repeats={args.old_repeats}",
    ]
    failed = False
    for backend in args.backends.split(","):
        print(f"{backend}:", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            if backend == "postgres":
                url = args.url
                create_database(url)
                migrate(child_env(DATABASE_URL=url))
            else:
                url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            env = child_env(DATABASE_URL=url, REDIS_URL=None, DJANGO_ALLOW_ASYNC_UNSAFE="true")
            try:
                failed |= subprocess.run(base, cwd=ROOT, env=env).returncode != 0
            finally:
                if backend == "postgres":
                    drop_database(url)
    if failed:
        raise SystemExit("a run failed")


if __name__ == "__main__":
    main()
