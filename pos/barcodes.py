"""Barcodes printed by the register."""

import re

_XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)


def sale_barcode_svg(number: str) -> str:
    """A Code128 barcode of the sale number as inline SVG (scanned at the register for returns)."""
    from barcode import Code128
    from barcode.writer import SVGWriter

    svg = Code128(number, writer=SVGWriter()).render(
        # 0.35 mm bars: about 55 mm wide for a sale number, easy for any scanner, inside 72 mm of paper.
        {"module_width": 0.35, "module_height": 12.0, "font_size": 0, "quiet_zone": 2.5, "text": ""}
    )
    return _XML_PROLOGUE.sub("", svg.decode())
