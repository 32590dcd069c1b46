"""ERP invoices: the CSV file read the French way, each invoice issued here once, bad rows reported
with their line numbers and their invoice left out whole."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import CustomerProfile
from core.models import OutboxMessage
from invoicing.errors import InvalidErpFile
from invoicing.models import DocumentOrigin, Invoice, InvoiceLine, LineChannel
from invoicing.services.erp_import import import_erp_invoices, parse_decimal
from tests.accounts.portal_support import address, shopper
from tests.invoicing.portal_support import erp_file, issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(db):
    user = shopper(email="compta@acme.example", first_name="Paul", last_name="Santoni")
    CustomerProfile.objects.filter(user=user).update(
        erp_code="C0042", company_name="Acmé Corse SARL", vat_number="FR44732829320", siren="732829320"
    )
    address(user, first_name="Paul", last_name="Santoni", line1="12 cours Napoléon", city="Ajaccio",
            is_default_billing=True)  # fmt: skip
    return user


@pytest.fixture
def ana(db):
    return shopper(email="ana@example.com", first_name="Ana", last_name="Rossi")


ROWS = [
    "ERP-7001;02/03/2026;C0042;Huile d'olive AOP 75 cl;12;9,90;5,5",
    "ERP-7001;02/03/2026;C0042;Coffret découverte « Été »;1;1 234,50;20",
    "ERP-7002;2026-03-02;ana@example.com;Miel du maquis;3;7,333;5,5",
]


def run(rows=ROWS, **kwargs):
    return import_erp_invoices(data=erp_file(rows, **kwargs), filename="export.csv")


def lines_of(number):
    return list(
        InvoiceLine.objects.filter(invoice__number=number)
        .order_by("position")
        .values_list(
            "label", "quantity", "unit_price_net", "vat_rate", "total_net", "total_vat", "total_gross"
        )
    )


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_a_french_export_is_issued_one_document_per_erp_invoice(acme, ana, encoding):
    report = run(encoding=encoding)

    assert report.ok
    assert report.rows == 3
    assert report.imported == ["ERP-7001", "ERP-7002"]
    first = Invoice.objects.get(number="ERP-7001")
    assert (first.origin, first.erp_number, first.customer, first.issued_on, first.business_date) == (
        DocumentOrigin.ERP, "ERP-7001", acme, dt.date(2026, 3, 2), dt.date(2026, 3, 2),
    )  # fmt: skip
    # The person, and the company printed above it (issuing.account_customer, as the daily run does).
    assert (first.customer_name, first.customer_company, first.customer_siren, first.is_business) == (
        "Paul Santoni", "Acmé Corse SARL", "732829320", True,
    )  # fmt: skip
    assert first.billing_address["line1"] == "12 cours Napoléon"
    assert lines_of("ERP-7001") == [
        ("Huile d'olive AOP 75 cl", Decimal("12.000"), Decimal("9.9000"), Decimal("0.0550"),
         Decimal("118.80"), Decimal("6.53"), Decimal("125.33")),
        ("Coffret découverte « Été »", Decimal("1.000"), Decimal("1234.5000"), Decimal("0.2000"),
         Decimal("1234.50"), Decimal("246.90"), Decimal("1481.40")),
    ]  # fmt: skip
    assert (first.total_net, first.total_vat, first.total_gross) == (
        Decimal("1353.30"), Decimal("253.43"), Decimal("1606.73"),
    )  # fmt: skip
    assert set(first.lines.values_list("channel", flat=True)) == {LineChannel.ERP}
    # 3 x 7.333 = 21.999 -> 22.00 HT, VAT 5.5 % on the rounded net: 1.21
    assert lines_of("ERP-7002")[0][4:] == (Decimal("22.00"), Decimal("1.21"), Decimal("23.21"))
    assert Invoice.objects.get(number="ERP-7002").customer == ana
    # each PDF is the outbox task's work, queued with its document
    queued = OutboxMessage.objects.filter(task_name="invoicing.tasks.render_document_pdf")
    assert sorted(m.kwargs["document_id"] for m in queued) == sorted(report.document_ids)


def test_english_headers_in_another_order_and_plain_utf8(acme):
    header = "Invoice Number;Customer;Date;Label;Quantity;Unit price;VAT rate"
    report = run(["A-1;C0042;2026-03-02;Thing;1;10.00;20"], header=header, encoding="utf-8")
    assert report.imported == ["A-1"]
    assert lines_of("A-1")[0][4:] == (Decimal("10.00"), Decimal("2.00"), Decimal("12.00"))


def test_reimporting_the_same_file_issues_nothing_new(acme, ana):
    run()
    before = list(Invoice.objects.order_by("id").values_list("id", "number", "total_gross"))

    again = run(encoding="cp1252")

    assert again.ok
    assert again.imported == []
    assert again.already_imported == ["ERP-7001", "ERP-7002"]
    assert list(Invoice.objects.order_by("id").values_list("id", "number", "total_gross")) == before


def test_the_same_number_with_other_content_is_refused_and_the_first_stays(acme, ana):
    run()
    changed = [ROWS[0].replace(";12;", ";13;"), ROWS[1]]

    report = run(changed)

    assert not report.ok
    assert [(r.number, r.lines) for r in report.refused] == [("ERP-7001", [2, 3])]
    assert "already imported with different content" in report.refused[0].reasons[0]
    assert lines_of("ERP-7001")[0][1] == Decimal("12.000")


def test_a_bad_row_refuses_its_whole_invoice_and_the_others_are_imported(acme, ana):
    rows = [
        "ERP-7001;02/03/2026;C0042;Huile;12;9,90;5,5",
        "ERP-7001;02/03/2026;C0042;Coffret;un;1 234,50;20",  # line 3: quantity
        "ERP-7001;31/02/2026;C0042;Savon;1;4,00;0,2",  # line 4: date and VAT written as a fraction
        "ERP-7002;02/03/2026;ana@example.com;Miel;3;7,33;5,5",
        ";02/03/2026;ana@example.com;Orphan;1;1;20",  # line 6: no invoice number
    ]

    report = run(rows)

    assert not report.ok
    assert report.imported == ["ERP-7002"]
    assert [(e.line, e.invoice_number) for e in report.row_errors] == [
        (3, "ERP-7001"),
        (4, "ERP-7001"),
        (6, ""),
    ]
    assert "the quantity 'un' is not a number" in report.row_errors[0].message
    assert "the date '31/02/2026' is not DD/MM/YYYY" in report.row_errors[1].message
    assert "the VAT rate 0,2 % is not a French rate" in report.row_errors[1].message
    assert "the invoice number is empty" in report.row_errors[2].message
    assert [(r.number, r.lines) for r in report.refused] == [("ERP-7001", [2, 3, 4])]
    assert not Invoice.objects.filter(erp_number="ERP-7001").exists()
    assert not InvoiceLine.objects.filter(label="Huile").exists()  # its good row is not written either
    text = report.as_text()
    assert "Line 3 (ERP-7001): the quantity 'un' is not a number" in text
    assert "Invoice ERP-7001 not imported (lines 2, 3, 4)" in text

    # fixed, the file goes in again: the refused invoice now, the imported one skipped
    fixed_rows = [rows[1].replace(";un;", ";1;"), rows[2].replace("31/02", "02/03").replace("0,2", "20")]
    fixed = run([rows[0], *fixed_rows, rows[3]])
    assert fixed.ok and fixed.imported == ["ERP-7001"] and fixed.already_imported == ["ERP-7002"]


def test_an_unknown_customer_refuses_the_invoice(acme):
    report = run(
        ["ERP-9;02/03/2026;C9999;Thing;1;10;20", "ERP-10;02/03/2026;nobody@example.com;Thing;1;10;20"]
    )
    assert report.imported == []
    assert [(r.number, r.lines) for r in report.refused] == [("ERP-9", [2]), ("ERP-10", [3])]
    assert "unknown customer 'C9999'" in report.refused[0].reasons[0]
    assert not Invoice.objects.exists()


def test_rows_of_one_invoice_must_agree_on_date_and_customer(acme, ana):
    report = run(["ERP-1;02/03/2026;C0042;A;1;10;20", "ERP-1;03/03/2026;ana@example.com;B;1;10;20"])
    assert report.imported == []
    reasons = report.refused[0].reasons
    assert any("one invoice, one date" in r for r in reasons)
    assert any("names the customer 'ana@example.com'" in r for r in reasons)


def test_a_number_of_our_own_series_is_refused(acme):
    report = run(["FA-2026-000777;02/03/2026;C0042;A;1;10;20"])
    assert report.imported == []
    assert "looks like our own series (FA, AV)" in report.refused[0].reasons[0]
    assert not Invoice.objects.exists()


def test_a_number_one_of_our_documents_already_has_is_refused(acme, ana, settings):
    ours = issue(ana)  # FA-2026-000001, then the series was renamed
    settings.INVOICE_SERIES = "FC"
    report = run([f"{ours.number};02/03/2026;C0042;A;1;10;20"])
    assert report.imported == []
    assert "already the number of one of our documents" in report.refused[0].reasons[0]
    assert Invoice.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"x" * (5 * 1024 * 1024 + 1), "big.csv", "the limit is 5120 kB"),
        (b"%PDF-1.7\x00\x01binary", "export.csv", "This is not a CSV file"),
        (b"numero_facture;date\r\n\x81\x8d\x8f\r\n", "export.csv", "neither UTF-8 nor Windows-1252"),
        (b"\xef\xbb\xbfnumero_facture;date\r\n\xff\r\n", "export.csv", "starts as UTF-8 but byte"),
        (b"a,b,c\n1,2,3\n", "export.csv", "separated by ';'"),
        (b"numero_facture;date;client\r\nX;02/03/2026;C1\r\n", "export.csv", "lacks the column(s) libelle"),
        (b"", "export.csv", "The file is empty"),
        ("numero_facture;date".encode("utf-16"), "export.csv", "The file is UTF-16"),
        (b"numero_facture;date", "export.xlsx", "Expected a .csv file"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole_with_a_clear_message(acme, data, filename, message):
    with pytest.raises(InvalidErpFile) as refused:
        import_erp_invoices(data=data, filename=filename)
    assert message in str(refused.value.message)
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("text", "value"),
    [("1 234,50", "1234.50"), ("1\u00a0234,5", "1234.5"), ("9.90", "9.90"), ("-3", "-3"), ("0,9", "0.9")],
)
def test_numbers_the_french_way(text, value):
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["1.234,50", "12a", "", "1,2,3", "NaN", "1e5"])
def test_numbers_that_are_refused(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


# --- the command ------------------------------------------------------------------------------------


def test_the_command_prints_the_report_and_exits_zero(acme, ana, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(erp_file(ROWS, encoding="cp1252"))
    out = StringIO()
    call_command("import_erp_invoices", str(path), stdout=out)
    assert "2 invoice(s) imported" in out.getvalue()
    assert "Imported: ERP-7001, ERP-7002" in out.getvalue()


def test_the_command_exits_1_when_rows_are_refused(acme, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(erp_file(["ERP-1;02/03/2026;C0042;A;1;10;20", "ERP-2;02/03/2026;C0042;B;-1;10;20"]))
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_erp_invoices", str(path), stdout=out)
    assert failed.value.returncode == 1
    assert "Line 3 (ERP-2): the quantity must be above 0" in out.getvalue()
    assert list(Invoice.objects.values_list("number", flat=True)) == ["ERP-1"]


def test_the_command_exits_2_on_an_unreadable_file(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"nothing useful\n")
    with pytest.raises(CommandError) as failed:
        call_command("import_erp_invoices", str(path))
    assert failed.value.returncode == 2
    with pytest.raises(CommandError) as missing:
        call_command("import_erp_invoices", str(tmp_path / "nope.csv"))
    assert missing.value.returncode == 2
