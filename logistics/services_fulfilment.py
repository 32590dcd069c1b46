"""Fulfilment: shipments of paid home-delivery orders, picking waves, packing.

- ``create_shipments_for_order`` (subscriber of ``order.paid``): one shipment per location the
  order's lines were reserved at (the route of ``orders.services.routing``), TO_PICK.
- ``build_wave``: shipments TO_PICK at a location, oldest first, become one picking list (one line per
  variant, sorted by bin in natural order); they move to PICKING. The A4 PDF is rendered by a task.
- ``scan_pick`` / ``short_pick``: the picker scans each unit (a wrong barcode is refused and nothing
  is written) or reports a line short (``PickDiscrepancy``); when every line is done, the wave is DONE
  and its shipments PICKED.
- ``scan_pack`` / ``pack_parcel`` / ``finish_packing``: every picked unit is verified by scan, put
  into one of several parcels, then the labels are asked for (the ship helper's task, by name).

Logistics never writes order or stock rows: it reads orders and ``inventory.selectors``.
Locks: a wave or shipment row first, then its lines (id order).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import outbox
from core.auth import is_signed_in
from core.errors import PermissionDenied
from core.numbering import formatted_number
from inventory import selectors as stock
from inventory.models import Location
from orders.events import OrderEvent, OrderLinesCancelled, OrderPaid
from orders.fulfilment import ParcelInfo
from orders.models import DeliveryMethod, Order, OrderLine

from .errors_fulfilment import (
    AlreadyComplete,
    InvalidParcel,
    InvalidShortPick,
    NothingToPick,
    UnitsNotVerified,
    WrongBarcode,
    WrongStatus,
)
from .fulfilment_models import (
    LabelStatus,
    Parcel,
    ParcelItem,
    ParcelType,
    PickDiscrepancy,
    PickLine,
    PickWave,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    WaveStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

LABEL_TASK = "logistics.tasks_shipping.create_parcel_label"
WAVE_PDF_TASK = "logistics.tasks_fulfilment.render_wave_pdf"
DEFAULT_WAVE_ORDERS = 30
MAX_WAVE_ORDERS = 200

# Packaging weight per parcel type, added to the units' weights for the pre-filled parcel weight.
TARE_GRAMS: dict[str, int] = {
    ParcelType.ENVELOPE: 40,
    ParcelType.SMALL: 150,
    ParcelType.MEDIUM: 300,
    ParcelType.LARGE: 550,
}

# Shipments whose units can still be cancelled (not packed yet).
NOT_PACKED = (ShipmentStatus.TO_PICK, ShipmentStatus.PICKING, ShipmentStatus.PICKED)
# Shipments that are over, one way or another.
CLOSED = (ShipmentStatus.DELIVERED, ShipmentStatus.CANCELLED)


# --- who may use the screens ----------------------------------------------------------------------


def fulfilment_locations(user: User | AnonymousUser | None) -> QuerySet[Location]:
    """Where a user may pick and pack: staff and managers any active location; a store manager or a
    cashier their own store (ship-from-store); nobody else anywhere."""
    if not (is_signed_in(user) and user.is_active):
        return Location.objects.none()
    if user.has_perm("inventory.act_on_any_location"):
        return Location.objects.filter(is_active=True)
    if user.store_id and user.has_perm("inventory.record_sale"):
        return Location.objects.filter(pk=user.store_id, is_active=True)
    return Location.objects.none()


def ensure_can_fulfil(user: User | AnonymousUser | None, location: Location | int) -> None:
    location_id = location if isinstance(location, int) else location.pk
    if not fulfilment_locations(user).filter(pk=location_id).exists():
        raise PermissionDenied(
            _("You may not pick or pack at this location."), detail={"location": location_id}
        )


# --- shipments from paid orders -------------------------------------------------------------------


@transaction.atomic
def create_shipments_for_order(order_id: int) -> list[Shipment]:
    """One shipment per location the order's lines are reserved at (TO_PICK), with a line per order
    line still to ship and the route's words. Idempotent: a second call returns the first shipments.
    Not a paid home-delivery order: no shipment ([])."""
    order = Order.objects.select_for_update().get(pk=order_id)  # serialises two calls; written by orders
    if order.delivery_method != DeliveryMethod.HOME:
        return []
    existing = list(order.shipments.order_by("id"))
    if existing:
        return existing
    groups: dict[int, list[OrderLine]] = {}
    locations: dict[int, Location] = {}
    for line in order.lines.select_related("reservation__location", "order__location").order_by("id"):
        location = line.reservation.location if line.reservation_id and line.reservation else order.location
        if _to_ship(line) <= 0:
            continue
        groups.setdefault(location.pk, []).append(line)
        locations[location.pk] = location
    main = order.location_id
    year = timezone.localdate().year
    shipments = []
    for location_id in sorted(groups, key=lambda pk: (pk != main, pk)):
        shipment = Shipment.objects.create(
            number=formatted_number(series="EXP", year=year),
            order=order,
            location=locations[location_id],
            carrier=order.carrier,
            routing=order.routing[:250],
        )
        ShipmentLine.objects.bulk_create(
            ShipmentLine(shipment=shipment, order_line=line, quantity=_to_ship(line))
            for line in groups[location_id]
        )
        shipments.append(shipment)
    return shipments


def create_missing_shipments(*, limit: int = 500) -> list[Shipment]:
    """Shipments for paid home-delivery orders that have none (the ``order.paid`` subscriber runs after
    commit: if it failed, this catches up; ``manage.py create_missing_shipments``). Oldest first."""
    from orders.models import OrderStatus

    orders = (
        Order.objects.filter(
            delivery_method=DeliveryMethod.HOME, status=OrderStatus.PAID, shipments__isnull=True
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    created: list[Shipment] = []
    for order_id in list(orders):
        created.extend(create_shipments_for_order(order_id))
    return created


def _to_ship(line: OrderLine) -> int:
    return line.quantity - line.quantity_cancelled


@transaction.atomic
def reduce_cancelled_lines(*, order_id: int, lines: Sequence[tuple[int, int]]) -> list[Shipment]:
    """Some units of an order were cancelled (``order.lines_cancelled``): take them off the shipment
    lines not packed yet (a line at zero goes; a shipment with no line left is CANCELLED). Units
    already picked go back to the shelf with the line (``quantity_picked`` never above the quantity).
    Returns the shipments changed."""
    changed: dict[int, Shipment] = {}
    shipments = {
        s.pk: s
        for s in Shipment.objects.select_for_update()
        .filter(order_id=order_id, status__in=NOT_PACKED)
        .order_by("id")
    }
    for line_id, quantity in lines:
        left = int(quantity)
        rows = ShipmentLine.objects.select_for_update().filter(
            order_line_id=line_id, shipment_id__in=list(shipments)
        )
        for row in rows.order_by("-id"):
            if left <= 0:
                break
            take = min(left, row.quantity - row.quantity_packed)
            if take <= 0:
                continue
            left -= take
            changed[row.shipment_id] = shipments[row.shipment_id]
            for pick in row.pick_lines.select_for_update():  # the wave needs fewer units too
                pick.quantity = max(pick.quantity - take, 0)
                pick.quantity_picked = min(pick.quantity_picked, pick.quantity)
                pick.save(update_fields=["quantity", "quantity_picked"])
            row.quantity -= take
            if row.quantity == 0:
                row.delete()
            else:
                row.quantity_picked = min(row.quantity_picked, row.quantity)
                row.quantity_scanned = min(row.quantity_scanned, row.quantity_picked)
                row.save(update_fields=["quantity", "quantity_picked", "quantity_scanned"])
    for shipment in changed.values():
        if not shipment.lines.exists():
            shipment.status = ShipmentStatus.CANCELLED
            shipment.save(update_fields=["status", "updated_at"])
    # A wave whose last open line the cancel completed is picked now.
    wave_ids = {s.wave_id for s in changed.values() if s.wave_id and s.status == ShipmentStatus.PICKING}
    for wave in PickWave.objects.select_for_update().filter(pk__in=wave_ids).exclude(status=WaveStatus.DONE):
        _after_pick(wave)
    return list(changed.values())


@transaction.atomic
def cancel_shipments(*, order_id: int) -> int:
    """The order was cancelled (``order.cancelled``): its shipments that have not left are CANCELLED.
    Returns how many."""
    return Shipment.objects.filter(
        order_id=order_id,
        status__in=(*NOT_PACKED, ShipmentStatus.PACKED, ShipmentStatus.LABELLED),
    ).update(status=ShipmentStatus.CANCELLED, updated_at=timezone.now())


def on_order_paid(event: OrderPaid) -> None:
    if event.delivery_method == DeliveryMethod.HOME:
        create_shipments_for_order(event.order_id)


def on_lines_cancelled(event: OrderLinesCancelled) -> None:
    reduce_cancelled_lines(order_id=event.order_id, lines=[(int(a), int(b)) for a, b in event.lines])


def on_order_cancelled(event: OrderEvent) -> None:
    """Cancelled or refunded in full: the shipments that have not left are cancelled."""
    if event.delivery_method == DeliveryMethod.HOME:
        cancel_shipments(order_id=event.order_id)


# --- the port orders reads (orders.fulfilment.FulfilmentState) -------------------------------------


def units_beyond_recall(order_id: int) -> dict[int, int]:
    """Per order line, the units packed or shipped (not cancelled shipments): cancelling refuses them."""
    result: dict[int, int] = {}
    rows = (
        ShipmentLine.objects.filter(shipment__order_id=order_id, quantity_packed__gt=0)
        .exclude(shipment__status=ShipmentStatus.CANCELLED)
        .values_list("order_line_id", "quantity_packed")
    )
    for line_id, packed in rows:
        result[line_id] = result.get(line_id, 0) + packed
    return result


def parcel_infos(order_id: int) -> list[ParcelInfo]:
    """The order's parcels with a tracking number, for the shipped e-mail and the order page."""
    from .models import Carrier

    names = dict(Carrier.objects.values_list("code", "name"))
    parcels = (
        Parcel.objects.filter(shipment__order_id=order_id)
        .exclude(tracking_number="")
        .exclude(shipment__status=ShipmentStatus.CANCELLED)
        .select_related("shipment")
        .order_by("id")
    )
    return [
        ParcelInfo(
            carrier_name=names.get(p.shipment.carrier, p.shipment.carrier),
            tracking_number=p.tracking_number,
            tracking_url=p.tracking_url,
            status=p.status,
        )
        for p in parcels
    ]


