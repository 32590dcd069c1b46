"""POS sales through the JSON API on PostgreSQL: 4 stores selling at once, then a 200-sale offline sync.

    .venv/bin/python bench/pos_sales.py                       # omni_bench_pos, created and migrated
    .venv/bin/python bench/pos_sales.py --sales 200 --workers 2 --url postgres://postgres@127.0.0.1:5432/x

What it does:

1. drops and creates the PostgreSQL database of ``--url`` (``omni_bench_pos`` by default) and migrates
   it; seeds 4 stores with one register, one cashier (DRF token) and an open session each, and
   ``--variants`` variants stocked at every store;
2. starts ``uvicorn config.asgi:application`` (``--workers`` processes) on that database, so every sale
   crosses the real HTTP stack: token auth, JSON parsing, ``@idempotent``, ``record_sale`` (prices,
   promotions, stock ledger, tenders, cash ledger), the after-commit stock push;
3. one thread per store (one tablet each, keep-alive connection) posts ``--sales`` sales of 1-3 lines
   (``POST /api/v1/pos/sales/`` with ``Idempotency-Key`` = the sale's uuid), all four at once;
   reports sales/s over the whole run and the p50/p95/max latency of a sale;
4. a fifth register's tablet comes back from an outage with ``--batch`` (200) offline sales and posts
   them in one ``POST /api/v1/pos/sales/sync/``: the time until every one is ``created``; the same
   batch replayed must answer ``duplicate`` for every sale and write nothing (checked).

Finally it checks: as many orders as sales, one ledger row per sold line, no negative stock.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import AsgiServer, child_env, create_database, migrate, percentile, print_table  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_bench_pos"
STORES = ["BPA", "BPB", "BPC", "BPD"]
OFFLINE_STORE = "BPE"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def seed(*, variants: int, stock: int) -> dict:
    """Stores, registers, cashiers (tokens), open sessions and stocked variants."""
    from decimal import Decimal

    from rest_framework.authtoken.models import Token

    from inventory import services as inventory
    from inventory.models import LocationKind
    from pos.models import Register
    from pos.services.sessions import open_register_session
    from tests.factories import LocationFactory, ProductFactory, VariantFactory, cashier

    stores = {}
    for code in [*STORES, OFFLINE_STORE]:
        location = LocationFactory(code=code, name=f"Bench store {code}", kind=LocationKind.STORE)
        register = Register.objects.create(store=location, code=f"{code.lower()}-1", name=f"{code} 1")
        user = cashier(location, email=f"cashier@{code.lower()}.example")
        session = open_register_session(register=register, user=user, opening_float=Decimal("200.00"))
        token, _ = Token.objects.get_or_create(user=user)
        stores[code] = {"location": location, "session": session.pk, "token": token.key}
    skus = []
    for i in range(variants):
        variant = VariantFactory(
            sku=f"BENCH-POS-{i:04d}",
            product=ProductFactory(name=f"Bench product {i}", base_price_ht=Decimal(5 + i % 40)),
        )
        for info in stores.values():
            inventory.receive_stock(
                variant=variant, location=info["location"], quantity=stock, reference="PO-BENCH"
            )
        skus.append(variant.sku)
    return {
        "stores": {c: {"session": s["session"], "token": s["token"]} for c, s in stores.items()},
        "skus": skus,
    }


def sale_body(session: int, skus: list[str], rng: random.Random, *, offline: bool = False) -> dict:
    lines = [{"sku": sku, "quantity": rng.randint(1, 2)} for sku in rng.sample(skus, rng.randint(1, 3))]
    return {
        "uuid": str(uuid.uuid4()),
        "session": session,
        "lines": lines,
        "tenders": [{"kind": "cash", "amount": "500.00"}],  # always covers: change is given back
        "offline": offline,
    }


class Tablet:
    """One register's keep-alive HTTP connection, authenticated by the cashier's token."""

    def __init__(self, server: AsgiServer, token: str) -> None:
        self.conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def post(self, path: str, body: dict, **headers: str) -> tuple[int, dict]:
        self.conn.request("POST", path, body=json.dumps(body), headers={**self.headers, **headers})
        response = self.conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")


def sell(
    server: AsgiServer, store: dict, skus: list[str], count: int, seed_: int, out: dict, barrier
) -> None:
    rng = random.Random(seed_)
    tablet = Tablet(server, store["token"])
    latencies, errors = [], []
    bodies = [sale_body(store["session"], skus, rng) for _ in range(count)]
    barrier.wait()
    for body in bodies:
        started = time.perf_counter()
        status, data = tablet.post("/api/v1/pos/sales/", body, **{"Idempotency-Key": body["uuid"]})
        latencies.append(time.perf_counter() - started)
        if status != 201:
            errors.append((status, data.get("code")))
    out.update(latencies=latencies, errors=errors, lines=sum(len(b["lines"]) for b in bodies))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--sales", type=int, default=150, help="sales per store (default 150)")
    parser.add_argument("--batch", type=int, default=200, help="offline sales synced at once (default 200)")
    parser.add_argument("--variants", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes (default 2)")
    args = parser.parse_args()

    create_database(args.url)
    env = child_env(DATABASE_URL=args.url, DB_POOL="1", DJANGO_ALLOW_ASYNC_UNSAFE=None)
    migrate(env)
    setup_django(args.url)
    started = time.perf_counter()
    data = seed(variants=args.variants, stock=100_000)
    print(f"seeded 5 stores, {args.variants} variants in {time.perf_counter() - started:.1f} s")

    server = AsgiServer(env=env, extra_args=["--workers", str(args.workers)])
    with server:
        # warm-up: one sale per store (imports, connections, first queries)
        for code in STORES:
            store = data["stores"][code]
            body = sale_body(store["session"], data["skus"], random.Random(0))
            status, _ = Tablet(server, store["token"]).post(
                "/api/v1/pos/sales/", body, **{"Idempotency-Key": body["uuid"]}
            )
            assert status == 201, status

        results = [{} for _ in STORES]
        barrier = threading.Barrier(len(STORES) + 1)
        threads = [
            threading.Thread(
                target=sell,
                args=(server, data["stores"][code], data["skus"], args.sales, i, results[i], barrier),
            )
            for i, code in enumerate(STORES)
        ]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started

        # The offline tablet comes back with its queue.
        offline = data["stores"][OFFLINE_STORE]
        rng = random.Random(99)
        batch = [sale_body(offline["session"], data["skus"], rng, offline=True) for _ in range(args.batch)]
        tablet = Tablet(server, offline["token"])
        t0 = time.perf_counter()
        status, first = tablet.post("/api/v1/pos/sales/sync/", {"sales": batch})
        sync_time = time.perf_counter() - t0
        t0 = time.perf_counter()
        status2, replay = tablet.post("/api/v1/pos/sales/sync/", {"sales": batch})
        replay_time = time.perf_counter() - t0

    from inventory.models import StockLevel, StockMovement
    from orders.models import Order

    latencies = sorted(x for r in results for x in r["latencies"])
    errors = [e for r in results for e in r["errors"]]
    total = len(latencies)
    created = sum(1 for r in first["results"] if r["status"] == "created") if status == 200 else 0
    duplicates = sum(1 for r in replay["results"] if r["status"] == "duplicate") if status2 == 200 else 0
    print()
    print_table(
        ["stores", "sales", "errors", "sales/s", "p50 ms", "p95 ms", "max ms"],
        [
            [
                len(STORES),
                total,
                len(errors),
                f"{total / elapsed:.1f}",
                f"{percentile(latencies, 50) * 1000:.0f}",
                f"{percentile(latencies, 95) * 1000:.0f}",
                f"{latencies[-1] * 1000:.0f}",
            ]
        ],
    )
    print()
    print_table(
        ["offline batch", "created", "sync s", "replay: duplicate", "replay s"],
        [[len(batch), created, f"{sync_time:.2f}", duplicates, f"{replay_time:.2f}"]],
    )
    store_orders = Order.objects.filter(channel="store").count()
    sold_lines = sum(r["lines"] for r in results) + sum(len(b["lines"]) for b in batch)
    warmup = Order.objects.filter(channel="store").count() - total - len(batch)
    ledger = StockMovement.objects.filter(reason="sale").count()
    negative = StockLevel.objects.filter(on_hand__lt=0).count()
    print()
    print(f"orders: {store_orders} (= {total} + {len(batch)} + {warmup} warm-up)")
    print(
        f"sale ledger rows: {ledger} (lines sold: {sold_lines} + warm-up)  negative stock levels: {negative}"
    )
    ok = not errors and created == len(batch) and duplicates == len(batch) and negative == 0
    if errors:
        print("errors:", errors[:5])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
