from decimal import Decimal
from pathlib import Path

import pytest

from catalog.models import Product, Variant
from integrations.imports.models import ImportRejection, ImportRun
from tests.factories import CategoryFactory, VatRateFactory

from .helpers import ean, erp_import, last_line, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog_setup():
    VatRateFactory()
    VatRateFactory(code="reduced", name="Reduced", rate=Decimal("0.0550"))
    return CategoryFactory(slug="shirts"), CategoryFactory(slug="honey")


HEADER = (
    "sku;ean;product_ref;name_fr;name_en;name_it;category;size;color;price_ttc;vat_rate;weight_g;"
    "cost_price_ht;active\n"
)


def test_products_created_then_reimport_changes_nothing(tmp_path, catalog_setup):
    path = write(
        tmp_path / "articles.csv",
        HEADER
        + f"TS-S;{ean(1)};TS;T-shirt bleu;Blue T-shirt;Maglietta;shirts;S;Bleu;24,00;20;180;6,5;oui\n"
        + f"TS-M;{ean(2)};TS;T-shirt bleu;Blue T-shirt;Maglietta;shirts;M;Bleu;26,40;20;190;6,5;oui\n"
        + f"MIEL;{ean(3)};MIEL;Miel du maquis;Maquis honey;;honey;;;1 055,00;5,5;250;;non\n",
        encoding="cp1252",
        crlf=True,
    )
    code, out = erp_import("products", path)
    assert (code, last_line(out)) == (0, "created=3 updated=0 unchanged=0 rejected=0")
    shirt = Product.objects.get(slug="ts")
    assert (shirt.name_fr, shirt.name_en, shirt.name_it) == ("T-shirt bleu", "Blue T-shirt", "Maglietta")
    assert shirt.base_price_ht == Decimal("20.0000")
    small, medium = Variant.objects.filter(product=shirt).order_by("sku")[1], Variant.objects.get(sku="TS-M")
    assert small.sku == "TS-S" and small.price_ht_override is None and small.price_ttc == Decimal("24.00")
    assert medium.price_ht_override == Decimal("22.0000") and medium.price_ttc == Decimal("26.40")
    assert sorted(v.code for v in medium.option_values.all()) == ["bleu", "m"]
    assert (small.cost_price_ht, medium.cost_price_ht) == (Decimal("6.5000"), Decimal("6.5000"))
    honey = Variant.objects.get(sku="MIEL")
    assert honey.cost_price_ht is None  # no cost in the file: none kept
    assert honey.product.base_price_ht == Decimal("1000.0000") and honey.is_active is False
    assert honey.product.vat_rate.code == "reduced"

    code, out = erp_import("products", path)
    assert (code, last_line(out)) == (0, "created=0 updated=0 unchanged=3 rejected=0")
    first, second = ImportRun.objects.order_by("pk")
    assert first.file_sha256 == second.file_sha256 and len(first.file_sha256) == 64
    assert f"the same file was imported by run #{first.pk}" in second.report


def test_broken_rows_exactly_those_rejected(tmp_path, catalog_setup):
    path = write(
        tmp_path / "articles.csv",
        HEADER
        + f"A1;{ean(1)};A;Article;;;shirts;;;10;20;;;1\n"  # line 2 ok
        + f";{ean(2)};A;Article;;;shirts;;;10;20;;;1\n"  # 3 missing SKU
        + "A3;3000000000001;A;Article;;;shirts;;;10;20;;;1\n"  # 4 bad EAN
        + f"A4;{ean(4)};A;Article;;;shirts;;;-10;20;;;1\n"  # 5 negative price
        + f"A5;{ean(5)};A;Article;;;shirts\n"  # 6 wrong column count
        + f"A6;{ean(6)};B;Article;;;nowhere;;;10;20;;;1\n"  # 7 unknown category
        + f"A1;{ean(7)};A;Article;;;shirts;;;10;20;;;1\n"  # 8 SKU twice
        + f'A8;{ean(8)};A;"Article ""quoted""; with ;\nline break";;;shirts;;;10;20;;;1\n'  # 9-10 ok
        + f'A9;{ean(9)};A;"never closed;;;shirts;;;10;20;;;1\n'  # 11 quote never closed
        + f"A10;{ean(10)};A;Article;;;shirts;;;10;20;;;1\n",  # 12 ok
    )
    code, out = erp_import("products", path)
    assert (code, last_line(out)) == (3, "created=3 updated=0 unchanged=0 rejected=7")
    rejected = list(ImportRejection.objects.values_list("line", "column"))
    assert rejected == [
        (3, "sku"),
        (4, "ean"),
        (5, "price_ttc"),
        (6, ""),
        (7, "category"),
        (8, "sku"),
        (11, ""),
    ]
    assert Variant.objects.get(sku="A8").product.name_fr == "Article"
    assert sorted(Variant.objects.values_list("sku", flat=True)) == ["A1", "A10", "A8"]
    run = ImportRun.objects.get()
    rejects_file = Path(run.rejects_path).read_text(encoding="utf-8").splitlines()
    assert rejects_file[0] == "line;column;value;reason" and len(rejects_file) == 8
    assert rejects_file[1].startswith("3;sku;;")


def test_unreadable_file_applies_nothing(tmp_path, catalog_setup):
    path = write(tmp_path / "x.csv", "reference;designation\nA;B\n")
    code, out = erp_import("products", path)
    assert (code, last_line(out)) == (2, "created=0 updated=0 unchanged=0 rejected=0")
    assert "column sku missing" in out
    code, _ = erp_import("products", write(tmp_path / "bad.xml", "<products><product><sku>A"))
    assert code == 2
    assert Product.objects.count() == 0


def test_xml_and_sage_profile_detected(tmp_path, catalog_setup):
    xml = write(
        tmp_path / "articles.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n<products>\n'
        f"  <product><sku>X1</sku><ean>{ean(11)}</ean><name_fr>Écharpe</name_fr><category>shirts</category>"
        "<price_ttc>12.00</price_ttc></product>\n"
        f"  <product><sku>X2</sku><ean>{ean(12)}</ean><name_fr>Écharpe</name_fr><category>shirts</category>"
        "<price_ttc>1.234,80</price_ttc></product>\n</products>\n",
    )
    code, out = erp_import("products", xml)
    assert (code, last_line(out)) == (0, "created=2 updated=0 unchanged=0 rejected=0")
    assert Variant.objects.get(sku="X2").price_ttc == Decimal("1234.80")
    sage = write(
        tmp_path / "F_ARTICLE.txt",
        "\ufeffAR_Ref\tAR_Design\tAR_CodeBarre\tFA_CodeFamille\tAR_PrixVen\tAR_PoidsNet\tAR_Sommeil \n"
        f"X1\tÉcharpe rouge\t{ean(11)}\tshirts\t12,00\t0,250\t0\n",
    )
    code, out = erp_import("products", sage)
    assert (code, last_line(out)) == (0, "created=0 updated=1 unchanged=0 rejected=0")
    assert "profile: sage100" in out
    x1 = Variant.objects.select_related("product").get(sku="X1")
    assert (x1.product.name_fr, x1.weight_grams) == ("Écharpe rouge", 250)


def test_dry_run_changes_nothing(tmp_path, catalog_setup):
    path = write(tmp_path / "a.csv", f"SKU,EAN,Name_FR,Category,Price_TTC\nD1,{ean(20)},Dry,shirts,5.00\n")
    code, out = erp_import("products", path, "--dry-run")
    assert (code, last_line(out)) == (0, "created=1 updated=0 unchanged=0 rejected=0")
    assert not Variant.objects.exists() and not Product.objects.exists()
