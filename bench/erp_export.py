"""ERP exports on PostgreSQL: the nightly order flow and the catalogue, stock and customer files.

    .venv/bin/python bench/erp_export.py                 # omni_bench_erp_export, created and migrated
    .venv/bin/python bench/erp_export.py --orders 20000 --lines 3 --batch-size 500 --url postgres://...

What it does and measures (part "export"):

1. seeds ``--variants`` variants with stock at two locations, ``--customers`` customers, and
   ``--orders`` till sales of ``--lines`` lines each, in bulk (rows written directly: this measures the
   export, not the till), not timed beyond a line of context; then ``ANALYZE`` (what autovacuum
   gives a live database: without statistics the first batches plan badly, 3x slower);
2. **the order flow**: ``integrations.exports.services.export_orders()`` (every batch built, stored
   and written to a temporary outbox folder), cold: batches, documents, CSV rows, rows/s, orders/s;
3. **the re-send**: the same call again, nothing acknowledged: every batch written again (same bytes);
4. **the empty night**: the call once everything is acknowledged: nothing to do, in milliseconds;
5. **files**: products, stock and customers (``catalogue.export_file``) in the generic and sage100
   profiles, CSV and XML: rows/s.

The database is dropped unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import create_database, drop_database, migrate, print_table  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_bench_erp_export"


def seed(*, variants: int, customers: int, orders: int, lines: int) -> None:
    from django.utils import timezone

    from accounts.models import CustomerProfile, User
    from inventory import services as inventory
    from inventory.models import LocationKind
    from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus, OrderStatusChange
    from tests.factories import LocationFactory, ProductFactory, VariantFactory

    warehouse = LocationFactory(code="WEB", name="Entrepôt", kind=LocationKind.WAREHOUSE)
    store = LocationFactory(code="AJA", name="Boutique Ajaccio")
    stocked = []
    for i in range(variants):
        variant = VariantFactory(
            sku=f"BENCH-{i:05d}",
            product=ProductFactory(name=f"Produit n°{i}", base_price_ht=Decimal("10.0000")),
        )
        for location in (warehouse, store):
            inventory.receive_stock(variant=variant, location=location, quantity=1000, reference="PO-BENCH")
        stocked.append(variant)
    print(f"  {variants} variants stocked", flush=True)
    users = User.objects.bulk_create(
        User(email=f"client{n:05d}@example.com", first_name=f"Client{n}", last_name="Bench", password="!")
        for n in range(customers)
    )
    CustomerProfile.objects.bulk_create(
        CustomerProfile(user=u, erp_code=f"CL{n:05d}") for n, u in enumerate(users)
    )
    now = timezone.now()
    for start in range(0, orders, 2000):
        chunk = range(start, min(orders, start + 2000))
        made = Order.objects.bulk_create(
            Order(
                number=f"S-BENCH-{n:06d}",
                channel=Channel.STORE,
                status=OrderStatus.COMPLETED,
                delivery_method=DeliveryMethod.IN_STORE,
                location=store,
                customer=users[n % len(users)],
                email=users[n % len(users)].email,
                total_net=Decimal("10.00") * lines,
                total_vat=Decimal("2.00") * lines,
                total_gross=Decimal("12.00") * lines,
                total_gross_eur=Decimal("12.00") * lines,
            )
            for n in chunk
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                variant=stocked[(n + k) % len(stocked)],
                sku=stocked[(n + k) % len(stocked)].sku,
                name=f"Produit n°{(n + k) % len(stocked)}",
                quantity=1,
                unit_price_net=Decimal("10.0000"),
                vat_rate=Decimal("0.2000"),
                total_net=Decimal("10.00"),
                total_vat=Decimal("2.00"),
                total_gross=Decimal("12.00"),
            )
            for n, order in zip(chunk, made, strict=True)
            for k in range(lines)
        )
        OrderStatusChange.objects.bulk_create(
            OrderStatusChange(order=order, from_status="", to_status=OrderStatus.COMPLETED, created_at=now)
            for order in made
        )
        print(f"  {chunk.stop} orders", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--lines", type=int, default=3)
    parser.add_argument("--variants", type=int, default=200)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    outbox = tempfile.mkdtemp(prefix="bench-erp-outbox-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.url,
        "ERP_OUTBOX_DIR": outbox,
        "ERP_INBOX_DIR": tempfile.mkdtemp(prefix="bench-erp-inbox-"),
        "ERP_EXPORT_BATCH_SIZE": str(args.batch_size),
        # The seeded sales are seconds old: let the builder's settled mark follow them (in a night's
        # run the day's sales are older than the default hour), else every batch rescans them all.
        "ERP_EXPORT_SETTLE_SECONDS": "0",
    }
    create_database(args.url)
    migrate(env)
    os.environ.update(env)
    import django

    django.setup()
    from integrations.exports import catalogue, services
    from integrations.exports.models import OrderBatch

    try:
        started = time.perf_counter()
        seed(variants=args.variants, customers=args.customers, orders=args.orders, lines=args.lines)
        # A live database has planner statistics (autovacuum); tables bulk-filled a second ago have
        # none, and the "not yet exported" anti-join then runs 3x slower. Measure the live case.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"seeded {args.orders} till sales x {args.lines} lines, {args.variants} variants, "
            f"{args.customers} customers in {time.perf_counter() - started:.1f} s"
        )
        # rows of a till sale without tenders: ORDER + its lines
        rows = args.orders * (1 + args.lines)

        started, cpu = time.perf_counter(), time.process_time()
        result = services.export_orders()
        cold, cold_cpu = time.perf_counter() - started, time.process_time() - cpu
        size = sum(len(bytes(b.content)) for b in OrderBatch.objects.only("content"))

        started = time.perf_counter()
        again = services.export_orders()
        resend = time.perf_counter() - started

        for batch_id in again.resent:
            services.acknowledge_batch(batch_id=batch_id, via="bench")
        started = time.perf_counter()
        services.export_orders()
        empty = time.perf_counter() - started

        table = [
            ["orders: build + write", len(result.built), rows, f"{cold:.2f}", f"{rows / cold:,.0f}",
             f"{args.orders / cold:,.0f} orders/s, {size / 1e6:.1f} MB, "
             f"{rows / cold_cpu:,.0f} rows/CPU-s"],
            ["orders: re-send (same bytes)", len(again.resent), rows, f"{resend:.2f}",
             f"{rows / resend:,.0f}", ""],
            ["orders: empty night", 0, 0, f"{empty * 1000:.0f} ms", "", ""],
        ]  # fmt: skip
        out = Path(outbox) / "files"
        for kind in ("products", "stock", "customers"):
            for profile, fmt in (("generic", "csv"), ("sage100", "csv"), ("generic", "xml")):
                started = time.perf_counter()
                _, count = catalogue.export_file(
                    kind=kind, profile=profile, file_format=fmt, path=out / f"{kind}-{profile}.{fmt}"
                )
                took = time.perf_counter() - started
                table.append(
                    [f"{kind} ({profile}, {fmt})", 1, count, f"{took:.2f}", f"{count / took:,.0f}", ""]
                )
        print_table(["export", "files", "rows", "seconds", "rows/s", "note"], table)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.url)


if __name__ == "__main__":
    main()
