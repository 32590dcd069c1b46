"""Parcel labels: 10x15 cm PDF pages with the text a person needs and a Code 128 a scanner reads."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from barcode.charsets.code128 import CODES

from logistics.carriers.base import PostalAddress
from logistics.labels import LabelData, barcode_size, barcode_svg, render_label, render_labels

WAREHOUSE = PostalAddress(
    name="Entrepôt Omni",
    company="Omni Retail",
    line1="12 rue des Docks",
    postal_code="13002",
    city="Marseille",
)
SHOPPER = PostalAddress(
    name="Camille Durand",
    line1="5 avenue Foch",
    line2="Bât. B",
    postal_code="75016",
    city="Paris",
    phone="+33612345678",
)


def label(**overrides) -> LabelData:
    values = {
        "carrier_name": "Colissimo",
        "service": "Colissimo Domicile sans signature",
        "sender": WAREHOUSE,
        "recipient": SHOPPER,
        "weight_grams": 1250,
        "tracking_number": "6A00000000042",
        "reference": "EXP-2026-000012-1",
        "parcel_index": 1,
        "parcel_count": 2,
        "routing_code": "FR-COL-75",
    }
    return LabelData(**{**values, **overrides})


def pages(pdf: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_one_label_is_one_10x15_page_with_recipient_weight_and_number():
    pdf = render_label(label())

    assert pdf.startswith(b"%PDF")
    (page,) = pages(pdf)
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (283, 425)
    text = page.extract_text()
    for expected in [
        "Colissimo",
        "Colissimo Domicile sans signature",
        "Camille Durand",
        "5 avenue Foch",
        "Bât. B",
        "75016 Paris",
        "Entrepôt Omni",
        "13002 Marseille",
        "1,25 kg",
        "1/2",
        "6A00000000042",
        "FR-COL-75",
        "EXP-2026-000012-1",
    ]:
        assert expected in text, expected
    assert "RETOUR" not in text


def test_a_return_label_says_so():
    text = pages(render_label(label(is_return=True, sender=SHOPPER, recipient=WAREHOUSE)))[0].extract_text()

    assert "RETOUR PRÉPAYÉ" in text


def test_reprinting_a_shipment_gives_one_page_per_parcel_in_order():
    pdf = render_labels(
        [label(tracking_number=f"6A0000000004{k}", parcel_index=k, parcel_count=3) for k in (1, 2, 3)]
    )

    texts = [page.extract_text() for page in pages(pdf)]
    assert len(texts) == 3
    for k, text in enumerate(texts, start=1):
        assert f"6A0000000004{k}" in text and f"{k}/3" in text


def test_rendering_nothing_is_refused():
    with pytest.raises(ValueError):
        render_labels([])


def test_text_is_escaped_not_interpreted():
    hostile = PostalAddress(
        name="<b>Zoé</b> & Cie", line1="1 rue <i>x</i>", postal_code="20000", city="Ajaccio"
    )
    text = pages(render_label(label(recipient=hostile)))[0].extract_text()

    assert "<b>Zoé</b> & Cie" in text


# --- the barcode: decode the SVG's bars back into text, as a scanner does ---------------------------
def decode_svg(svg: str) -> tuple[str, float, float, float]:
    """(text, module mm, left quiet zone mm, right quiet zone mm) of a python-barcode Code 128 SVG."""
    total = float(re.search(r'<svg[^>]*width="([\d.]+)mm"', svg).group(1))
    bars = [
        (float(x), float(w))
        for x, w in re.findall(r'<rect x="([\d.]+)mm" y="[\d.]+mm" width="([\d.]+)mm"', svg)
    ]
    module = min(w for _, w in bars)
    start = bars[0][0]
    end = bars[-1][0] + bars[-1][1]
    modules = ["0"] * round((end - start) / module)
    for x, w in bars:
        first = round((x - start) / module)
        for i in range(round(w / module)):
            modules[first + i] = "1"
    pattern = "".join(modules)
    values = []
    while len(pattern) > 13:
        values.append(CODES.index(pattern[:11]))
        pattern = pattern[11:]
    assert pattern == "1100011101011", "stop pattern"
    *symbols, check = values
    assert sum([symbols[0], *(i * v for i, v in enumerate(symbols[1:], start=1))]) % 103 == check
    text, code = "", {103: "A", 104: "B", 105: "C"}[symbols[0]]
    for v in symbols[1:]:
        if code == "C" and v < 100:
            text += f"{v:02d}"
        elif v in (99, 100, 101):
            code = {99: "C", 100: "B", 101: "A"}[v]
        elif code == "B":
            text += chr(v + 32)
        else:
            text += chr(v + 32) if v < 64 else chr(v - 64)
    return text, module, start, total - end


@pytest.mark.parametrize(
    "number", ["6A00000000042", "8R12345678901", "250077000000000012", "1K00000001234", "ABC-123"]
)
def test_barcode_decodes_to_the_tracking_number_with_quiet_zones_and_printable_bars(number):
    text, module, left, right = decode_svg(barcode_svg(number))

    assert text == number
    size = barcode_size(number)
    assert module == pytest.approx(size.module_mm)
    assert 0.25 <= module <= 0.5  # two dots or more at 203 dpi
    assert left >= max(3.0, 10 * module) - 0.01 and right >= max(3.0, 10 * module) - 0.01
    assert size.width_mm <= 92.01  # fits inside the 100 mm label's margins


def test_a_long_number_gets_narrower_bars_but_still_fits():
    short, long = barcode_size("6A00000000042"), barcode_size("%0075016250077000000000012001")

    assert short.module_mm == 0.5
    assert 0.25 <= long.module_mm < 0.5
    assert long.width_mm <= 92.01


def test_without_dejavu_on_the_machine_the_system_font_is_used(monkeypatch):
    from logistics import labels

    monkeypatch.setattr(labels, "_FONT_DIRS", ("/nonexistent",))
    labels._font_faces.cache_clear()
    try:
        html = labels.label_html([label()])
        pdf = render_label(label())
    finally:
        monkeypatch.undo()
        labels._font_faces.cache_clear()  # the next label finds DejaVu again

    assert "@font-face" not in html
    (page,) = pages(pdf)
    assert "Camille Durand" in page.extract_text()