# --- picking waves --------------------------------------------------------------------------------


def natural_key(value: str) -> tuple[Any, ...]:
    """``A-2`` before ``A-10``; a blank bin sorts last."""
    if not value:
        return (1,)
    parts = re.split(r"(\d+)", value.upper())
    return (0, *[(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p])


@transaction.atomic
def build_wave(
    *,
    location: Location,
    shipment_ids: Sequence[int] | None = None,
    max_orders: int = DEFAULT_WAVE_ORDERS,
    user: User | None,
) -> PickWave:
    """A picking wave of the shipments TO_PICK at ``location`` (those of ``shipment_ids`` if given),
    oldest first, at most ``max_orders`` of them: one line per variant with the total quantity and
    the shipment lines it fills, in bin order (natural: A-2 before A-10, no bin last), SKU, EAN and
    bin snapshotted. The shipments move to PICKING; the A4 PDF is rendered by a task after commit.
    ``NothingToPick`` when no shipment qualifies."""
    if not isinstance(max_orders, int) or not 1 <= max_orders <= MAX_WAVE_ORDERS:
        raise InvalidParcel(
            _("A wave holds 1 to %(max)s orders.") % {"max": MAX_WAVE_ORDERS},
            detail={"field": "max_orders", "max": MAX_WAVE_ORDERS},
        )
    candidates = Shipment.objects.select_for_update(skip_locked=True).filter(
        location=location, status=ShipmentStatus.TO_PICK
    )
    if shipment_ids is not None:
        candidates = candidates.filter(pk__in=list(shipment_ids))
    shipments = list(candidates.order_by("created_at", "id")[:max_orders])
    if not shipments:
        raise NothingToPick(detail={"location": location.code})
    lines = list(
        ShipmentLine.objects.filter(shipment__in=shipments)
        .select_related("order_line__variant__product", "shipment")
        .order_by("shipment__created_at", "shipment_id", "id")
    )
    by_variant: dict[int, list[ShipmentLine]] = {}
    for line in lines:
        by_variant.setdefault(line.order_line.variant_id, []).append(line)
    bins = stock.bin_locations(location_id=location.pk, variant_ids=by_variant)
    wave = PickWave.objects.create(
        number=formatted_number(series="VAG", year=timezone.localdate().year),
        location=location,
        created_by=user if is_signed_in(user) else None,
    )
    ordered = sorted(
        by_variant.items(),
        key=lambda item: (natural_key(bins.get(item[0], "")), item[1][0].order_line.sku),
    )
    for position, (variant_id, group) in enumerate(ordered):
        variant = group[0].order_line.variant
        pick = PickLine.objects.create(
            wave=wave,
            variant=variant,
            sku=variant.sku,
            barcode=variant.ean13,
            bin_location=bins.get(variant_id, ""),
            quantity=sum(line.quantity - line.quantity_picked for line in group),
            sort_key=position,
        )
        pick.shipment_lines.set(group)
    Shipment.objects.filter(pk__in=[s.pk for s in shipments]).update(
        status=ShipmentStatus.PICKING, wave=wave, updated_at=timezone.now()
    )
    outbox.enqueue(WAVE_PDF_TASK, wave_id=wave.pk)
    return wave


@dataclass(frozen=True)
class PickResult:
    line: PickLine
    wave: PickWave
    filled: list[str]  # the shipment numbers the unit went to (one)


@transaction.atomic
def scan_pick(*, wave: PickWave, barcode: str, user: User | None) -> PickResult:
    """One unit of the item with this EAN (or SKU) was taken from the shelf: the wave's line and the
    oldest order's shipment line that still needs it grow by one. ``WrongBarcode`` when the item is
    not in the wave, ``AlreadyComplete`` when its line is picked or reported short; nothing written."""
    wave = _open_wave(wave)
    code = (barcode or "").strip()
    lines = list(wave.lines.select_for_update().order_by("id"))
    matching = [line for line in lines if code and code in (line.barcode, line.sku)]
    if not matching:
        raise WrongBarcode(
            _("%(code)s is not in wave %(wave)s.") % {"code": code[:64] or "?", "wave": wave.number},
            detail={"barcode": code[:64], "wave": wave.number},
        )
    line = matching[0]
    if line.quantity_picked >= line.quantity or line.discrepancies.exists():
        raise AlreadyComplete(
            _("%(sku)s is already complete (%(picked)s of %(quantity)s).")
            % {"sku": line.sku, "picked": line.quantity_picked, "quantity": line.quantity},
            detail={"sku": line.sku, "picked": line.quantity_picked, "quantity": line.quantity},
        )
    filled = _fill(line, 1)
    line.quantity_picked += 1
    line.save(update_fields=["quantity_picked"])
    wave = _after_pick(wave)
    return PickResult(line=line, wave=wave, filled=filled)


@transaction.atomic
def short_pick(
    *, wave: PickWave, pick_line_id: int, found: int | None = None, note: str = "", user: User | None
) -> PickDiscrepancy:
    """The shelf holds fewer units than the line needs: ``found`` units in all (default: those scanned
    so far; more than scanned are picked now). Records a ``PickDiscrepancy`` (expected vs found) and
    leaves the shipment lines short. ``InvalidShortPick`` when ``found`` is below the units scanned or
    not below the quantity; ``AlreadyComplete`` when the line is done."""
    wave = _open_wave(wave)
    line = wave.lines.select_for_update().filter(pk=pick_line_id).first()
    if line is None:
        raise WrongBarcode(
            _("This line is not in wave %(wave)s.") % {"wave": wave.number},
            detail={"pick_line": pick_line_id, "wave": wave.number},
        )
    if line.quantity_picked >= line.quantity or line.discrepancies.exists():
        raise AlreadyComplete(_("%(sku)s is already complete.") % {"sku": line.sku}, detail={"sku": line.sku})
    found = line.quantity_picked if found is None else found
    if (
        not isinstance(found, int)
        or isinstance(found, bool)
        or not line.quantity_picked <= found < line.quantity
    ):
        raise InvalidShortPick(
            detail={"field": "found", "picked": line.quantity_picked, "quantity": line.quantity}
        )
    if found > line.quantity_picked:
        _fill(line, found - line.quantity_picked)
        line.quantity_picked = found
        line.save(update_fields=["quantity_picked"])
    discrepancy = PickDiscrepancy.objects.create(
        pick_line=line,
        expected=line.quantity,
        picked=found,
        note=(note or "")[:250],
        reported_by=user if is_signed_in(user) else None,
    )
    _after_pick(wave)
    return discrepancy


def _open_wave(wave: PickWave) -> PickWave:
    locked = PickWave.objects.select_for_update().get(pk=wave.pk)
    if locked.status == WaveStatus.DONE:
        raise WrongStatus(
            _("Wave %(wave)s is already picked.") % {"wave": locked.number},
            detail={"wave": locked.number, "status": locked.status},
        )
    return locked


def _fill(line: PickLine, units: int) -> list[str]:
    """Give ``units`` picked units to the line's shipment lines, oldest order first."""
    filled = []
    rows = (
        line.shipment_lines.select_for_update(of=("self",))
        .select_related("shipment")
        .order_by("shipment__created_at", "shipment_id", "id")
    )
    for row in rows:
        if units <= 0:
            break
        take = min(units, row.quantity - row.quantity_picked)
        if take <= 0:
            continue
        row.quantity_picked += take
        row.save(update_fields=["quantity_picked"])
        units -= take
        filled.append(row.shipment.number)
    return filled


def _after_pick(wave: PickWave) -> PickWave:
    """PICKING after the first unit; DONE (its shipments PICKED) when every line is picked or short."""
    open_lines = [
        line
        for line in wave.lines.prefetch_related("discrepancies")
        if line.quantity_picked < line.quantity and not line.discrepancies.all()
    ]
    now = timezone.now()
    if not open_lines:
        wave.status = WaveStatus.DONE
        wave.completed_at = now
        wave.save(update_fields=["status", "completed_at"])
        wave.shipments.filter(status=ShipmentStatus.PICKING).update(
            status=ShipmentStatus.PICKED, updated_at=now
        )
    elif wave.status == WaveStatus.OPEN:
        wave.status = WaveStatus.PICKING
        wave.save(update_fields=["status"])
    return wave


# --- packing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackScan:
    line: ShipmentLine
    sku: str
    scanned: int
    picked: int


@transaction.atomic
def scan_pack(*, shipment: Shipment, barcode: str, user: User | None) -> PackScan:
    """One unit verified at the packing bench. ``WrongBarcode`` when the EAN (or SKU) is not in the
    shipment, ``AlreadyComplete`` when every picked unit of it is already verified; nothing written."""
    shipment = _packable(shipment)
    code = (barcode or "").strip()
    rows = list(
        shipment.lines.select_for_update(of=("self",)).select_related("order_line__variant").order_by("id")
    )
    matching = [r for r in rows if code and code in (r.order_line.variant.ean13, r.order_line.sku)]
    if not matching:
        raise WrongBarcode(
            _("%(code)s is not in shipment %(shipment)s.")
            % {"code": code[:64] or "?", "shipment": shipment.number},
            detail={"barcode": code[:64], "shipment": shipment.number},
        )
    row = next((r for r in matching if r.quantity_scanned < r.quantity_picked), None)
    if row is None:
        first = matching[0]
        raise AlreadyComplete(
            _("Every picked unit of %(sku)s is already scanned (%(picked)s).")
            % {"sku": first.order_line.sku, "picked": first.quantity_picked},
            detail={"sku": first.order_line.sku, "picked": first.quantity_picked},
        )
    row.quantity_scanned += 1
    row.save(update_fields=["quantity_scanned"])
    return PackScan(
        line=row, sku=row.order_line.sku, scanned=row.quantity_scanned, picked=row.quantity_picked
    )


def parcel_weight(*, items: Sequence[tuple[ShipmentLine, int]], parcel_type: str) -> int:
    """The pre-filled weight: the units' catalog weights plus the parcel type's tare (grams)."""
    units = sum(line.order_line.variant.weight_grams * quantity for line, quantity in items)
    return units + TARE_GRAMS.get(parcel_type, 0)


def unpacked_items(shipment: Shipment) -> list[tuple[ShipmentLine, int]]:
    """Units verified by scan and not in a parcel yet, per shipment line."""
    rows = shipment.lines.select_related("order_line__variant").order_by("id")
    return [
        (r, r.quantity_scanned - r.quantity_packed) for r in rows if r.quantity_scanned > r.quantity_packed
    ]


@transaction.atomic
def pack_parcel(
    *,
    shipment: Shipment,
    items: Sequence[tuple[int, int]] | None = None,
    parcel_type: str = ParcelType.SMALL,
    weight_grams: int | None = None,
    user: User | None,
) -> Parcel:
    """Put verified units into a new parcel: ``items`` as (shipment line id, units), default every unit
    scanned and not yet packed. ``weight_grams`` default: ``parcel_weight``. ``InvalidParcel`` (nothing
    written) for an unknown type, a line not in the shipment, more units than verified and unpacked,
    an empty parcel or a weight that is not a positive whole number."""
    shipment = _packable(shipment)
    if parcel_type not in ParcelType.values:
        raise InvalidParcel(
            _("Unknown parcel type."), detail={"field": "parcel_type", "allowed": list(ParcelType.values)}
        )
    rows = {
        r.pk: r
        for r in shipment.lines.select_for_update(of=("self",))
        .select_related("order_line__variant")
        .order_by("id")
    }
    wanted: dict[int, int] = {}
    if items is None:
        wanted = {pk: r.quantity_scanned - r.quantity_packed for pk, r in rows.items()}
    else:
        for line_id, quantity in items:
            if line_id not in rows:
                raise InvalidParcel(
                    _("This line is not in shipment %(shipment)s.") % {"shipment": shipment.number},
                    detail={"field": "items", "line": line_id},
                )
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
                raise InvalidParcel(
                    _("Quantities are whole numbers."), detail={"field": "items", "line": line_id}
                )
            wanted[line_id] = wanted.get(line_id, 0) + quantity
    wanted = {pk: q for pk, q in wanted.items() if q > 0}
    if not wanted:
        raise InvalidParcel(_("Scan the units to put in the parcel first."), detail={"field": "items"})
    for pk, quantity in wanted.items():
        row = rows[pk]
        if quantity > row.quantity_scanned - row.quantity_packed:
            raise InvalidParcel(
                _("Only %(left)s unit(s) of %(sku)s are scanned and not packed.")
                % {"left": row.quantity_scanned - row.quantity_packed, "sku": row.order_line.sku},
                detail={
                    "field": "items",
                    "line": pk,
                    "available": row.quantity_scanned - row.quantity_packed,
                },
            )
    if weight_grams is None:
        weight_grams = parcel_weight(
            items=[(rows[pk], q) for pk, q in wanted.items()], parcel_type=parcel_type
        )
    if not isinstance(weight_grams, int) or isinstance(weight_grams, bool) or not 0 < weight_grams <= 70_000:
        raise InvalidParcel(_("The weight must be 1 to 70000 grams."), detail={"field": "weight_grams"})
    parcel = Parcel.objects.create(shipment=shipment, parcel_type=parcel_type, weight_grams=weight_grams)
    for pk, quantity in wanted.items():
        ParcelItem.objects.create(parcel=parcel, shipment_line=rows[pk], quantity=quantity)
        rows[pk].quantity_packed += quantity
        rows[pk].save(update_fields=["quantity_packed"])
    return parcel


@transaction.atomic
def finish_packing(*, shipment: Shipment, user: User | None) -> Shipment:
    """Every picked unit scanned and in a parcel: the shipment is PACKED, each parcel's label is asked
    for (``logistics.tasks_shipping.create_parcel_label``, after commit). ``UnitsNotVerified`` when
    scanned or packed units differ from the picked ones, or nothing was picked; nothing written."""
    shipment = _packable(shipment)
    rows = list(shipment.lines.select_for_update().select_related("order_line").order_by("id"))
    short = [
        {
            "sku": r.order_line.sku,
            "picked": r.quantity_picked,
            "scanned": r.quantity_scanned,
            "packed": r.quantity_packed,
        }
        for r in rows
        if not r.quantity_picked == r.quantity_scanned == r.quantity_packed
    ]
    parcels = list(shipment.parcels.order_by("id"))
    if short or not parcels or not any(r.quantity_picked for r in rows):
        raise UnitsNotVerified(detail={"shipment": shipment.number, "lines": short, "parcels": len(parcels)})
    shipment.status = ShipmentStatus.PACKED
    shipment.save(update_fields=["status", "updated_at"])
    for parcel in parcels:
        parcel.label_status = LabelStatus.PENDING
        parcel.label_error = ""
        parcel.save(update_fields=["label_status", "label_error", "updated_at"])
        outbox.enqueue(LABEL_TASK, key=f"label:{parcel.pk}", parcel_id=parcel.pk)
    return shipment


def _packable(shipment: Shipment) -> Shipment:
    locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if locked.status != ShipmentStatus.PICKED:
        raise WrongStatus(
            _("Shipment %(shipment)s is %(status)s: only a picked shipment is packed.")
            % {"shipment": locked.number, "status": locked.get_status_display().lower()},
            detail={"shipment": locked.number, "status": locked.status},
        )
    return locked


class LogisticsFulfilmentState:
    """The ``orders.fulfilment.FulfilmentState`` port: what cancelling and the shipped e-mail ask."""

    def units_beyond_recall(self, order_id: int) -> dict[int, int]:
        return units_beyond_recall(order_id)

    def parcels(self, order_id: int) -> list[ParcelInfo]:
        return parcel_infos(order_id)
