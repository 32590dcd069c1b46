"""A day of invoicing on PostgreSQL + Redis: the daily run, then every PDF by real Celery workers.

    .venv/bin/python bench/invoices.py                   # omni_bench_invoices, created and migrated
    .venv/bin/python bench/invoices.py --customers 700 --workers 2 --url postgres://... --redis redis://...

The case's volume: 700 customers a day, each with 3 to 25 lines bought that day on the web shop, at a
store's till, or both (a third each). What it does and measures:

1. seeds the catalogue (products at 20 %, 5.5 % and 10 % VAT), the warehouse's stock, two stores and
   the customers, then the day's sales: paid web orders (``place_web_order`` then ``transition_order``)
   and identified till sales (``record_store_order``), not timed beyond a line of context;
2. starts ``celery -A config worker --concurrency N`` in a child process (stopped by its pid),
   on the same database and Redis, e-mails to a dummy backend;
3. **the run**: ``invoicing.services.daily_run.run_day(business_date=today)`` ;
   its transaction commits the documents and the outbox queues one PDF task per document;
4. **the PDFs**: we wait until every document has its ``InvoicePdf``: seconds from the run's commit
   to the last PDF stored, PDFs/s, and invoices/s over run + PDFs;
5. **where a PDF's time goes**: ``--sample`` documents rendered again in this process (nothing
   stored) with the timings split (HTML template, WeasyPrint layout, PDF writing with the font
   subsets, Factur-X XML + XSD check + attachment; wall and CPU), and the same with the stylesheet
   and font configuration made again for every PDF, as a naive ``HTML(...).write_pdf()`` does;
6. **the re-run** of the same day: 0 new documents, in seconds.

The database is dropped unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import create_database, drop_database, migrate, print_table  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_bench_invoices"
DEFAULT_REDIS = "redis://127.0.0.1:6379/11"
RATES = [("standard", "Normal", Decimal("0.2000")), ("reduced", "Réduit", Decimal("0.0550")),
         ("intermediate", "Intermédiaire", Decimal("0.1000"))]  # fmt: skip


def environment(url: str, redis: str, media: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "REDIS_URL": redis,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": "dummymail://",
        "MEDIA_ROOT": media,
    }


# --- seeding --------------------------------------------------------------------------------------


def seed_catalogue(*, variants: int):
    from catalog.models import VatRate
    from inventory import services as inventory
    from inventory.models import LocationKind
    from tests.factories import LocationFactory, ProductFactory, VariantFactory, staff

    warehouse = LocationFactory(code="WEB", name="Entrepôt", kind=LocationKind.WAREHOUSE)
    stores = [
        LocationFactory(code="AJA", name="Boutique Ajaccio", kind=LocationKind.STORE),
        LocationFactory(code="BAS", name="Boutique Bastia", kind=LocationKind.STORE),
    ]
    rates = [VatRate.objects.get_or_create(code=c, defaults={"name": n, "rate": r})[0] for c, n, r in RATES]
    stocked = []
    for i in range(variants):
        product = ProductFactory(
            name=f"Produit corse n°{i} — {['savon', 'confiture', 'huile', 'tee-shirt', 'miel'][i % 5]}",
            base_price_ht=Decimal(4 + i % 37) + Decimal("0.90"),
            vat_rate=rates[0 if i % 3 == 0 else (1 if i % 3 == 1 else 2)],
        )
        variant = VariantFactory(sku=f"BENCH-INV-{i:03d}", product=product)
        inventory.receive_stock(variant=variant, location=warehouse, quantity=100_000, reference="PO-BENCH")
        stocked.append(variant)
    return warehouse, stores, stocked, staff(email="bench.cashier@example.com")


def seed_customers(count: int) -> list:
    from accounts.models import CustomerProfile, User

    users = User.objects.bulk_create(
        User(email=f"client{n:04d}@example.com", first_name=f"Client{n}", last_name="Bench", password="!")
        for n in range(count)
    )
    CustomerProfile.objects.bulk_create(
        CustomerProfile(user=u, invoices_by_email=n % 10 != 0) for n, u in enumerate(users)
    )
    return users


def seed_sales(
    *, users, warehouse, stores, variants, cashier, rng: random.Random, threads: int
) -> tuple[int, int, int]:
    """Per customer 3..25 lines: web only, till only, or both. Returns (web orders, till sales, lines)."""
    plans = []
    for n, user in enumerate(users):
        lines = rng.randint(3, 25)
        mode = n % 3  # 0 web, 1 till, 2 both
        web = lines if mode == 0 else (0 if mode == 1 else lines // 2)
        plans.append((user, web, lines - web, stores[n % 2]))
    results = in_parallel(
        plans, lambda plan: _sell(plan, warehouse, variants, cashier, rng.random()), threads=threads
    )
    return sum(r[0] for r in results), sum(r[1] for r in results), sum(p[1] + p[2] for p in plans)


def _sell(plan, warehouse, variants, cashier, seed: float) -> tuple[int, int]:
    from orders import services as order_services
    from orders.models import DeliveryMethod, OrderStatus
    from orders.services.store import StoreOrderLine, record_store_order

    user, web, till, store = plan
    rng = random.Random(seed)
    chosen = rng.sample(variants, web + till)
    if web:
        order = order_services.place_web_order(
            lines=[order_services.LineInput(variant=v, quantity=rng.randint(1, 3)) for v in chosen[:web]],
            location=warehouse,
            delivery_method=DeliveryMethod.HOME,
            email=user.email,
            customer=user,
            shipping_address={
                "first_name": user.first_name,
                "last_name": "Bench",
                "line1": "3 rue Fesch",
                "line2": "",
                "postal_code": "20000",
                "city": "Ajaccio",
                "country": "FR",
                "phone": "+33612345678",
            },  # fmt: skip
            carrier="colissimo",
        )
        order_services.transition_order(order=order, to_status=OrderStatus.PAID)
    if till:
        lines = []
        for variant in chosen[web:]:
            quantity = rng.randint(1, 2)
            rate = variant.product.vat_rate.rate
            unit_gross = (variant.product.base_price_ht * (1 + rate)).quantize(Decimal("0.01"))
            gross = unit_gross * quantity
            net = (gross / (1 + rate)).quantize(Decimal("0.01"))
            lines.append(
                StoreOrderLine(
                    variant=variant,
                    sku=variant.sku,
                    name=variant.product.name,
                    quantity=quantity,
                    unit_price_net=(net / quantity).quantize(Decimal("0.0001")),
                    vat_rate=rate,
                    discount_gross=Decimal("0.00"),
                    total_net=net,
                    total_vat=gross - net,
                    total_gross=gross,
                )  # fmt: skip
            )
        record_store_order(
            store=store, cashier=cashier, lines=lines, customer=user, reference=f"bench-{user.pk}", note=""
        )
    return (1 if web else 0), (1 if till else 0)


def in_parallel(items: list, work, *, threads: int) -> list:
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run(chunk: list) -> list:
        try:
            return [work(item) for item in chunk]
        finally:
            connection.close()

    chunks = [items[i::threads] for i in range(threads)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return [result for chunk in pool.map(run, chunks) for result in chunk]


def run(business_date) -> tuple[list[int], float, str]:
    """(document ids issued, seconds, how): the daily run of ``business_date``."""
    from invoicing.services.daily_run import run_day

    started = time.perf_counter()
    result = run_day(business_date=business_date)
    return list(result.document_ids), time.perf_counter() - started, "run_day"


# --- workers and waiting --------------------------------------------------------------------------


class Worker:
    """``celery -A config worker`` in a child process, stopped by its pid whatever happens."""

    def __init__(self, *, env: dict[str, str], processes: int) -> None:
        self.env, self.processes = env, processes
        self.process: subprocess.Popen | None = None

    def start(self, app) -> float:
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", str(self.processes),
             "--loglevel", "ERROR", "--without-gossip", "--without-mingle", "--prefetch-multiplier", "1",
             "--hostname", f"bench-invoices-{os.getpid()}@%h"],
            cwd=ROOT,
            env=self.env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited with code {self.process.returncode}")
            if app.control.ping(timeout=0.5):
                return time.perf_counter() - started
        raise TimeoutError("the worker did not answer a ping within 60 s")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the worker and its pool processes (/proc):
        what the PDFs cost whatever else the machine runs (wall time on a shared machine is not)."""
        if self.process is None:
            return 0.0
        tick = os.sysconf("SC_CLK_TCK")
        total, todo = 0.0, [self.process.pid]
        while todo:
            pid = todo.pop()
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
                todo += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
            except (OSError, IndexError, ValueError):
                continue
        return total

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def wait_for_pdfs(ids: list[int], *, timeout: float) -> tuple[int, float]:
    """(PDFs stored, perf_counter when the last was seen) — polls every 0.2 s."""
    from invoicing.models import InvoicePdf

    deadline = time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        done = InvoicePdf.objects.filter(invoice_id__in=ids).count()
        if done >= len(ids):
            break
        time.sleep(0.2)
    return done, time.perf_counter()


