"""Benchmark: storefront pages (home, category, search, product), cached and uncached, with queries per page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/omni_sf_bench .venv/bin/python bench/storefront.py \
        [--requests 200] [--products 5000] [--create-db]

What it does:

1. uses the database of ``DATABASE_URL`` (SQLite by default); ``--create-db`` drops and creates the
   PostgreSQL database named there and migrates it; when it holds no product it runs ``seed_demo``
   with ``--products`` products (the 5,000-product demo catalog by default);
2. drives the views in this process through Django's test client (the whole middleware, URL and
   template stack, without an HTTP server, so the figures are the application's own cost and do not
   depend on a proxy or the number of workers);
3. per page kind, ``--requests`` requests over varied URLs (every category, a list of search words,
   products picked at random with a fixed seed), as an anonymous shopper:
   - ``uncached``: the storefront cache is invalidated before every request (``bump_all``: one INCR);
   - ``cached``: every URL is requested once to warm the cache, then measured;
4. prints requests/s, p50 and p95 latency (ms) and SQL queries per request (min-max) for each.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEARCH_WORDS = ["t-shirt", "robe", "miel", "figue", "couteau", "savon", "sneakers", "veste", "fromage", "vin"]


def _setup(args: argparse.Namespace) -> None:
    from bench._common import child_env, create_database, migrate

    url = os.environ.get("DATABASE_URL", "")
    if args.create_db:
        if not url.startswith("postgres"):
            raise SystemExit("--create-db needs DATABASE_URL=postgres://...")
        create_database(url)
        migrate(child_env())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.LOGGING_CONFIG = None
    from catalog.models import Product

    if not Product.objects.exists():
        from django.core.management import call_command

        if not args.create_db and not url.startswith("postgres"):
            call_command("migrate", verbosity=0)
        started = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", products=args.products, verbosity=0, stdout=quiet)
        print(f"seeded {args.products} products in {time.perf_counter() - started:.1f} s")
    if settings.IS_POSTGRES:  # fresh planner statistics, as autovacuum keeps them in production
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _urls(rng: random.Random, count: int) -> dict[str, list[str]]:
    from catalog.models import Category, Product

    slugs = list(Product.objects.filter(is_published=True).values_list("slug", flat=True))
    categories = list(Category.objects.values_list("slug", flat=True))
    langs = ["fr", "en", "it"]
    return {
        "home": [f"/{rng.choice(langs)}/" for _ in range(count)],
        "category": [
            f"/{rng.choice(langs)}/c/{rng.choice(categories)}/"
            + rng.choice(["", "?sort=price_asc", "?page=2", "?size=m", "?store=AJA"])
            for _ in range(count)
        ],
        "search": [f"/fr/search/?q={rng.choice(SEARCH_WORDS)}" for _ in range(count)],
        "product": [f"/{rng.choice(langs)}/p/{rng.choice(slugs)}/" for _ in range(count)],
    }


def _measure(urls: list[str], *, cached: bool) -> tuple[float, list[float], list[int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from storefront import cache as page_cache

    client = Client()
    if cached:
        for url in set(urls):
            client.get(url)
    latencies, queries = [], []
    started = time.perf_counter()
    for url in urls:
        if not cached:
            page_cache.bump_all()
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = client.get(url)
            latencies.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        queries.append(len(captured))
    elapsed = time.perf_counter() - started
    return len(urls) / elapsed, sorted(latencies), queries


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="Requests per page kind and mode.")
    parser.add_argument("--products", type=int, default=5000, help="Catalog size when seeding.")
    parser.add_argument("--create-db", action="store_true", help="Drop, create and migrate the PG database.")
    args = parser.parse_args()
    _setup(args)

    from django.conf import settings

    from bench._common import percentile, print_table
    from catalog.models import Product

    print(
        f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, "
        f"published products: {Product.objects.filter(is_published=True).count()}"
    )
    rng = random.Random(42)
    urls = _urls(rng, args.requests)
    rows = []
    for kind, kind_urls in urls.items():
        for cached in (False, True):
            rps, latencies, queries = _measure(kind_urls, cached=cached)
            rows.append(
                [
                    kind,
                    "cached" if cached else "uncached",
                    f"{rps:.0f}",
                    f"{percentile(latencies, 50):.1f}",
                    f"{percentile(latencies, 95):.1f}",
                    f"{min(queries)}-{max(queries)}",
                ]
            )
    print_table(["page", "mode", "req/s", "p50 ms", "p95 ms", "queries"], rows)


if __name__ == "__main__":
    main()
