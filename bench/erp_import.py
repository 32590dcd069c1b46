"""Benchmark: ERP file imports on PostgreSQL (``manage.py erp_import``'s service, in this process).

    .venv/bin/python bench/erp_import.py [--products 5000] [--variants 4] [--stock-rows 2000] [--keep]

1. creates its own database (``BENCH_DATABASE_URL`` / ``--url``, default
   ``postgres://postgres@127.0.0.1:5432/omni_bench_erp_import``) and migrates it;
2. writes a French-style products file (cp1252, ``;``, decimal comma, CRLF): ``--products`` products
   of ``--variants`` variants each (size and colour), one row per variant;
3. imports it (everything created), then again (nothing changes), then a stock file of
   ``--stock-rows`` counts (each a ledger movement through ``inventory.services.adjust_stock``);
4. exports the products (Sage 100 profile) and the stock back to CSV;
5. prints time and rows/s for each. Target (issue 13): 5,000 x 4 products under 10 s.

The database is dropped unless ``--keep``.
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

from bench._common import create_database, drop_database, migrate, print_table  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_bench_erp_import"
SIZES = ["S", "M", "L", "XL", "XXL", "3XL"]
COLOURS = ["Bleu", "Rouge", "Vert", "Noir"]


def ean(n: int) -> str:
    first12 = f"300{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def write_products(path: Path, products: int, variants: int) -> int:
    rows = 0
    with path.open("w", encoding="cp1252", newline="") as out:
        out.write(
            "sku;ean;product_ref;name_fr;name_en;category;size;color;price_ttc;vat_rate;weight_g;active\r\n"
        )
        for p in range(products):
            for v in range(variants):
                n = p * variants + v
                price = f"{19 + p % 40},{(v * 10) % 100:02d}"
                out.write(
                    f"ART{p:05d}-{v};{ean(n)};ART{p:05d};Tee-shirt corsé n°{p};Corsican tee {p};bench;"
                    f"{SIZES[v % len(SIZES)]};{COLOURS[p % len(COLOURS)]};{price};20;{180 + v * 10};oui\r\n"
                )
                rows += 1
    return rows


def write_stock(path: Path, rows: int, variants: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("sku;location;quantity\n")
        for i in range(rows):
            out.write(f"ART{i // variants:05d}-{i % variants};WEB;{(i * 7) % 50}\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--variants", type=int, default=4)
    parser.add_argument("--stock-rows", type=int, default=2000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    create_database(args.url)
    tmp = Path(tempfile.mkdtemp(prefix="erp-bench-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": args.url,
           "MEDIA_ROOT": str(tmp / "media")}  # fmt: skip
    try:
        migrate(env)
        os.environ.update(env)
        import django

        django.setup()
        from decimal import Decimal

        from catalog.models import Category, VatRate
        from integrations.imports.services import create_run, run_import
        from inventory.models import Location, LocationKind

        VatRate.objects.get_or_create(code="standard", defaults={"name": "Normal", "rate": Decimal("0.2000")})
        Category.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
        Location.objects.get_or_create(
            code="WEB", defaults={"name": "Entrepôt", "kind": LocationKind.WAREHOUSE}
        )

        products = tmp / "articles.csv"
        rows = write_products(products, args.products, args.variants)
        stock = tmp / "stock.csv"
        write_stock(stock, args.stock_rows, args.variants)
        table = []
        for label, kind, path in (
            (f"products, first import ({args.products} x {args.variants})", "products", products),
            ("products, same file again", "products", products),
            (f"stock counts ({args.stock_rows} rows)", "stock", stock),
        ):
            start = time.perf_counter()
            run = run_import(run=create_run(kind=kind, path=path))
            seconds = time.perf_counter() - start
            table.append(
                [
                    label,
                    f"{run.rows_read}",
                    f"{seconds:.2f} s",
                    f"{run.rows_read / seconds:,.0f}",
                    run.summary,
                ]
            )
        # And back out: the catalogue and the counted stock as the ERP reads them (export side).
        from integrations.exports.catalogue import export_file

        for kind, profile in (("products", "sage100"), ("stock", "generic")):
            start = time.perf_counter()
            _, count = export_file(kind=kind, profile=profile, path=tmp / f"out-{kind}.csv")
            seconds = time.perf_counter() - start
            table.append([f"export {kind} ({profile}, csv)", f"{count}", f"{seconds:.2f} s",
                          f"{count / seconds:,.0f}", "written"])  # fmt: skip
        print_table(["import", "rows", "time", "rows/s", "result"], table)
        print(f"products file: {rows} rows, {products.stat().st_size / 1e6:.1f} MB; target: under 10 s")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(args.url)


if __name__ == "__main__":
    main()
