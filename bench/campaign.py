"""A marketing campaign to N consenting customers on PostgreSQL + Redis, sent by a real Celery
worker through django-anymail to a local fake e-mail provider.

    .venv/bin/python bench/campaign.py                      # 50,000 customers, omni_bench_campaign
    .venv/bin/python bench/campaign.py --customers 5000 --concurrency 2 --batch 500 --redis redis://127.0.0.1:6379/10

What it does and measures:

1. seeds N customers (a third each in French, English and Italian), each with a granted e-mail
   consent (and its proof event) and one bought order, in bulk; 1 % are then suppressed (hard
   bounce) and must be skipped;
2. **RFM**: ``refresh_rfm()`` over the N customers (one aggregate query, bulk upsert): seconds;
3. a local fake ESP (a threaded HTTP server speaking Postmark's ``POST /email``) counts every
   message and every duplicate recipient;
4. starts ``celery -A config worker --concurrency C`` (prefork) in a child process, settings
   ``bench.campaign_settings`` (anymail's Postmark backend with its API URL on the fake), stopped
   by its pid;
5. **the send**: ``schedule_campaign`` then ``start_campaign`` (writes the N recipient rows and
   queues N / batch tasks through the outbox; timed), then waits until no recipient is queued:
   messages/s from the start's commit to the last message, and the worker's RSS (main process and
   its pool children, from /proc) sampled every second: it must stay flat, not grow with N.

The database is dropped unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import create_database, drop_database, migrate, print_table  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_bench_campaign"
DEFAULT_REDIS = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/10"


# --- the fake e-mail provider ---------------------------------------------------------------------


class FakeEsp:
    """Postmark's single-send API on 127.0.0.1: 200 and a MessageID for every message, counted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.seen: set[str] = set()
        self.duplicates = 0
        self.last_at = 0.0
        esp = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                to = str(body.get("To", ""))
                with esp.lock:
                    esp.count += 1
                    esp.last_at = time.monotonic()
                    if to in esp.seen:
                        esp.duplicates += 1
                    esp.seen.add(to)
                answer = json.dumps(
                    {
                        "To": to,
                        "SubmittedAt": "2026-01-01T00:00:00Z",
                        "MessageID": str(uuid.uuid4()),
                        "ErrorCode": 0,
                        "Message": "OK",
                    }  # fmt: skip
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- memory of the worker -------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def worker_rss(pid: int) -> tuple[int, int]:
    """(total RSS of the worker and its pool children, largest child's RSS), in KiB."""
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        queue += _children(current)
    sizes = [_rss_kb(p) for p in pids]
    return sum(sizes), max(sizes[1:], default=sizes[0])


# --- seeding --------------------------------------------------------------------------------------


def seed(customers: int) -> tuple[list[int], int]:
    """N consenting customers with one bought order each; 1 % suppressed. (product ids, suppressed)."""
    from decimal import Decimal

    from accounts.models import CustomerProfile, User
    from catalog.models import Category, Product, VatRate
    from inventory.models import Location, LocationKind
    from marketing.models import Consent, ConsentEvent, ConsentSource, ConsentStatus, Suppression
    from orders.models import Channel, DeliveryMethod, Order, OrderStatus

    chunk = 5000
    vat, _ = VatRate.objects.get_or_create(
        code="bench", defaults={"name": "Normal", "rate": Decimal("0.2000")}
    )
    category, _ = Category.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    products = [
        Product.objects.create(
            name=f"Bench product {n}",
            slug=f"bench-{n}",
            category=category,
            vat_rate=vat,
            base_price_ht=Decimal("10"),
        )  # fmt: skip
        for n in range(4)
    ]
    store = Location.objects.create(code="BENCH", name="Bench store", kind=LocationKind.STORE)
    languages = ("fr", "en", "it")
    for start in range(0, customers, chunk):
        numbers = range(start, min(customers, start + chunk))
        users = User.objects.bulk_create(
            User(
                email=f"client{n:06d}@example.com",
                first_name=f"Client{n}",
                last_name="Bench",
                password="!",
                preferred_language=languages[n % 3],
            )  # fmt: skip
            for n in numbers
        )
        CustomerProfile.objects.bulk_create(CustomerProfile(user=u, marketing_opt_in=True) for u in users)
        consents = Consent.objects.bulk_create(
            Consent(channel="email", address=u.email, user=u, status=ConsentStatus.GRANTED) for u in users
        )
        ConsentEvent.objects.bulk_create(
            ConsentEvent(
                consent=c, status=ConsentStatus.GRANTED, source=ConsentSource.ADMIN_IMPORT, note="bench"
            )  # fmt: skip
            for c in consents
        )
        Order.objects.bulk_create(
            Order(
                number=f"B{u.pk:08d}",
                channel=Channel.STORE if u.pk % 2 else Channel.WEB,
                status=OrderStatus.COMPLETED,
                delivery_method=DeliveryMethod.IN_STORE,
                location=store,
                customer=u,
                email=u.email,
                total_net=Decimal("50"),
                total_gross=Decimal("60"),
                total_gross_eur=Decimal("60"),
            )  # fmt: skip
            for u in users
        )
    suppressed = list(User.objects.order_by("pk").values_list("email", flat=True)[::100])
    Suppression.objects.bulk_create(Suppression(address=a, reason="hard_bounce") for a in suppressed)
    return [p.pk for p in products], len(suppressed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=500, help="recipients per batch task")
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool processes")
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait for the send")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    esp = FakeEsp()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.url,
        "REDIS_URL": args.redis,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": "dummymail://",
        "MARKETING_CAMPAIGN_BATCH": str(args.batch),
        "BENCH_ESP_URL": esp.url,
    }
    create_database(args.url)
    worker: subprocess.Popen[bytes] | None = None
    try:
        migrate(env)
        os.environ.update(env)
        import django

        django.setup()
        import redis
        from django.db.models import Count
        from django.utils import timezone

        from marketing import services_campaigns, services_segments
        from marketing.models import Campaign, CampaignRecipient, RecipientStatus, Segment

        client = redis.Redis.from_url(args.redis)
        client.delete("celery", "unacked", "unacked_index", "unacked_mutex")
        t0 = time.perf_counter()
        products, suppressed = seed(args.customers)
        print(f"seeded {args.customers} consenting customers (1 order each, {suppressed} suppressed) "
              f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip

        t0 = time.perf_counter()
        counts = services_segments.refresh_rfm()
        print(f"refresh_rfm over {sum(counts.values())} customers: {time.perf_counter() - t0:.2f} s {counts}")
        t0 = time.perf_counter()
        services_segments.refresh_rfm()
        print(f"refresh_rfm again (upsert of every row): {time.perf_counter() - t0:.2f} s")

        segment = Segment.objects.create(name="Everyone")
        campaign = Campaign.objects.create(
            name="Bench",
            segment=segment,
            subject_fr="Les soldes commencent",
            body_fr='<p>Bonjour {{ first_name }},</p><p>les soldes commencent.</p>{% products "chosen" %}'
            '{% products "for_you" %}',
            subject_en="The sale starts",
            body_en='<p>Hello {{ first_name }},</p><p>the sale starts.</p>{% products "chosen" %}',
        )
        campaign.products.set(products)
        t0 = time.perf_counter()
        services_campaigns.schedule_campaign(campaign_id=campaign.pk, send_at=timezone.now())
        print(f"schedule (with the member count): {time.perf_counter() - t0:.2f} s")

        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-c",
                str(args.concurrency),
                "--loglevel=warning",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"bench-campaign-{os.getpid()}@%h",
            ],  # fmt: skip
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "bench.campaign_settings", "DJANGO_DEBUG": "false"},
            start_new_session=True,
        )
        time.sleep(4)  # the worker boots (Django setup) before the clock starts
        idle_rss = worker_rss(worker.pid)

        t0 = time.perf_counter()
        started = time.monotonic()
        total = services_campaigns.start_campaign(campaign_id=campaign.pk) or 0
        start_seconds = time.perf_counter() - t0
        print(f"start: {total} recipient rows written and {-(-total // args.batch)} batch tasks queued "
              f"in {start_seconds:.2f} s")  # fmt: skip

        samples: list[tuple[float, int, int, int]] = []
        deadline = time.monotonic() + args.timeout
        queued = total
        while time.monotonic() < deadline:
            time.sleep(1.0)
            rss, child = worker_rss(worker.pid)
            samples.append((time.monotonic() - started, esp.count, rss, child))
            queued = CampaignRecipient.objects.filter(
                campaign=campaign, status=RecipientStatus.QUEUED
            ).count()
            if worker.poll() is not None or queued == 0:
                break
        elapsed = (esp.last_at or time.monotonic()) - started
        statuses = dict(
            CampaignRecipient.objects.filter(campaign=campaign)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        campaign.refresh_from_db()

        print()
        step = max(1, len(samples) // 12)
        rows = [
            (f"{t:.0f}", sent, f"{rss / 1024:.0f}", f"{child / 1024:.0f}")
            for t, sent, rss, child in samples[::step] + samples[-1:]
        ]
        print_table(["s", "messages", "worker RSS MiB (all)", "largest process MiB"], rows)
        print()
        rss_values = [s[2] for s in samples]
        print(f"worker idle before the send: {idle_rss[0] / 1024:.0f} MiB (all processes)")
        if rss_values:
            third = max(1, len(rss_values) // 3)
            low, high = min(rss_values) / 1024, max(rss_values) / 1024
            first, last = sum(rss_values[:third]) / third / 1024, sum(rss_values[-third:]) / third / 1024
            print(f"worker RSS during the send: min {low:.0f}, max {high:.0f} MiB; "
                  f"first third mean {first:.0f}, last third mean {last:.0f} MiB")  # fmt: skip
        print(f"messages received by the fake ESP: {esp.count} (duplicate recipients: {esp.duplicates})")
        print(f"recipient rows: {statuses}; campaign {campaign.status}; still queued: {queued}")
        if esp.count:
            rate = esp.count / elapsed
            print(f"throughput: {rate:.0f} messages/s ({elapsed:.1f} s from the start's commit to the last "
                  f"message; batch {args.batch}, {args.concurrency} worker processes)")  # fmt: skip
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
        esp.close()
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(args.url)


if __name__ == "__main__":
    main()