# --- where a PDF's time goes ----------------------------------------------------------------------


def split_sample(ids: list[int], sample: int) -> list[list[str]]:
    """Render ``sample`` documents again in this process (nothing stored): the median split, as
    rendered now (stylesheet and font configuration made once per process) and as a naive
    ``HTML(...).write_pdf()`` does (both made again for every PDF)."""
    from unittest import mock

    from invoicing.models import Invoice
    from invoicing.services import rendering

    docs = [
        (inv, list(inv.lines.order_by("position")))
        for inv in Invoice.objects.filter(pk__in=ids[:sample]).select_related("credited_invoice")
    ]
    rendering.render_pdf_bytes(*docs[0])  # warm up (imports, fonts, stylesheet)
    fresh_every_time = rendering._build_stylesheet
    rows = []
    for label, patch in (
        ("stylesheet + font config once per process (now)", None),
        (
            "stylesheet + font config per PDF (before)",
            mock.patch.object(rendering, "_stylesheet", fresh_every_time),
        ),
    ):
        if patch is not None:
            patch.start()
        try:
            timings = [rendering.render_pdf_bytes(inv, lines)[1] for inv, lines in docs]
        finally:
            if patch is not None:
                patch.stop()
        med = {
            k: statistics.median(getattr(t, k) for t in timings) * 1000
            for k in ("html", "layout", "pdf", "facturx", "total", "cpu")
        }
        rows.append([label, *(f"{med[k]:.0f}" for k in ("html", "layout", "pdf", "facturx", "total", "cpu"))])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--customers", type=int, default=700)
    parser.add_argument("--variants", type=int, default=80)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (celery --concurrency)")
    parser.add_argument("--threads", type=int, default=4, help="seeding threads")
    parser.add_argument("--sample", type=int, default=20, help="documents re-rendered for the time split")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the PDFs")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    total_started = time.perf_counter()
    media = tempfile.mkdtemp(prefix="bench-invoices-")
    env = environment(args.url, args.redis, media)
    create_database(args.url)
    migrate(env)
    os.environ.update(env)
    import django

    django.setup()
    import logging

    logging.getLogger("factur-x").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from django.utils import timezone

    from config.celery_app import app
    from invoicing.models import InvoicePdf

    worker = Worker(env=env, processes=args.workers)
    try:
        started = time.perf_counter()
        warehouse, stores, variants, cashier = seed_catalogue(variants=args.variants)
        users = seed_customers(args.customers)
        web, till, lines = seed_sales(
            users=users, warehouse=warehouse, stores=stores, variants=variants, cashier=cashier,
            rng=random.Random(11), threads=args.threads,
        )  # fmt: skip
        print(
            f"seeded {args.customers} customers: {web} paid web orders, {till} till sales, {lines} lines "
            f"in {time.perf_counter() - started:.1f} s"
        )
        with app.connection_for_write() as connection:  # the seeding's own tasks: not this bench's work
            connection.default_channel.client.delete("celery")
        from core.models import OutboxMessage

        OutboxMessage.objects.all().delete()
        ping = worker.start(app)
        print(f"worker up ({args.workers} processes) in {ping:.1f} s")

        day = timezone.localdate()
        cpu_before = worker.cpu_seconds()
        ids, run_seconds, how = run(day)
        committed = time.perf_counter()
        print(f"run ({how}): {len(ids)} documents in {run_seconds:.1f} s")
        done, last = wait_for_pdfs(ids, timeout=args.timeout)
        pdf_seconds = last - committed
        worker_cpu = worker.cpu_seconds() - cpu_before
        renders = sorted(
            InvoicePdf.objects.filter(invoice_id__in=ids).values_list("render_seconds", flat=True)
        )
        sizes = list(InvoicePdf.objects.filter(invoice_id__in=ids).values_list("size", flat=True))

        rerun_ids, rerun_seconds, _ = run(day)

        print()
        print_table(
            ["phase", "seconds", "rate"],
            [
                [f"daily run ({len(ids)} documents)", f"{run_seconds:.1f}",
                 f"{len(ids) / run_seconds:.1f} documents/s"],
                [f"PDFs ({args.workers} workers: render, store, e-mail)", f"{pdf_seconds:.1f}",
                 f"{done / pdf_seconds:.1f} PDFs/s"],
                ["run + all PDFs", f"{run_seconds + pdf_seconds:.1f}",
                 f"{done / (run_seconds + pdf_seconds):.1f} invoices/s"],
                [f"re-run of the same day ({len(rerun_ids)} new)", f"{rerun_seconds:.2f}", ""],
            ],
        )  # fmt: skip
        print(
            f"\nworkers' CPU for the PDFs: {worker_cpu:.1f} s, "
            f"{worker_cpu / max(done, 1) * 1000:.0f} ms a PDF "
            f"(render, store, e-mail, task); on {args.workers} otherwise idle cores: "
            f"~{worker_cpu / args.workers:.0f} s; load average now {os.getloadavg()[0]:.1f}"
        )
        if renders:
            p50, p95 = statistics.median(renders), renders[int(len(renders) * 0.95) - 1]
            print(
                f"\nper PDF in the workers (render_seconds): median {p50 * 1000:.0f} ms, "
                f"p95 {p95 * 1000:.0f} ms, max {renders[-1] * 1000:.0f} ms; "
                f"size median {statistics.median(sizes) / 1024:.0f} KB"
            )
        print(
            f"\nwhere a PDF's time goes (median of {min(args.sample, len(ids))} documents, ms, this process):"
        )
        headers = ["set-up", "HTML", "layout", "PDF+fonts", "Factur-X", "wall", "CPU"]
        print_table(headers, split_sample(ids, args.sample))
        print(f"\ntotal (seeding and worker start included): {time.perf_counter() - total_started:.1f} s")
        if done < len(ids):
            sys.exit(f"only {done} of {len(ids)} PDFs within {args.timeout:.0f} s")
        if rerun_ids:
            sys.exit(f"the re-run issued {len(rerun_ids)} documents")
    finally:
        worker.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.url)


if __name__ == "__main__":
    main()
