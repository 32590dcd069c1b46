"""The picking and packing screens (tablet, keyboard-wedge scanner), at /backoffice/picking/ and
/backoffice/packing/. Thin: parse the form, check the location (``fulfilment_locations``), call one
service of ``logistics.services_fulfilment``, say what happened, redirect (the scan field keeps focus).

Who: staff and managers at any location; store managers and cashiers at their own store; others 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import outbox
from core.errors import ApplicationError
from inventory.models import Location

from . import services_fulfilment as fulfilment
from .fulfilment_models import (
    ParcelType,
    PickWave,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    WaveStatus,
)

LOGIN = "admin:login"
MAX_SCAN_LENGTH = 64


def _locations(request: HttpRequest) -> list[Location]:
    locations = list(fulfilment.fulfilment_locations(request.user).order_by("kind", "name"))
    if not locations:
        raise PermissionDenied
    return locations


def _wave(request: HttpRequest, number: str) -> PickWave:
    wave = get_object_or_404(PickWave.objects.select_related("location"), number=number)
    if not fulfilment.fulfilment_locations(request.user).filter(pk=wave.location_id).exists():
        raise PermissionDenied
    return wave


def _shipment(request: HttpRequest, number: str) -> Shipment:
    shipment = get_object_or_404(Shipment.objects.select_related("location", "order"), number=number)
    if not fulfilment.fulfilment_locations(request.user).filter(pk=shipment.location_id).exists():
        raise PermissionDenied
    return shipment


def _int(value: Any, default: int | None = None) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return number if 0 <= number <= 10**9 else default


def _scan_value(request: HttpRequest) -> str:
    return str(request.POST.get("barcode", "")).strip()[:MAX_SCAN_LENGTH]


def _refused(request: HttpRequest, error: ApplicationError) -> None:
    messages.error(request, str(error.message))


# --- picking --------------------------------------------------------------------------------------


@login_required(login_url=LOGIN)
@require_GET
def picking_home(request: HttpRequest) -> HttpResponse:
    """The waves of the user's locations (open first) and the shipments waiting to be picked."""
    locations = _locations(request)
    ids = [loc.pk for loc in locations]
    waves = list(
        PickWave.objects.filter(location_id__in=ids)
        .exclude(status=WaveStatus.DONE)
        .select_related("location")
        .annotate(lines_count=Count("lines", distinct=True), orders_count=Count("shipments", distinct=True))
        .order_by("created_at", "id")[:50]
    )
    done = list(
        PickWave.objects.filter(location_id__in=ids, status=WaveStatus.DONE)
        .select_related("location")
        .order_by("-completed_at", "-id")[:10]
    )
    waiting = dict(
        Shipment.objects.filter(location_id__in=ids, status=ShipmentStatus.TO_PICK)
        .values_list("location_id")
        .annotate(n=Count("id"))
        .values_list("location_id", "n")
    )
    return render(
        request,
        "logistics/picking/home.html",
        {
            "locations": [(loc, waiting.get(loc.pk, 0)) for loc in locations],
            "waves": waves,
            "done": done,
            "default_max": fulfilment.DEFAULT_WAVE_ORDERS,
            "max_orders": fulfilment.MAX_WAVE_ORDERS,
        },
    )


@login_required(login_url=LOGIN)
@require_POST
def picking_new(request: HttpRequest) -> HttpResponse:
    locations = {loc.pk: loc for loc in _locations(request)}
    location = locations.get(_int(request.POST.get("location"), -1) or -1)
    if location is None:
        raise PermissionDenied
    max_orders = _int(request.POST.get("max_orders"), fulfilment.DEFAULT_WAVE_ORDERS)
    try:
        wave = fulfilment.build_wave(
            location=location,
            max_orders=max_orders if max_orders is not None else fulfilment.DEFAULT_WAVE_ORDERS,
            user=request.user,  # type: ignore[arg-type]
        )
    except ApplicationError as error:
        _refused(request, error)
        return redirect("backoffice:picking")
    return redirect("backoffice:picking-wave", number=wave.number)


@login_required(login_url=LOGIN)
@require_GET
def picking_wave(request: HttpRequest, number: str) -> HttpResponse:
    wave = _wave(request, number)
    lines = list(
        wave.lines.select_related("variant__product")
        .prefetch_related(
            "discrepancies",
            "variant__option_values",
            Prefetch("shipment_lines", queryset=ShipmentLine.objects.select_related("shipment__order")),
        )
        .order_by("sort_key", "id")
    )
    rows = []
    for line in lines:
        short = next(iter(line.discrepancies.all()), None)
        rows.append(
            {
                "line": line,
                "options": " / ".join(v.name for v in line.variant.option_values.all()),
                "orders": sorted({sl.shipment.order.number for sl in line.shipment_lines.all()}),
                "short": short,
                "done": line.quantity_picked >= line.quantity or short is not None,
            }
        )
    remaining = sum(1 for row in rows if not row["done"])
    return render(
        request,
        "logistics/picking/wave.html",
        {"wave": wave, "rows": rows, "remaining": remaining, "is_done": wave.status == WaveStatus.DONE},
    )


