"""Parcel labels: a 10x15 cm PDF per parcel (WeasyPrint), the tracking number as a Code 128 barcode.

Plain values in, PDF bytes out: ``render_label(LabelData(...))`` for one parcel,
``render_labels([...])`` for every parcel of a shipment in one PDF (one page each) when staff
reprint. No database, no network: the caller (``logistics.services_shipping``) runs it in a Celery
task after the carrier gave the tracking number, never inside a transaction. Measured on the
shared 2-core dev machine (load average 5): about 0.35 s and 40 KB a label.

The barcode is sized for a scanner, not for looks: bars of at least 0.25 mm (two dots on a 203 dpi
thermal printer, three at 300 dpi), up to 0.5 mm when the number is short, 15 mm tall, and a quiet
zone of ten modules (at least 3 mm) of white on each side, as ISO/IEC 15417 asks. The number is
printed in clear under it (a person can key it in when the scanner fails).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .carriers.base import PostalAddress

LABEL_WIDTH_MM = 100
LABEL_HEIGHT_MM = 150
_BARCODE_MAX_WIDTH_MM = 92.0  # inside the 4 mm page margins
_MODULE_MIN_MM = 0.25
_MODULE_MAX_MM = 0.5
_QUIET_MODULES = 10
_BAR_HEIGHT_MM = 15.0
_XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF")
_FONT_FILES = {"normal": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
# Latin, Latin-1, Latin Extended-A, dashes and quotes, the euro sign: every French (and most
# European) address. Other characters fall back to the full system font, glyph by glyph.
_LATIN = [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x2027), 0x20AC]


@dataclass(frozen=True)
class LabelData:
    """What one parcel's label shows."""

    carrier_name: str  # "Colissimo", "DPD", "La Poste"
    service: str  # the product the carrier used ("Colissimo Domicile sans signature", ...)
    sender: PostalAddress
    recipient: PostalAddress
    weight_grams: int
    tracking_number: str
    reference: str  # our order / shipment reference ("EXP-2026-000012 / CMD-W-2026-000340")
    parcel_index: int = 1  # k of n
    parcel_count: int = 1
    routing_code: str = ""  # the carrier's sort code, when it gives one
    is_return: bool = False  # a prepaid return label: the shopper sends it back to us
    shipped_on: dt.date | None = None


@dataclass(frozen=True)
class BarcodeSize:
    modules: int  # bars and spaces of the symbol, quiet zones excluded
    module_mm: float
    width_mm: float  # symbol plus both quiet zones


def code128_modules(value: str) -> int:
    """How many modules python-barcode's Code 128 of ``value`` takes (it picks sets A/B/C itself)."""
    from barcode import Code128

    return sum(len(part) for part in Code128(value).build())


def barcode_size(value: str) -> BarcodeSize:
    """The widest module (<= 0.5 mm) with which the symbol and its quiet zones fit the label."""
    modules = code128_modules(value)
    module = _BARCODE_MAX_WIDTH_MM / (modules + 2 * _QUIET_MODULES)
    module = max(_MODULE_MIN_MM, min(_MODULE_MAX_MM, module))
    module = float(int(module * 100)) / 100  # whole hundredths: printers round better
    quiet = max(3.0, _QUIET_MODULES * module)
    return BarcodeSize(modules=modules, module_mm=module, width_mm=modules * module + 2 * quiet)


def barcode_svg(value: str) -> str:
    """The Code 128 of ``value`` as inline SVG (mm units), quiet zones included, no text."""
    from barcode import Code128
    from barcode.writer import SVGWriter

    size = barcode_size(value)
    svg = Code128(value, writer=SVGWriter()).render(
        {
            "module_width": size.module_mm,
            "module_height": _BAR_HEIGHT_MM,
            "quiet_zone": max(3.0, _QUIET_MODULES * size.module_mm),
            "font_size": 0,
            "text": "",
            "margin_top": 0.0,
            "margin_bottom": 0.0,
        }
    )
    return _XML_PROLOGUE.sub("", svg.decode())


def barcode_data_uri(value: str) -> str:
    """The barcode as an ``<img>`` source: WeasyPrint draws it with its SVG renderer, without
    passing the bars' ``style`` attributes through the HTML stylesheet (one warning per bar)."""
    return "data:image/svg+xml;base64," + base64.b64encode(barcode_svg(value).encode()).decode()


@functools.cache
def _font_faces() -> str:
    """``@font-face`` rules for a Latin subset of DejaVu Sans, made once per process, in memory.

    WeasyPrint subsets every embedded font for every PDF; with the whole DejaVu Sans (6,000
    glyphs) that took three quarters of a label's time. A 32 KB Latin subset, made once (0.7 s) and
    given as a data URL (no file to share or trust), leaves it little to do. Without DejaVu on the
    machine: "" (the system's sans-serif, slower but the same label)."""
    try:
        from fontTools import subset  # type: ignore[import-untyped]
        from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - a WeasyPrint dependency
        return ""
    rules = []
    for weight, name in _FONT_FILES.items():
        source = next((Path(d) / name for d in _FONT_DIRS if (Path(d) / name).is_file()), None)
        if source is None:
            return ""
        options = subset.Options()
        options.hinting = False
        options.layout_features = ["kern", "liga"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=_LATIN)
        font = TTFont(source)
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
        data = base64.b64encode(buffer.getvalue()).decode()
        rules.append(
            f"@font-face {{ font-family: LabelSans; font-weight: {weight}; "
            f"src: url(data:font/ttf;base64,{data}); }}"
        )
    return "\n".join(rules)


