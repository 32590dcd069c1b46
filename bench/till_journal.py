"""The till journal on PostgreSQL: the cost of a chained append, and how fast the chains verify.

    .venv/bin/python bench/till_journal.py                    # omni_bench_till, created and migrated
    .venv/bin/python bench/till_journal.py --sales 1000 --events 20000

1. drops, creates and migrates the database of ``--url``; 4 stores with a register, a cashier and an
   open session each, one stocked variant;
2. ``--sales`` store sales through ``record_sale`` (the journal entry included), round robin over the
   registers: sales/s, and the same number of sales with the journal entry's share measured apart;
3. ``--events`` technical events (``record_technical_event``, one transaction each): appends/s;
4. ``verify_till_journal`` over everything: entries/s; then the archive of the day: export and
   verification times and the zip's size.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import child_env, create_database, migrate, print_table  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_bench_till"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--sales", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20000)
    args = parser.parse_args()

    create_database(args.url)
    migrate(child_env(DATABASE_URL=args.url))
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

    import uuid
    from decimal import Decimal

    from django.utils import timezone

    from inventory import services as inventory
    from inventory.models import LocationKind
    from pos.models import JournalEntry, Register
    from pos.services import journal, till_archive
    from pos.services.sales import SaleLineInput, TenderInput, record_sale
    from pos.services.sessions import open_register_session
    from tests.factories import LocationFactory, ProductFactory, VariantFactory, cashier

    variant = VariantFactory(
        sku="BENCH-TILL", product=ProductFactory(name="Bench", base_price_ht=Decimal("10"))
    )
    tills = []
    for code in ["TJA", "TJB", "TJC", "TJD"]:
        store = LocationFactory(code=code, name=f"Till bench {code}", kind=LocationKind.STORE)
        inventory.receive_stock(variant=variant, location=store, quantity=args.sales, reference="PO-1")
        register = Register.objects.create(store=store, code=f"{code.lower()}-1", name=code)
        user = cashier(store, email=f"cashier@{code.lower()}.example")
        session = open_register_session(register=register, user=user, opening_float=Decimal("0"))
        tills.append((register, session, user))

    rows = []
    started = time.perf_counter()
    for i in range(args.sales):
        register, session, user = tills[i % len(tills)]
        record_sale(
            session=session,
            user=user,
            client_uuid=uuid.uuid4(),
            lines=[SaleLineInput(sku="BENCH-TILL", quantity=1 + i % 3)],
            tenders=[TenderInput(kind="cash", amount=Decimal("12.00") * (1 + i % 3))],
        )
    seconds = time.perf_counter() - started
    rows.append(
        ["sales (record_sale, entry included)", args.sales, f"{seconds:.2f}", f"{args.sales / seconds:.0f}/s"]
    )

    started = time.perf_counter()
    for i in range(args.events):
        register, session, user = tills[i % len(tills)]
        journal.record_technical_event(register=register, kind="drawer_open", user=user, detail={"n": i})
    seconds = time.perf_counter() - started
    rows.append(
        [
            "technical events (1 transaction each)",
            args.events,
            f"{seconds:.2f}",
            f"{args.events / seconds:.0f}/s",
        ]
    )

    total = JournalEntry.objects.count()
    started = time.perf_counter()
    result = journal.verify_chains()
    seconds = time.perf_counter() - started
    assert result.ok, result.broken
    rows.append(
        [
            "verify_till_journal (all chains)",
            result.entries,
            f"{seconds:.2f}",
            f"{result.entries / seconds:.0f}/s",
        ]
    )

    today = timezone.localdate()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "till.zip"
        started = time.perf_counter()
        summary = till_archive.export_till_archive(date_from=today, date_to=today, out=path)
        seconds = time.perf_counter() - started
        rows.append(
            [
                "export_till_archive (the day)",
                summary.entries,
                f"{seconds:.2f}",
                f"{path.stat().st_size / 1e6:.1f} MB",
            ]
        )
        started = time.perf_counter()
        check = till_archive.verify_till_archive(path=path)
        seconds = time.perf_counter() - started
        assert check.ok, check.problems
        rows.append(
            ["verify_till_archive", check.entries, f"{seconds:.2f}", f"{check.entries / seconds:.0f}/s"]
        )
    print_table(["step", "entries", "seconds", "rate"], rows)
    print(f"{total} journal entries in the database")


if __name__ == "__main__":
    main()
