"""Benchmark: the forgiving search (issue 16) on a demo-like catalog of 5,000 products.

    .venv/bin/python bench/search.py [--products 5000] [--repeats 3] [--backends postgres,sqlite] \
        [--url postgres://postgres@127.0.0.1:5432/omni_h_search]

Per backend, in a child process with its own database (PostgreSQL: the ``--url`` database, dropped
and created, then migrated: pg_trgm, the trigram index and its threshold; SQLite: a file in a
temporary folder):

1. seeds the demo's catalog generator (``demo.seed.catalog.create_catalog``: the demo's category tree,
   names in French, English and Italian, 4 to 8 variants each) with ``--products`` products; their
   search text is written by ``catalog.services.refresh_search_text`` as the seed does;
2. times, over 30 misspelled or unaccented queries (the recall test's), ``--repeats`` times each:
   - ``engine``: ``catalog.search.find_products`` alone (the ranked ids);
   - ``suggest``: ``storefront.selectors.suggestions`` (6 products with their cards, 3 categories): what
     the search box asks while the shopper types;
   - ``page``: ``storefront.selectors.listing`` of the search page (count, 24 cards, ranked);
   - ``did you mean``: ``storefront.selectors.did_you_mean`` of a query nothing matches (the empty
     result page, cached after its first showing);
3. prints p50 and p95 (ms) per backend and case, and the recall (a wanted product in the top 10).
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
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_h_search"

QUERIES = [
    ("chemse", "chemise"),
    ("confiture de fgues", "confiture de figues"),
    ("tete de maure", "tete de maure"),
    ("miel de chataigner", "miel de chataignier"),
    ("creme de marons", "creme de marrons"),
    ("confiture de clementine", "confiture de clementines"),
    ("cedrat", "cedrat"),
    ("fromage de chevre", "fromage de chevre"),
    ("broccio", "brocciu"),
    ("figatelu", "figatellu"),
    ("sauccison de sanglier", "saucisson de sanglier"),
    ("canistreli", "canistrelli"),
    ("huile dolive", "huile d olive"),
    ("couteau vendeta", "vendetta"),
    ("bougie parfumee", "bougie parfumee"),
    ("espadrile", "espadrilles"),
    ("bottine", "bottines"),
    ("tshirt", "t shirt"),
    ("miel de maqis", "miel de maquis"),
    ("marmelata di fichi", "marmellata di fichi"),
    ("camica", "camicia"),
    ("giaca", "giacca"),
    ("vin rose", "vin rose"),
    ("muskat", "muscat"),
    ("wild bor sausage", "wild boar sausage"),
    ("goat chese", "goat s cheese"),
    ("tomme de brebi", "tomme de brebis"),
    ("embroiderd", "embroidered"),
    ("scented candel", "scented candle"),
    ("testa di moro", "testa di moro"),
]


def run_one(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import translation

    from bench._common import percentile, print_table
    from catalog import search
    from catalog.models import Product, Variant
    from demo.seed.catalog import create_catalog, ensure_vat_rates
    from storefront import selectors as shop

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0)
    start = time.perf_counter()
    create_catalog(rng=random.Random(16), count=args.products, vat_rates=ensure_vat_rates())
    print(
        f"  seeded {Product.objects.count()} products, {Variant.objects.count()} variants "
        f"in {time.perf_counter() - start:.1f} s (search text included)",
        flush=True,
    )
    translation.activate("fr")
    names = {
        p.pk: " | ".join(search.fold(n) for n in (p.name_fr, p.name_en, p.name_it))
        for p in Product.objects.filter(is_published=True)
    }
    found = sum(
        any(wanted in names[hit.product_id] for hit in search.find_products(query, limit=10))
        for query, wanted in QUERIES
    )

    def engine(query: str) -> None:
        search.find_products(query)

    def suggest(query: str) -> None:
        shop.suggestions(query)

    def page(query: str) -> None:
        shop.listing(filters=shop.ListingFilters(sort="relevance"), query=query, with_facets=False)

    def did_you_mean(query: str) -> None:
        shop.did_you_mean(query + " zq")

    results = []
    for case, fn in (
        ("engine", engine),
        ("suggest", suggest),
        ("page", page),
        ("did you mean", did_you_mean),
    ):
        for query, _wanted in QUERIES[:3]:  # warm-up
            fn(query)
        times = []
        for _ in range(args.repeats if case != "did you mean" else 1):
            for query, _wanted in QUERIES:
                began = time.perf_counter()
                fn(query)
                times.append((time.perf_counter() - began) * 1000)
        times.sort()
        results.append((case, len(times), percentile(times, 50), percentile(times, 95)))
        print(f"  {case}: p50 {results[-1][2]:.1f} ms, p95 {results[-1][3]:.1f} ms", flush=True)
    print(
        f"\n{connection.vendor}: {args.products} products, recall {found}/30 (a wanted product in the top 10)"
    )
    print_table(
        ["case", "runs", "p50 ms", "p95 ms"],
        [(c, n, f"{p50:.1f}", f"{p95:.1f}") for c, n, p50, p95 in results],
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args)
        return
    from bench._common import child_env, create_database, drop_database, migrate

    base = [sys.executable, __file__, "--child", f"--products={args.products}", f"--repeats={args.repeats}"]
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
