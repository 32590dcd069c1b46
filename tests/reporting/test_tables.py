"""Tables export the same figures to CSV (French Excel) and XLSX (numbers stay numbers)."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from reporting.tables import Column, Table, export_response

TABLE = Table(
    title="Ventes par magasin",
    columns=[
        Column("store", "Magasin"),
        Column("orders", "Commandes", "int"),
        Column("revenue", "CA TTC", "money"),
    ],
    rows=[
        {"store": "Ajaccio", "orders": 3, "revenue": Decimal("1234.50")},
        {"store": "Bastia", "orders": 1, "revenue": Decimal("9.90")},
    ],  # fmt: skip
    total={"store": "Total", "orders": 4, "revenue": Decimal("1244.40")},
)


def test_csv_is_semicolon_decimal_comma_with_a_bom():
    response = export_response(TABLE, "Ventes par magasin", "csv")
    assert response["Content-Disposition"] == 'attachment; filename="ventes-par-magasin.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffMagasin;Commandes;CA TTC\r\n")
    assert "Ajaccio;3;1234,50\r\n" in text and text.endswith("Total;4;1244,40\r\n")


def test_xlsx_opens_in_openpyxl_with_numbers():
    response = export_response(TABLE, "ventes", "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["Magasin", "Commandes", "CA TTC"]
    assert [c.value for c in sheet[2]] == ["Ajaccio", 3, 1234.5]
    assert sheet["C2"].number_format == "#,##0.00"
    assert [c.value for c in sheet[4]] == ["Total", 4, 1244.4]
