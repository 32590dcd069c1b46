"""The A4 picking list of a wave (WeasyPrint): one line per SKU in walking order, with bin, product,
size/colour, quantity, a check box and the order numbers; the wave number as a Code 128 barcode.

Rendered by ``logistics.tasks_fulfilment.render_wave_pdf`` after the wave's commit (never in a request),
stored on ``PickWave.pdf``; rendering again (reprint) replaces it.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .fulfilment_models import PickWave


def code128_svg(value: str) -> str:
    """An inline SVG of ``value`` as a Code 128 barcode (no text under it)."""
    import barcode
    from barcode.writer import SVGWriter

    out = io.BytesIO()
    barcode.get("code128", value, writer=SVGWriter()).write(
        out, options={"write_text": False, "module_height": 12.0, "quiet_zone": 2.0}
    )
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]


def wave_rows(wave: PickWave) -> list[dict[str, Any]]:
    """The printed lines, in walking order: bin, SKU, product, options, quantity, order numbers."""
    rows = []
    lines = wave.lines.select_related("variant__product").prefetch_related(
        "variant__option_values__option_type", "shipment_lines__shipment__order"
    )
    for line in lines.order_by("sort_key", "id"):
        orders = sorted({sl.shipment.order.number for sl in line.shipment_lines.all()})
        rows.append(
            {
                "bin": line.bin_location,
                "sku": line.sku,
                "barcode": line.barcode,
                "product": line.variant.product.name,
                "options": variant_options(line.variant),
                "quantity": line.quantity,
                "picked": line.quantity_picked,
                "orders": orders,
            }
        )
    return rows


def variant_options(variant: Any) -> str:
    """ "M / Navy": the variant's option values (size, colour), in option order."""
    values = getattr(variant, "option_values", None)
    if values is None:
        return ""
    return " / ".join(str(getattr(v, "name", v)) for v in values.all())


def render_wave_pdf(*, wave_id: int) -> PickWave:
    """Render and store the wave's PDF. Returns the wave."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    wave = PickWave.objects.select_related("location").get(pk=wave_id)
    with translation.override("fr"):
        html = render_to_string(
            "logistics/picking/wave_pdf.html",
            {"wave": wave, "rows": wave_rows(wave), "barcode_svg": code128_svg(wave.number)},
        )
    pdf = HTML(string=html).write_pdf()
    name = f"{wave.number}.pdf"
    with transaction.atomic():
        locked = PickWave.objects.select_for_update().get(pk=wave_id)
        old = locked.pdf.name if locked.pdf else ""
        locked.pdf.save(name, ContentFile(pdf), save=False)
        PickWave.objects.filter(pk=wave_id).update(pdf=locked.pdf.name)
    if old and old != locked.pdf.name:
        locked.pdf.storage.delete(old)
    return locked
