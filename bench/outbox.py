"""The transactional outbox (core.outbox) on PostgreSQL + Redis: what it costs a write, how fast the
relay empties it, and what a till sale costs when the broker is down.

    .venv/bin/python bench/outbox.py                      # omni_bench_outbox, created and migrated
    .venv/bin/python bench/outbox.py --url postgres://postgres@127.0.0.1:5432/x --redis redis://127.0.0.1:6379/9

What it measures (in this process, Django set up on that database, Celery not eager, broker = Redis):

1. **enqueue overhead per write**: ``--writes`` transactions that each bump a counter row, alone;
   then the same with one ``outbox.enqueue`` (breaker open: the row only, no publish); then with
   the after-commit publish to the live broker (the full cost a request pays, broker up);
2. **relay throughput**: ``--messages`` pending messages published by ``relay_all()`` (batches of
   ``OUTBOX_RELAY_BATCH``, one ``SELECT ... FOR UPDATE SKIP LOCKED``, one connection, one UPDATE per
   batch) to Redis: messages/s. The published messages are deleted from Redis afterwards;
3. **a till sale with the broker down** (``POST /api/v1/pos/sales/`` through DRF, each sale crossing a
   low-stock threshold, so it owes an alert e-mail): the broker a closed port (refused) and a port
   that accepts and never answers (silent), each with the breaker reset before every sale (every
   sale tries the broker: the worst case) and with the breaker on (the normal case).

Before the outbox the same sale raised after ~1.1 s (refused: a 500 for a committed sale) and hung
past 120 s (silent broker); see docs/security.md.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import create_database, drop_database, migrate, print_table  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_bench_outbox"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
CLOSED = "redis://127.0.0.1:1/0"


def setup_django(url: str, redis: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = redis
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


class SilentBroker:
    """A TCP port that accepts connections and never answers (a hung Redis, a black-holed route)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1000)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        for conn in self.accepted:
            conn.close()
        self.sock.close()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def enqueue_overhead(app, writes: int) -> list[list[str]]:
    from django.db import transaction
    from django.db.models import F

    from core import outbox
    from core.models import NumberSequence

    NumberSequence.objects.get_or_create(name="bench-outbox")

    def write() -> None:
        NumberSequence.objects.filter(name="bench-outbox").update(last_value=F("last_value") + 1)

    def run(label: str, body, *, breaker_open: bool) -> list[str]:
        samples = []
        for _ in range(writes):
            if breaker_open:
                outbox._breaker["open_until"] = time.monotonic() + 3600
            else:
                outbox.reset_breaker()
            started = time.perf_counter()
            with transaction.atomic():
                body()
            samples.append(time.perf_counter() - started)  # on_commit callbacks included
        return [label, ms(statistics.median(samples)), ms(sorted(samples)[int(len(samples) * 0.95)])]

    rows = [
        run("write alone", write, breaker_open=True),
        run(
            "write + on_commit(send_task) (before)",
            lambda: (
                write(),
                transaction.on_commit(
                    lambda: app.send_task("bench.noop", kwargs={"n": 1}, ignore_result=True)
                ),
            ),
            breaker_open=True,
        ),
        run(
            "write + enqueue (row only)",
            lambda: (write(), outbox.enqueue("bench.noop", n=1)),
            breaker_open=True,
        ),
        run(
            "write + enqueue + publish (broker up)",
            lambda: (write(), outbox.enqueue("bench.noop", n=1)),
            breaker_open=False,
        ),
    ]
    outbox.reset_breaker()
    return rows


def relay_throughput(app, messages: int) -> tuple[int, float]:
    from django.db import transaction
    from django.utils import timezone

    from core import outbox
    from core.models import OutboxMessage

    OutboxMessage.objects.all().delete()
    outbox._breaker["open_until"] = time.monotonic() + 3600  # write only; the relay publishes
    for start in range(0, messages, 500):
        with transaction.atomic():
            for n in range(start, min(messages, start + 500)):
                outbox.enqueue("bench.noop", n=n)
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    outbox.reset_breaker()
    started = time.perf_counter()
    result = outbox.relay_all()
    elapsed = time.perf_counter() - started
    assert len(result.published) == messages and not result.failed, result.error
    return messages, elapsed


def direct_publish_rate(app, messages: int) -> tuple[int, float]:
    """The baseline: ``send_task`` straight from this process (what ``delay()`` did), same broker."""
    started = time.perf_counter()
    for n in range(messages):
        app.send_task("bench.noop", kwargs={"n": n}, ignore_result=True)
    return messages, time.perf_counter() - started


