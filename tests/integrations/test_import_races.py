"""PostgreSQL: an import racing a till sale, and an import that dies half-way then runs again."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from catalog.models import Variant
from integrations.imports import services
from integrations.imports.kinds.products import ProductsHandler
from integrations.imports.models import ImportRun, ImportStatus
from inventory import services as stock
from inventory.selectors import check_ledger
from tests.concurrency import run_in_threads
from tests.factories import CategoryFactory, LocationFactory, VariantFactory, VatRateFactory

from .helpers import ean, erp_import, last_line, write

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_counts_of_one_sku_racing_a_till_sale_keep_the_ledger_balanced(tmp_path):
    store = LocationFactory(code="AJA")
    variant = VariantFactory(sku="RACE-1")
    stock.receive_stock(variant=variant, location=store, quantity=50)
    path = write(
        tmp_path / "stock.csv",
        "sku;location;quantity\n" + "".join(f"RACE-1;AJA;{30 + i}\n" for i in range(20)),
    )

    def work(i: int) -> object:
        if i == 0:
            return erp_import("stock", path)
        return [stock.sell_stock(variant=variant, location=store, quantity=1) for _ in range(5)]

    results = run_in_threads(2, work)
    assert not any(isinstance(r, Exception) for r in results), results
    assert last_line(results[0][1]) == "created=0 updated=20 unchanged=0 rejected=0"
    level = variant.stock_levels.get(location=store)
    assert 49 - 5 <= level.on_hand <= 49
    assert check_ledger().mismatches == []


def test_a_crash_half_way_then_a_rerun_ends_right(tmp_path, monkeypatch):
    VatRateFactory()
    CategoryFactory(slug="shirts")
    rows = "".join(
        f"P{i};{ean(100 + i)};REF{i // 2};Produit {i // 2};shirts;{10 + i},00\n" for i in range(30)
    )
    path = write(tmp_path / "p.csv", "sku;ean;product_ref;name_fr;category;price_ttc\n" + rows)
    monkeypatch.setattr(ProductsHandler, "chunk_size", 10)
    real_apply = ProductsHandler.apply
    calls = []

    def dying_apply(self, chunk):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit(137)  # the worker is killed in the middle of the second chunk
        return real_apply(self, chunk)

    monkeypatch.setattr(ProductsHandler, "apply", dying_apply)
    with pytest.raises(SystemExit):
        services.run_import(run=services.create_run(kind="products", path=path))
    assert Variant.objects.count() == 10
    monkeypatch.setattr(ProductsHandler, "apply", real_apply)
    code, out = erp_import("products", path)
    assert (code, last_line(out)) == (0, "created=20 updated=0 unchanged=10 rejected=0")
    assert Variant.objects.count() == 30
    assert sorted(set(Variant.objects.values_list("product__slug", flat=True)))[:2] == ["ref0", "ref1"]


def test_a_killed_import_process_then_a_rerun_ends_right(tmp_path):
    """The real crash: ``manage.py erp_import`` in its own process, SIGKILLed once its first chunk
    has committed. What it committed stays whole (a chunk is one transaction), the run is left
    "running" in the admin, and the same file run again completes it: nothing doubled, nothing lost."""
    from bench._common import ROOT, child_env, database_url

    VatRateFactory()
    CategoryFactory(slug="shirts")
    total = 8000
    rows = "".join(
        f"K{i};{ean(5000 + i)};KREF{i // 4};Produit {i // 4};shirts;{10 + i % 50},00\n" for i in range(total)
    )
    path = write(tmp_path / "big.csv", "sku;ean;product_ref;name_fr;category;price_ttc\n" + rows)
    env = child_env(
        DATABASE_URL=database_url(settings.DATABASES["default"]),
        ERP_REPORT_DIR=str(tmp_path / "reports"),
        DJANGO_ALLOW_ASYNC_UNSAFE=None,
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "erp_import", "products", str(path)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not ImportRun.objects.filter(lines_done__gt=0).exists():
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import never committed a chunk"
            time.sleep(0.01)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    killed = ImportRun.objects.get()
    assert killed.status == ImportStatus.RUNNING and killed.finished_at is None
    done = Variant.objects.count()
    assert 0 < done < total and done % ProductsHandler.chunk_size == 0, done  # whole chunks only

    code, out = erp_import("products", path)
    assert (code, last_line(out)) == (0, f"created={total - done} updated=0 unchanged={done} rejected=0")
    assert Variant.objects.count() == total
    assert Variant.objects.filter(product__slug="kref0").count() == 4
    assert ImportRun.objects.filter(status=ImportStatus.DONE).count() == 1
