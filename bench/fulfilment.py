"""A day of web orders through fulfilment on PostgreSQL + Redis: picking waves, picking, packing, and
the labels made by a real Celery worker against the local Colissimo fake.

    .venv/bin/python bench/fulfilment.py                  # omni_bench_fulfilment, created and migrated
    .venv/bin/python bench/fulfilment.py --orders 700 --workers 2 --url postgres://... --redis redis://...

The case's volume: 700 paid home-delivery orders a day, 1 to 4 lines each (1 or 2 units a line) over
60 variants, all shipped from the warehouse with Colissimo. What it does and measures:

1. seeds the warehouse (bins, stock) and places the 700 orders (``place_web_order`` then paid: the
   ``order.paid`` subscriber creates each shipment), not timed beyond a line of context;
2. starts ``celery -A config worker`` (``--workers`` processes) in a child process, on the same
   database and Redis, with ``CARRIER_MODE=live`` and Colissimo aimed at the local threaded fake of
   its SLS API (``tests/logistics/carrier_fakes.py``, served by this process);
3. **waves**: ``build_wave`` until nothing is left to pick (``--wave-size`` orders each): orders/s;
4. **picking**: with ``--scan-picks``, ``scan_pick`` of every unit of every wave line (orders/s, units/s);
   by default the waves are marked picked at once (picking by scan is fulfil's subject, tested there,
   and on this shared machine it alone would take minutes);
5. **packing**: per shipment, ``scan_pack`` of every unit, one ``pack_parcel``, ``finish_packing`` —
   which queues the label task through the outbox: orders/s;
6. **labels**: the worker asks the fake for each label (HTTP), renders the 10x15 PDF (WeasyPrint)
   and stores it; we wait (``--timeout``) until every parcel's label is ready: label PDFs/s from
   the first label queued to the last one stored (labels start while packing goes on), and the
   worker-only rate after packing ended.

The worker is stopped by its pid (SIGTERM, then SIGKILL); the database is dropped unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import create_database, drop_database, migrate, print_table  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_bench_fulfilment"
DEFAULT_REDIS = "redis://127.0.0.1:6379/8"
ADDRESS = {
    "first_name": "Ana",
    "last_name": "Colonna",
    "line1": "3 rue Fesch",
    "line2": "",
    "postal_code": "20000",
    "city": "Ajaccio",
    "country": "FR",
    "phone": "+33612345678",
}


def environment(url: str, redis: str, carrier_url: str, media: str) -> dict[str, str]:
    from tests.logistics import carrier_fakes as cf

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "REDIS_URL": redis,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": "dummymail://",
        "MEDIA_ROOT": media,
        "CARRIER_MODE": "live",
        "COLISSIMO_LABEL_URL": f"{carrier_url}/sls-ws/SlsServiceWSRest/2.0",
        "COLISSIMO_CONTRACT_NUMBER": cf.COLISSIMO_CONTRACT,
        "COLISSIMO_PASSWORD": cf.COLISSIMO_PASSWORD,
        "LAPOSTE_SUIVI_URL": f"{carrier_url}/suivi/v2",
        "LAPOSTE_OKAPI_KEY": cf.OKAPI_KEY,
    }


def seed(*, variants: int) -> tuple:
    """The warehouse with ``variants`` stocked variants in bins, and a staff user."""
    from inventory import services as inventory
    from inventory.models import LocationKind
    from inventory.services.bins import set_bin_location
    from tests.factories import LocationFactory, ProductFactory, VariantFactory, staff

    warehouse = LocationFactory(
        code="WEB",
        name="Entrepôt",
        kind=LocationKind.WAREHOUSE,
        address_line="Zone industrielle du Vazzio",
        postal_code="20090",
        city="Ajaccio",
    )
    stocked = []
    for i in range(variants):
        variant = VariantFactory(
            sku=f"BENCH-FUL-{i:03d}",
            weight_grams=150 + 25 * (i % 12),
            product=ProductFactory(name=f"Bench product {i}", base_price_ht=Decimal(8 + i % 30)),
        )
        inventory.receive_stock(variant=variant, location=warehouse, quantity=10_000, reference="PO-BENCH")
        set_bin_location(
            location=warehouse, variant=variant, bin_location=f"{'ABCDEF'[i % 6]}-{i // 6 + 1:02d}-1"
        )
        stocked.append(variant)
    return warehouse, stocked, staff(email="bench.staff@example.com")


def in_parallel(items: list, work, *, threads: int) -> list:
    """``work(item)`` for every item, by ``threads`` threads (each its own database connection), like
    several pickers or packers working side by side. Returns the results; the first error is raised."""
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


def place_orders(*, count: int, warehouse, variants: list, rng: random.Random, threads: int) -> None:
    baskets = [
        (n, [(variant, rng.randint(1, 2)) for variant in rng.sample(variants, rng.randint(1, 4))])
        for n in range(count)
    ]
    in_parallel(baskets, lambda basket: place_order(basket, warehouse), threads=threads)


def place_order(basket: tuple, warehouse) -> None:
    from orders import services as order_services
    from orders.models import DeliveryMethod, OrderStatus

    n, wanted = basket
    lines = [order_services.LineInput(variant=variant, quantity=quantity) for variant, quantity in wanted]
    order = order_services.place_web_order(
        lines=lines,
        location=warehouse,
        delivery_method=DeliveryMethod.HOME,
        email=f"shopper{n}@example.com",
        shipping_address=ADDRESS,
        carrier="colissimo",
    )
    order_services.transition_order(order=order, to_status=OrderStatus.PAID)


class Worker:
    """``celery -A config worker`` in a child process, stopped by its pid whatever happens."""

    def __init__(self, *, env: dict[str, str], processes: int) -> None:
        self.env = env
        self.processes = processes
        self.process: subprocess.Popen | None = None

    def start(self, app) -> float:
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--concurrency",
                str(self.processes),
                "--loglevel",
                "ERROR",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"bench-fulfilment-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited with code {self.process.returncode}")
            if app.control.ping(timeout=0.5):
                return time.perf_counter() - started
        raise TimeoutError("the worker did not answer a ping within 60 s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def build_waves(*, warehouse, user, size: int) -> list:
    from logistics import services_fulfilment as fulfilment
    from logistics.errors_fulfilment import NothingToPick

    waves = []
    while True:
        try:
            waves.append(fulfilment.build_wave(location=warehouse, max_orders=size, user=user))
        except NothingToPick:
            return waves


def mark_picked(waves: list) -> int:
    """The shortcut taken without ``--scan-picks``: every wave line picked in full at once (what
    ``scan_pick`` of every unit ends with: lines, shipment lines, shipments PICKED, wave DONE).
    Picking by scan is fulfil's subject (tests/logistics); here it would only stretch the run."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from logistics.fulfilment_models import PickLine, Shipment, ShipmentLine, ShipmentStatus, WaveStatus

    units = 0
    with transaction.atomic():
        for wave in waves:
            lines = PickLine.objects.filter(wave=wave)
            units += sum(line.quantity for line in lines)
            lines.update(quantity_picked=F("quantity"))
            ShipmentLine.objects.filter(shipment__wave=wave).update(quantity_picked=F("quantity"))
            Shipment.objects.filter(wave=wave).update(status=ShipmentStatus.PICKED, updated_at=timezone.now())
            wave.status, wave.completed_at = WaveStatus.DONE, timezone.now()
            wave.save(update_fields=["status", "completed_at"])
    return units


