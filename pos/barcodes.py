"""Barcodes printed by the register."""

import re

_XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
# python-barcode colours its rectangles with style attributes, which the Content-Security-Policy
# (style-src 'self') makes browsers ignore: the white background then paints black and hides the
# bars. Presentation attributes (fill="white") are not styles and always apply.
_STYLE_FILL = re.compile(r'style="fill:\s*([#\w]+);?"')
_TEXT = re.compile(r"\s*<text[^>]*>.*?</text>", re.DOTALL)  # its 0pt size is a style too: the caption says it


def sale_barcode_svg(number: str) -> str:
    """A Code128 barcode of the sale number as inline SVG (scanned at the register for returns)."""
    from barcode import Code128
    from barcode.writer import SVGWriter

    svg = Code128(number, writer=SVGWriter()).render(
        # 0.35 mm bars: about 55 mm wide for a sale number, easy for any scanner, inside 72 mm of paper.
        {"module_width": 0.35, "module_height": 12.0, "font_size": 0, "quiet_zone": 2.5, "text": ""}
    )
    return _STYLE_FILL.sub(r'fill="\1"', _TEXT.sub("", _XML_PROLOGUE.sub("", svg.decode())))
