"""``manage.py erp_export``: products, stock and customers files in each profile; the order flow."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Address, CustomerGroup, CustomerProfile
from integrations.exports.models import OrderBatch
from tests.factories import UserFactory, staff

from .conftest import till_sale
from .support import csv_rows

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("erp_export", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_products_in_the_generic_and_sage100_profiles(shop, tmp_path):
    generic = tmp_path / "products.csv"
    assert run("products", "--out", str(generic)) == f"rows=2 file={generic}"
    rows = csv_rows(generic.read_bytes())
    tee = next(r for r in rows if r["sku"] == "TEE")
    assert (
        tee["ean"],
        tee["name"],
        tee["price_ht"],
        tee["price_ttc"],
        tee["vat_rate"],
        tee["weight_g"],
        tee["active"],
    ) == (
        shop.tee.ean13,
        "Tee-shirt",
        "10.4150",
        "12.50",
        "0.2000",
        "200",
        "1",
    )

    sage = tmp_path / "articles.csv"
    run("products", "--profile", "sage100", "--out", str(sage))
    rows = csv_rows(sage.read_bytes())
    assert list(rows[0])[:4] == ["AR_Ref", "AR_Design", "AR_CodeBarre", "FA_CodeFamille"]
    tee = next(r for r in rows if r["AR_Ref"] == "TEE")
    assert (tee["AR_PrixVen"], tee["AR_PrixTTC"], tee["AR_PoidsNet"]) == ("10,4150", "12,50", "200")


def test_stock_as_xml_and_csv_in_the_outbox_by_default(shop, erp_dirs):
    line = run("stock", "--format", "xml")
    path = erp_dirs.outbox / line.split("file=")[1].split("/")[-1]
    xml = path.read_text(encoding="utf-8")
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<stock>\n')
    assert "<level><sku>TEE</sku><location>AJA</location><on_hand>52</on_hand><reserved>0</reserved>" in xml

    cegid = erp_dirs.outbox / "stock_cegid.csv"
    run("stock", "--profile", "cegid", "--out", str(cegid))
    rows = csv_rows(cegid.read_bytes())
    assert {
        "GQ_ARTICLE": "MUG",
        "GQ_DEPOT": "WEB",
        "GQ_PHYSIQUE": "2",
        "GQ_RESERVECLI": "0",
        "GQ_DISPONIBLE": "2",
    } in rows


def test_customers_with_their_erp_code_group_and_billing_address(db, tmp_path):
    pro = CustomerGroup.objects.create(code="pro", name="Professionals")
    paul = UserFactory(
        email="achats@corsica.example", first_name="Paul", last_name="Santoni", phone="0495000000"
    )
    CustomerProfile.objects.create(
        user=paul,
        company_name="Corsica; Textiles",
        vat_number="FR40303265045",
        siren="303265045",
        erp_code="CL0042",
        group=pro,
    )
    Address.objects.create(
        user=paul,
        first_name="Paul",
        last_name="Santoni",
        line1="1 rue du Port",
        postal_code="20000",
        city="Ajaccio",
        is_default_billing=True,
    )
    ana = UserFactory(email="ana@example.com", first_name="Ana")
    staff(email="staff@example.com")  # staff are not customers

    out = tmp_path / "c.csv"
    assert run("customers", "--out", str(out)) == f"rows=2 file={out}"
    rows = csv_rows(out.read_bytes())
    assert [(r["customer_code"], r["email"], r["company"], r["customer_group"], r["city"]) for r in rows] == [
        ("CL0042", "achats@corsica.example", "Corsica; Textiles", "pro", "Ajaccio"),
        (f"C{ana.pk}", "ana@example.com", "", "", ""),
    ]
    assert '"Corsica; Textiles"' in out.read_text(encoding="utf-8-sig")  # quoted: it holds the separator


def test_orders_runs_the_batch_flow(shop, erp_dirs):
    till_sale(shop, [("TEE", 1)], [("card", "12.50")])
    line = run("orders", "--profile", "sage100")
    batch = OrderBatch.objects.get()
    assert line == f"acknowledged=0 resent=0 built=1 batches={batch.pk}"
    assert batch.profile == "sage100"
    assert (erp_dirs.outbox / batch.file_name).read_bytes() == bytes(batch.content)
    assert run("orders") == "acknowledged=0 resent=1 built=0 batches=-"


def test_an_unknown_profile_is_refused_and_writes_nothing(db, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(CommandError, match="unknown_profile"):
        call_command("erp_export", "products", "--profile", "nope", "--out", str(out / "x.csv"))
    assert not out.exists()
    with pytest.raises(CommandError):
        call_command("erp_export", "invoices")


def test_a_profile_file_added_by_a_user_is_used(shop, tmp_path, settings):
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "mini.json").write_text(
        '{"separator": ",", "decimal": ".", "kinds": {"stock": {"sku": "Code", "available": "Qty"}}}',
        encoding="utf-8",
    )
    settings.ERP_EXPORT_PROFILES_DIRS = [str(folder)]
    out = tmp_path / "s.csv"
    run("stock", "--profile", "mini", "--out", str(out))
    assert {"Code": "TEE", "Qty": "52"} in csv_rows(out.read_bytes(), separator=",")