def pick_wave(wave, user) -> int:
    """One picker walks the wave: a scan per unit. Returns the units picked."""
    from logistics import services_fulfilment as fulfilment

    units = 0
    for line in list(wave.lines.all()):
        for _ in range(line.quantity):
            fulfilment.scan_pick(wave=wave, barcode=line.barcode, user=user)
            units += 1
    return units


def pack_shipment(shipment, user) -> tuple[int, float]:
    """One packer: a scan per unit, one parcel, finish (the label task is queued). Returns (units,
    perf_counter when its label was queued)."""
    from logistics import services_fulfilment as fulfilment
    from logistics.fulfilment_models import ParcelType

    units = 0
    for line in shipment.lines.select_related("order_line__variant"):
        for _ in range(line.quantity_picked):
            fulfilment.scan_pack(shipment=shipment, barcode=line.order_line.variant.ean13, user=user)
            units += 1
    fulfilment.pack_parcel(shipment=shipment, parcel_type=ParcelType.MEDIUM, user=user)
    fulfilment.finish_packing(shipment=shipment, user=user)
    return units, time.perf_counter()


def wait_for_labels(*, expected: int, timeout: float) -> tuple[int, int, float]:
    """(ready, failed, perf_counter when the last one was seen ready) — polls every 0.2 s."""
    from logistics.fulfilment_models import LabelStatus, Parcel

    deadline = time.monotonic() + timeout
    ready = failed = 0
    while time.monotonic() < deadline:
        ready = Parcel.objects.filter(label_status=LabelStatus.READY).count()
        failed = Parcel.objects.filter(label_status=LabelStatus.FAILED).count()
        if ready + failed >= expected and not failed or ready >= expected:
            break
        time.sleep(0.2)
    return ready, failed, time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--orders", type=int, default=700)
    parser.add_argument("--variants", type=int, default=60)
    parser.add_argument("--wave-size", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (celery --concurrency)")
    parser.add_argument(
        "--threads", type=int, default=4, help="pickers / packers working side by side (threads)"
    )
    parser.add_argument("--timeout", type=float, default=150.0, help="seconds to wait for the labels")
    parser.add_argument(
        "--scan-picks", action="store_true", help="pick by scanning every unit (else marked picked at once)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    total_started = time.perf_counter()
    from tests.logistics.carrier_fakes import CarrierFakes

    fakes = CarrierFakes(delay=5.0).start()
    media = tempfile.mkdtemp(prefix="bench-labels-")
    env = environment(args.url, args.redis, fakes.url, media)
    create_database(args.url)
    migrate(env)
    os.environ.update(env)
    import django

    django.setup()
    from config.celery_app import app
    from logistics.fulfilment_models import Shipment, ShipmentStatus

    worker = Worker(env=env, processes=args.workers)
    try:
        with app.connection_for_write() as connection:
            connection.default_channel.client.delete("celery")
        started = time.perf_counter()
        warehouse, variants, user = seed(variants=args.variants)
        place_orders(
            count=args.orders,
            warehouse=warehouse,
            variants=variants,
            rng=random.Random(42),
            threads=args.threads,
        )
        seeded = time.perf_counter() - started
        shipments = Shipment.objects.filter(status=ShipmentStatus.TO_PICK).count()
        print(f"seeded the warehouse and {args.orders} paid orders ({shipments} shipments) in {seeded:.1f} s")
        with app.connection_for_write() as connection:  # the order confirmations: not this bench's work
            connection.default_channel.client.delete("celery")
        ping = worker.start(app)
        print(f"worker up ({args.workers} processes) in {ping:.1f} s")

        t0 = time.perf_counter()
        waves = build_waves(warehouse=warehouse, user=user, size=args.wave_size)
        t_waves = time.perf_counter() - t0

        t0 = time.perf_counter()
        if args.scan_picks:
            picked_units = sum(in_parallel(waves, lambda wave: pick_wave(wave, user), threads=args.threads))
        else:
            picked_units = mark_picked(waves)
        t_pick = time.perf_counter() - t0

        to_pack = list(Shipment.objects.filter(status=ShipmentStatus.PICKED).order_by("id"))
        t0 = time.perf_counter()
        packed = in_parallel(to_pack, lambda shipment: pack_shipment(shipment, user), threads=args.threads)
        packed_units, first_label = sum(units for units, _ in packed), min(at for _, at in packed)
        packed_at = time.perf_counter()
        t_pack = packed_at - t0

        ready, failed, last = wait_for_labels(expected=len(to_pack), timeout=args.timeout)
        t_labels = last - first_label
        after_packing = last - packed_at
        from logistics.fulfilment_models import LabelStatus, Parcel

        done_after_packing = (
            ready
            - Parcel.objects.filter(
                label_status=LabelStatus.READY, updated_at__lte=_as_datetime(packed_at)
            ).count()
        )
        print(
            f"\n{len(waves)} waves, {picked_units} units picked, {packed_units} units packed; "
            f"labels: {ready} ready, {failed} failed, of {len(to_pack)}"
        )
        rows = [
            ["waves (build_wave)", f"{t_waves:.1f}", f"{args.orders / t_waves:.1f} orders/s", ""],
            [
                "picking (scan_pick)" if args.scan_picks else "picking (marked at once: not measured)",
                f"{t_pick:.1f}",
                f"{args.orders / t_pick:.1f} orders/s" if args.scan_picks else "-",
                f"{picked_units / t_pick:.0f} units/s" if args.scan_picks else f"{picked_units} units",
            ],
            [
                "packing (scan_pack, pack_parcel, finish_packing)",
                f"{t_pack:.1f}",
                f"{len(to_pack) / t_pack:.1f} orders/s",
                f"{packed_units / t_pack:.0f} units/s",
            ],
            [
                f"labels (worker, {args.workers} processes)",
                f"{t_labels:.1f}",
                f"{ready / t_labels:.1f} label PDFs/s",
                f"after packing: {done_after_packing} in {after_packing:.1f} s"
                f" ({done_after_packing / max(after_packing, 0.001):.1f}/s)",
            ],
        ]
        print_table(["phase", "seconds", "rate", ""], rows)
        print(f"\ntotal (seeding and worker start included): {time.perf_counter() - total_started:.1f} s")
        if ready < len(to_pack):
            sys.exit(f"only {ready} of {len(to_pack)} labels within {args.timeout:.0f} s")
    finally:
        worker.stop()
        fakes.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.url)


def _as_datetime(perf: float):
    """The wall-clock time of a ``perf_counter`` reading (for comparing with stored timestamps)."""
    import datetime as dt

    return dt.datetime.now(dt.UTC) - dt.timedelta(seconds=time.perf_counter() - perf)


if __name__ == "__main__":
    main()