def _address_html(address: PostalAddress) -> str:
    lines = [address.company, address.name, address.line1, address.line2]
    lines.append(f"{address.postal_code} {address.city}".strip())
    if address.country and address.country.upper() != "FR":
        lines.append(address.country.upper())
    if address.phone:
        lines.append(f"Tél. {address.phone}")
    return "<br>".join(html.escape(line) for line in lines if line)


def _weight(grams: int) -> str:
    return f"{grams / 1000:.2f} kg".replace(".", ",")


_CSS = """
@page { size: 100mm 150mm; margin: 4mm; }
html { font-family: LabelSans, "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
       font-size: 8.5pt; color: #000; }
body { margin: 0; }
.label { page-break-after: always; height: 141mm; position: relative; }
.label:last-child { page-break-after: auto; }
.head { display: flex; justify-content: space-between; align-items: baseline;
        border-bottom: 0.6mm solid #000; padding-bottom: 1.5mm; }
.carrier { font-size: 15pt; font-weight: bold; }
.service { font-size: 8pt; text-align: right; max-width: 55mm; }
.return { margin-top: 1.5mm; padding: 1mm; border: 0.5mm solid #000; font-weight: bold; text-align: center; }
.from { margin-top: 2mm; font-size: 7pt; }
.caption { font-size: 6.5pt; text-transform: uppercase; letter-spacing: 0.2mm; }
.to { margin-top: 2mm; padding: 2mm; border: 0.5mm solid #000; font-size: 11pt; line-height: 1.25; }
.facts { display: flex; justify-content: space-between; margin-top: 2mm; font-size: 9pt; }
.facts b { font-size: 11pt; }
.routing { font-size: 16pt; font-weight: bold; text-align: center; margin-top: 1.5mm; }
.barcode { position: absolute; bottom: 9mm; left: 0; right: 0; text-align: center; }
.barcode img { display: block; margin: 0 auto; }
.number { position: absolute; bottom: 3mm; left: 0; right: 0; text-align: center;
          font-size: 12pt; font-weight: bold; letter-spacing: 0.3mm; }
.ref { position: absolute; bottom: 0; left: 0; right: 0; text-align: center; font-size: 6.5pt; }
"""


def _page(data: LabelData) -> str:
    esc = html.escape
    return_banner = '<div class="return">RETOUR PRÉPAYÉ — RETURN</div>' if data.is_return else ""
    routing = f'<div class="routing">{esc(data.routing_code)}</div>' if data.routing_code else ""
    shipped_on = f"<span>{data.shipped_on:%d/%m/%Y}</span>" if data.shipped_on else ""
    return f"""
<section class="label">
  <div class="head"><span class="carrier">{esc(data.carrier_name)}</span>
    <span class="service">{esc(data.service)}</span></div>
  {return_banner}
  <div class="from"><div class="caption">Expéditeur</div>{_address_html(data.sender)}</div>
  <div class="to"><div class="caption">Destinataire</div>{_address_html(data.recipient)}</div>
  <div class="facts"><span>Poids <b>{_weight(data.weight_grams)}</b></span>
    <span>Colis <b>{data.parcel_index}/{data.parcel_count}</b></span>{shipped_on}</div>
  {routing}
  <div class="barcode"><img alt="" src="{barcode_data_uri(data.tracking_number)}"></div>
  <div class="number">{esc(data.tracking_number)}</div>
  <div class="ref">Réf. {esc(data.reference)}</div>
</section>"""


def label_html(labels: Sequence[LabelData]) -> str:
    pages = "".join(_page(data) for data in labels)
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f"<style>{_font_faces()}{_CSS}</style></head><body>{pages}</body></html>"
    )


def render_labels(labels: Sequence[LabelData]) -> bytes:
    """Several parcels' labels in one PDF, one 10x15 cm page each (reprinting a shipment)."""
    if not labels:
        raise ValueError("render_labels() needs at least one label")
    from weasyprint import HTML  # type: ignore[import-untyped]  # no hints shipped

    # With our small Latin subset, embedding it whole skips WeasyPrint's per-PDF subsetting
    # (0.2 s); without it, the system font is subset as usual (embedding 700 KB would not do).
    pdf = HTML(string=label_html(labels)).write_pdf(full_fonts=bool(_font_faces()))
    assert pdf is not None
    return bytes(pdf)


def render_label(data: LabelData) -> bytes:
    """One parcel's label: a one-page 10x15 cm PDF."""
    return render_labels([data])