@login_required(login_url=LOGIN)
@require_POST
def picking_scan(request: HttpRequest, number: str) -> HttpResponse:
    wave = _wave(request, number)
    try:
        result = fulfilment.scan_pick(wave=wave, barcode=_scan_value(request), user=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        _refused(request, error)
    else:
        line = result.line
        messages.success(
            request,
            _("%(sku)s: %(picked)s of %(quantity)s, for %(shipments)s.")
            % {
                "sku": line.sku,
                "picked": line.quantity_picked,
                "quantity": line.quantity,
                "shipments": ", ".join(result.filled),
            },
        )
        if result.wave.status == WaveStatus.DONE:
            messages.success(request, _("Wave %(wave)s is picked.") % {"wave": wave.number})
    return redirect("backoffice:picking-wave", number=wave.number)


@login_required(login_url=LOGIN)
@require_POST
def picking_short(request: HttpRequest, number: str, line_id: int) -> HttpResponse:
    wave = _wave(request, number)
    found = _int(request.POST.get("found"))
    try:
        fulfilment.short_pick(
            wave=wave,
            pick_line_id=line_id,
            found=found,
            note=str(request.POST.get("note", ""))[:250],
            user=request.user,  # type: ignore[arg-type]
        )
    except ApplicationError as error:
        _refused(request, error)
    else:
        messages.warning(request, _("Short pick recorded."))
    return redirect("backoffice:picking-wave", number=wave.number)


@login_required(login_url=LOGIN)
@require_GET
def picking_pdf(request: HttpRequest, number: str) -> FileResponse:
    wave = _wave(request, number)
    if not wave.pdf:
        raise Http404(_("The picking list is being printed: try again in a moment."))
    return FileResponse(wave.pdf.open("rb"), content_type="application/pdf", filename=f"{wave.number}.pdf")


@login_required(login_url=LOGIN)
@require_POST
def picking_reprint(request: HttpRequest, number: str) -> HttpResponse:
    wave = _wave(request, number)
    with transaction.atomic():
        outbox.enqueue(fulfilment.WAVE_PDF_TASK, wave_id=wave.pk)
    messages.info(request, _("The picking list is being printed again."))
    return redirect("backoffice:picking-wave", number=wave.number)


# --- packing --------------------------------------------------------------------------------------


@login_required(login_url=LOGIN)
@require_GET
def packing_home(request: HttpRequest) -> HttpResponse:
    ids = [loc.pk for loc in _locations(request)]
    shipments = list(
        Shipment.objects.filter(location_id__in=ids, status=ShipmentStatus.PICKED)
        .select_related("location", "order")
        .annotate(units=Count("lines"))
        .order_by("created_at", "id")[:200]
    )
    return render(request, "logistics/packing/home.html", {"shipments": shipments})


@login_required(login_url=LOGIN)
@require_GET
def packing_shipment(request: HttpRequest, number: str) -> HttpResponse:
    shipment = _shipment(request, number)
    lines = list(
        shipment.lines.select_related("order_line__variant__product")
        .prefetch_related("order_line__variant__option_values")
        .order_by("id")
    )
    parcels = list(shipment.parcels.prefetch_related("items__shipment_line__order_line").order_by("id"))
    unpacked = [(line, line.quantity_scanned - line.quantity_packed) for line in lines]
    unpacked = [(line, q) for line, q in unpacked if q > 0]
    parcel_type = str(request.GET.get("parcel_type", ParcelType.SMALL))
    if parcel_type not in ParcelType.values:
        parcel_type = ParcelType.SMALL
    weights = {
        value: fulfilment.parcel_weight(items=unpacked, parcel_type=value) for value in ParcelType.values
    }
    complete = all(line.quantity_picked == line.quantity_scanned == line.quantity_packed for line in lines)
    return render(
        request,
        "logistics/packing/shipment.html",
        {
            "shipment": shipment,
            "lines": [
                {
                    "line": line,
                    "options": " / ".join(v.name for v in line.order_line.variant.option_values.all()),
                    "done": line.quantity_scanned >= line.quantity_picked,
                }
                for line in lines
            ],
            "parcels": parcels,
            "unpacked": unpacked,
            "parcel_types": [(value, label, weights[value]) for value, label in ParcelType.choices],
            "parcel_type": parcel_type,
            "weight": weights[parcel_type],
            "can_pack": shipment.status == ShipmentStatus.PICKED,
            "can_finish": shipment.status == ShipmentStatus.PICKED and complete and bool(parcels),
        },
    )


def _back(shipment: Shipment) -> HttpResponseRedirect:
    return redirect("backoffice:packing-shipment", number=shipment.number)


@login_required(login_url=LOGIN)
@require_POST
def packing_scan(request: HttpRequest, number: str) -> HttpResponse:
    shipment = _shipment(request, number)
    try:
        scan = fulfilment.scan_pack(shipment=shipment, barcode=_scan_value(request), user=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("%(sku)s: %(scanned)s of %(picked)s scanned.")
            % {"sku": scan.sku, "scanned": scan.scanned, "picked": scan.picked},
        )
    return _back(shipment)


@login_required(login_url=LOGIN)
@require_POST
def packing_parcel(request: HttpRequest, number: str) -> HttpResponse:
    shipment = _shipment(request, number)
    raw_weight = str(request.POST.get("weight_grams", "")).strip()
    weight = _int(raw_weight, -1) if raw_weight else None  # blank: the pre-filled estimate
    try:
        parcel = fulfilment.pack_parcel(
            shipment=shipment,
            parcel_type=str(request.POST.get("parcel_type", ""))[:20],
            weight_grams=weight
            if weight is not None and str(request.POST.get("weight_grams", "")).strip()
            else None,
            user=request.user,  # type: ignore[arg-type]
        )
    except ApplicationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("Parcel %(n)s closed (%(weight)s g).") % {"n": parcel.pk, "weight": parcel.weight_grams},
        )
    return _back(shipment)


@login_required(login_url=LOGIN)
@require_POST
def packing_finish(request: HttpRequest, number: str) -> HttpResponse:
    shipment = _shipment(request, number)
    try:
        fulfilment.finish_packing(shipment=shipment, user=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        _refused(request, error)
        return _back(shipment)
    messages.success(
        request,
        _("Shipment %(shipment)s is packed: its labels are being printed.") % {"shipment": shipment.number},
    )
    return HttpResponseRedirect(reverse("backoffice:packing"))
