"""The reader alone: format habits, and memory flat on a 200,000-row file."""

import tracemalloc
from decimal import Decimal

import pytest

from integrations.imports.reader import inspect_file, read_records
from integrations.imports.values import BadValue, parse_bool, parse_date, parse_decimal, parse_int

from .helpers import write


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1 234,56", "1234.56"), ("1\u00a0234,56", "1234.56"), ("1.234,56", "1234.56"), ("1234.56", "1234.56"),
     ("1,234.56", "1234.56"), ("12,5", "12.5"), ("1.234.567", "1234567"), ("20 %", "20"), ("-3", "-3")],
)  # fmt: skip
def test_decimals(raw, value):
    assert parse_decimal(raw) == Decimal(value)


def test_other_values():
    assert parse_int("1.250") == 1250 and parse_int("1 250") == 1250
    assert [parse_bool(v) for v in ("1", "Oui", "yes", "TRUE", "0", "non", "No", "false")] == [True] * 4 + [
        False
    ] * 4
    assert parse_date("31/12/2025") == parse_date("2025-12-31") == parse_date("31.12.2025")
    with pytest.raises(BadValue):
        parse_date("31/02/2025")
    with pytest.raises(BadValue):
        parse_decimal("12abc")


@pytest.mark.parametrize(
    ("sep", "encoding", "bom", "crlf"),
    [(";", "cp1252", "", True), (",", "utf-8", "\ufeff", False), ("\t", "utf-8", "", True)],
)
def test_separators_encodings_quotes(tmp_path, sep, encoding, bom, crlf):
    text = bom + f"SKU{sep}Name \n" + f'A1{sep}"Café{sep} ""crème""\nsur deux lignes"  \n' + f"A2{sep}Thé  \n"
    info = inspect_file(write(tmp_path / "f.csv", text, encoding=encoding, crlf=crlf))
    assert (info.separator, info.encoding) == (sep, "utf-8-sig" if encoding == "utf-8" else "cp1252")
    records = list(read_records(info))
    assert [(r.line, r.values) for r in records] == [
        (2, {"sku": "A1", "name": f'Café{sep} "crème"\nsur deux lignes'}),
        (4, {"sku": "A2", "name": "Thé"}),
    ]


def test_memory_stays_flat_on_200000_rows(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("sku;location;quantity\n")
        for i in range(200_000):
            out.write(f"SKU-{i:06d};AJA;{i % 50}\n")
    info = inspect_file(path)
    tracemalloc.start()
    count = sum(1 for _ in read_records(info))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 200_000
    assert peak < 2_000_000  # bytes: a few rows at a time, not the file (about 4.6 MB)
