"""Concurrent sells racing for a few hot variants on PostgreSQL: throughput and the oversold count.

    .venv/bin/python bench/stock_contention.py                     # 16 threads, then 4 processes
    .venv/bin/python bench/stock_contention.py --threads 32 --processes 8 --stock 100 --attempts 300

Every worker calls ``inventory.services.sell_stock`` (1 unit of a random hot variant) in a loop; the
total attempts are several times the stock, so most of the run is a fight for the last units.
Reported per mode: attempts, sells (successes), insufficient_stock refusals, other errors, sells/s,
attempts/s, units oversold (units sold beyond the initial stock: must be 0), the final on hand and
whether the ledger still balances (``check_ledger``). Each run uses fresh variants, so the database
(``omni_bench_contention`` by default, created and migrated if missing) can be reused.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_bench_contention"


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)  # the push goes to the in-memory layer: we measure the database
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(*, variants: int, stock: int) -> tuple[list[int], int]:
    """Fresh hot variants with ``stock`` units each at one location; returns their ids and the location id."""
    from inventory import services
    from inventory.models import Location
    from tests.factories import CategoryFactory, ProductFactory, VariantFactory  # the tests' factories

    run = uuid.uuid4().hex[:8].upper()
    location, _ = Location.objects.get_or_create(code="BENCH", defaults={"name": "Bench store"})
    ids = []
    category = CategoryFactory(slug=f"bench-{run.lower()}")
    for i in range(variants):
        product = ProductFactory(slug=f"hot-{run.lower()}-{i}", category=category)
        variant = VariantFactory(sku=f"HOT-{run}-{i}", ean13=_ean(run, i), product=product)
        services.receive_stock(variant=variant, location=location, quantity=stock, reference=f"BENCH-{run}")
        ids.append(variant.pk)
    return ids, location.pk


def _ean(run: str, i: int) -> str:
    from catalog.validators import ean13_check_digit

    first12 = f"29{int(run, 16) % 10**8:08d}{i:02d}"
    return first12 + str(ean13_check_digit(first12))


def sell_loop(variant_ids: list[int], location_id: int, attempts: int, seed: int) -> dict[str, int]:
    from django.db import connection

    from catalog.models import Variant
    from inventory import services
    from inventory.errors import InsufficientStock
    from inventory.models import Location

    rng = random.Random(seed)
    variants = list(Variant.objects.select_related("product").filter(pk__in=variant_ids))
    location = Location.objects.get(pk=location_id)
    counts = {"attempts": 0, "sold": 0, "refused": 0, "errors": 0}
    try:
        for _ in range(attempts):
            counts["attempts"] += 1
            try:
                services.sell_stock(
                    variant=rng.choice(variants), location=location, quantity=1, reference="BENCH"
                )
                counts["sold"] += 1
            except InsufficientStock:
                counts["refused"] += 1
            except Exception as error:  # a deadlock or a constraint violation would land here
                counts["errors"] += 1
                print(f"  error: {error!r}", file=sys.stderr)
    finally:
        connection.close()
    return counts


def _process_main(url, variant_ids, location_id, attempts, seed, barrier, queue):
    setup_django(url)
    barrier.wait()
    queue.put(sell_loop(variant_ids, location_id, attempts, seed))


def run_threads(n: int, variant_ids, location_id, attempts: int) -> tuple[list[dict], float]:
    barrier = threading.Barrier(n + 1)
    results: list[dict] = []
    lock = threading.Lock()

    def target(i):
        barrier.wait()
        counts = sell_loop(variant_ids, location_id, attempts, seed=i)
        with lock:
            results.append(counts)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def run_processes(n: int, url: str, variant_ids, location_id, attempts: int) -> tuple[list[dict], float]:
    ctx = mp.get_context("spawn")
    barrier, queue = ctx.Barrier(n + 1), ctx.Queue()
    procs = [
        ctx.Process(
            target=_process_main, args=(url, variant_ids, location_id, attempts, 1000 + i, barrier, queue)
        )
        for i in range(n)
    ]
    for proc in procs:
        proc.start()
    barrier.wait()  # every child has set Django up: start the clock
    started = time.perf_counter()
    results = [queue.get() for _ in procs]
    elapsed = time.perf_counter() - started
    for proc in procs:
        proc.join()
    return results, elapsed


def measure(mode: str, workers: int, args, url: str) -> dict:
    from django.db.models import Sum

    from inventory.models import StockLevel, StockMovement
    from inventory.selectors import check_ledger

    variant_ids, location_id = prepare(variants=args.variants, stock=args.stock)
    attempts = args.attempts or -(-3 * args.variants * args.stock // workers)
    if mode == "threads":
        results, elapsed = run_threads(workers, variant_ids, location_id, attempts)
    else:
        results, elapsed = run_processes(workers, url, variant_ids, location_id, attempts)
    total = {key: sum(r[key] for r in results) for key in ("attempts", "sold", "refused", "errors")}
    initial = args.variants * args.stock
    sold_in_ledger = -(
        StockMovement.objects.filter(variant_id__in=variant_ids, reason="sale").aggregate(s=Sum("quantity"))[
            "s"
        ]
        or 0
    )
    on_hand = StockLevel.objects.filter(variant_id__in=variant_ids).aggregate(s=Sum("on_hand"))["s"]
    return {
        "mode": f"{workers} {mode}",
        "attempts": total["attempts"],
        "sells": total["sold"],
        "insufficient": total["refused"],
        "errors": total["errors"],
        "sells/s": round(total["sold"] / elapsed),
        "attempts/s": round(total["attempts"] / elapsed),
        "oversold": max(0, sold_in_ledger - initial) + max(0, total["sold"] - initial),
        "final on_hand": on_hand,
        "ledger": "balanced" if check_ledger().ok and sold_in_ledger == total["sold"] else "MISMATCH",
        "seconds": round(elapsed, 2),
    }


def print_table(rows: list[dict]) -> None:
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for row in rows:
        print("  ".join(str(row[c]).ljust(widths[c]) for c in columns))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--threads", type=int, default=16, help="0 to skip the threads run")
    parser.add_argument("--processes", type=int, default=4, help="0 to skip the processes run")
    parser.add_argument("--variants", type=int, default=4, help="hot variants")
    parser.add_argument("--stock", type=int, default=150, help="initial units per hot variant")
    parser.add_argument(
        "--attempts", type=int, default=None, help="sell attempts per worker (default: 3x the stock in all)"
    )
    args = parser.parse_args()

    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("this benchmark needs PostgreSQL")
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(
        f"{args.variants} hot variants x {args.stock} units; attempts: 3x the stock unless --attempts; "
        f"database {urlsplit(args.database_url).path.lstrip('/')}"
    )
    rows = []
    if args.threads:
        rows.append(measure("threads", args.threads, args, args.database_url))
    if args.processes:
        rows.append(measure("processes", args.processes, args, args.database_url))
    print_table(rows)
    bad = [r for r in rows if r["oversold"] or r["errors"] or r["ledger"] != "balanced"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