def seed_sale():
    from decimal import Decimal

    from rest_framework.authtoken.models import Token

    from inventory import services as inventory
    from pos.models import Register
    from pos.services.sessions import open_register_session
    from tests.factories import LocationFactory, ProductFactory, VariantFactory, cashier

    store = LocationFactory(code="BOX", name="Bench outbox store")
    register = Register.objects.create(store=store, code="box-1", name="Box 1")
    user = cashier(store, email="cashier@box.example")
    session = open_register_session(register=register, user=user, opening_float=Decimal("100.00"))
    token, _ = Token.objects.get_or_create(user=user)
    variant = VariantFactory(sku="BOX-1", product=ProductFactory(name="Box", base_price_ht=Decimal("10")))
    inventory.receive_stock(variant=variant, location=store, quantity=100_000, reference="PO-BENCH")
    return store, variant, session.pk, token.key


def sale_latency(app, *, label: str, sales: int, broker: str, breaker: bool) -> list[str]:
    from rest_framework.test import APIClient

    from core import outbox
    from core.models import OutboxMessage
    from inventory.models import StockLevel

    store, variant, session, token = SALE
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    app.conf.broker_url = broker
    outbox.reset_breaker()
    samples, statuses = [], set()
    before = OutboxMessage.objects.filter(status="pending").count()
    for _ in range(sales):
        level = StockLevel.objects.get(variant=variant, location=store)
        # Every sale crosses the threshold: it owes a low-stock alert e-mail.
        StockLevel.objects.filter(pk=level.pk).update(low_stock_threshold=level.available - 1)
        if not breaker:
            outbox.reset_breaker()
        body = {
            "uuid": str(uuid.uuid4()),
            "session": session,
            "lines": [{"sku": variant.sku, "quantity": 1}],
            "tenders": [{"kind": "cash", "amount": "12.00"}],
        }
        started = time.perf_counter()
        response = client.post("/api/v1/pos/sales/", body, format="json", HTTP_IDEMPOTENCY_KEY=body["uuid"])
        samples.append(time.perf_counter() - started)
        statuses.add(response.status_code)
    waiting = OutboxMessage.objects.filter(status="pending").count() - before
    samples.sort()
    return [
        label + (" + breaker" if breaker else ", every sale tries"),
        "/".join(str(s) for s in sorted(statuses)),
        ms(statistics.median(samples)),
        ms(samples[int(len(samples) * 0.95)]),
        ms(samples[-1]),
        str(waiting),
    ]


SALE: tuple = ()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--sales", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    create_database(args.url)
    migrate({**os.environ, "DATABASE_URL": args.url, "DJANGO_SETTINGS_MODULE": "config.settings"})
    setup_django(args.url, args.redis)
    from django.conf import settings

    from config.celery_app import app

    def drain() -> None:
        app.conf.broker_url = args.redis
        with app.connection_for_write() as connection:
            connection.default_channel.client.delete("celery")

    global SALE
    try:
        drain()
        print(f"\nEnqueue overhead per write ({args.writes} transactions each, ms):")
        print_table(["transaction", "p50", "p95"], enqueue_overhead(app, args.writes))

        count, elapsed = relay_throughput(app, args.messages)
        drain()
        direct, direct_elapsed = direct_publish_rate(app, args.messages)
        drain()
        print(f"\nRelay throughput (batches of {settings.OUTBOX_RELAY_BATCH}, PostgreSQL -> Redis):")
        print_table(
            ["publisher", "messages", "seconds", "messages/s"],
            [
                ["outbox relay_all()", str(count), f"{elapsed:.2f}", f"{count / elapsed:.0f}"],
                [
                    "send_task() directly",
                    str(direct),
                    f"{direct_elapsed:.2f}",
                    f"{direct / direct_elapsed:.0f}",
                ],
            ],
        )

        SALE = seed_sale()
        silent = SilentBroker()
        silent_url = f"redis://127.0.0.1:{silent.port}/0"
        sale_latency(app, label="warm-up", sales=5, broker=args.redis, breaker=True)  # not shown
        rows = [
            sale_latency(app, label="up", sales=args.sales, broker=args.redis, breaker=True),
            sale_latency(app, label="refused", sales=args.sales, broker=CLOSED, breaker=False),
            sale_latency(app, label="refused", sales=args.sales, broker=CLOSED, breaker=True),
            sale_latency(app, label="silent", sales=args.sales, broker=silent_url, breaker=False),
            sale_latency(app, label="silent", sales=args.sales, broker=silent_url, breaker=True),
        ]
        silent.close()
        drain()
        print(f"\nTill sale through the API, broker state ({args.sales} sales each, ms; each owes an alert):")
        print_table(["broker", "status", "p50", "p95", "max", "left pending"], rows)
        print(
            f"(OUTBOX_PUBLISH_TIMEOUT={settings.OUTBOX_PUBLISH_TIMEOUT} s,"
            f" OUTBOX_BREAKER_SECONDS={settings.OUTBOX_BREAKER_SECONDS} s)"
        )
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(args.url)


if __name__ == "__main__":
    main()
