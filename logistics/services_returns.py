"""Returns from the customer portal (RMA): asked by the shopper, received and inspected by a store or
the warehouse, refunded by what the inspection found.

``request_return`` (the shopper, or a guest proving the order with ``orders.proof``):

1. Only a web order of the shopper's own, home delivery or click & collect, delivered or collected
   (``COMPLETED``), within ``RETURN_WINDOW_DAYS`` of the moment it became completed.
2. The order row is locked (``select_for_update``, read only: orders owns it) so two requests of
   the same order queue; per line, at most bought minus cancelled minus returned minus what the
   order's open RMAs already ask.
3. Number ``RMA-YYYY-NNNNNN`` (``core.numbering``). ``store``: AWAITING at once and the e-mail is
   owed. ``post``: REQUESTED and a label task is owed (``create_return_label`` below): the carrier
   is asked after commit, the PDF rendered and stored, AWAITING and the e-mail with its link; a
   carrier error leaves LABEL_FAILED with the reason, and ``retry_return_label`` asks again.

``receive_return`` (staff anywhere, a cashier or store manager at their own store):

1. The RMA row is locked; a second receipt is refused (409) and writes nothing.
2. Resellable units go back to the receiving location's stock (one ``inventory.services.return_many``
   batch: a ledger row per line, reason ``return``, reference the RMA number); damaged units are
   recorded on the RMA line (no stock).
3. ``orders.services.record_returned_lines`` says the goods came back; then every unit received,
   resellable or damaged (the shopper did return it), is refunded: to the original payment
   (``refund_order_part(via="original")``, the provider is asked after commit) or as store credit
   (``pos.services.returns.issue_store_credit``, recorded with ``refund_order_part(via="external")``).
   Key ``rma:<id>``: one refund per RMA. Status REFUNDED, an e-mail with the amount.

Money: the amount of each line is ``orders.services.line_refund_amount`` (the one rounding rule);
the order's action holds their sum. Numbers and the order's lock are taken before stock is locked
(``inventory.services`` lock order).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import outbox
from core.numbering import formatted_number
from inventory import services as inventory
from inventory.models import Location, LocationKind
from inventory.services import LotInput
from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus, OrderStatusChange
from orders.proof import split_barcode_value, verify_sale_proof

from .returns_errors import (
    InvalidReturnRequest,
    LabelNotRetryable,
    OrderNotReturnable,
    ReturnAlreadyReceived,
    ReturnExceedsReturnable,
    ReturnNotReceivable,
    ReturnOrderNotFound,
    ReturnWindowClosed,
    UnknownOrderLine,
    WrongStore,
)
from .returns_models import (
    ReturnMethod,
    ReturnReason,
    ReturnRefundChoice,
    ReturnRequest,
    ReturnRequestLine,
    ReturnRequestStatus,
)

if TYPE_CHECKING:
    from accounts.models import User

    from .carriers import LabelRequest, LabelResult

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
RMA_SERIES = "RMA"
RETURNABLE_METHODS = (DeliveryMethod.HOME, DeliveryMethod.CLICK_AND_COLLECT)
# An RMA in one of these still asks for its units: they are not returnable again meanwhile.
OPEN_STATUSES = (
    ReturnRequestStatus.REQUESTED,
    ReturnRequestStatus.LABEL_FAILED,
    ReturnRequestStatus.AWAITING,
)
RECEIVABLE_STATUSES = OPEN_STATUSES
DONE_STATUSES = (ReturnRequestStatus.RECEIVED, ReturnRequestStatus.REFUNDED)
RECEIVE_ANYWHERE = "inventory.act_on_any_location"
RECEIVE_AT_STORE = "pos.use_register"  # cashiers and store managers, at their own store
DEFAULT_UNIT_WEIGHT_GRAMS = 300  # a variant without a weight: what a folded garment weighs


class ReturnLineInput(NamedTuple):
    line_id: int
    quantity: int
    reason: str
    comment: str = ""


class InspectionInput(NamedTuple):
    line_id: int
    resellable: int
    damaged: int


# --- reading --------------------------------------------------------------------------------------


def return_window_days() -> int:
    return int(getattr(settings, "RETURN_WINDOW_DAYS", 14))


def completed_at(order: Order) -> dt.datetime | None:
    """When the order was delivered or collected: its last change to COMPLETED."""
    return (
        OrderStatusChange.objects.filter(order=order, to_status=OrderStatus.COMPLETED)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )


def return_deadline(order: Order) -> dt.datetime | None:
    done = completed_at(order)
    return done + dt.timedelta(days=return_window_days()) if done else None


def asked_by_open_requests(order: Order, *, exclude: ReturnRequest | None = None) -> dict[int, int]:
    """{order line id: units the order's open RMAs ask}."""
    rows = ReturnRequestLine.objects.filter(request__order=order, request__status__in=OPEN_STATUSES)
    if exclude is not None:
        rows = rows.exclude(request=exclude)
    return dict(rows.values("order_line_id").annotate(n=Sum("quantity")).values_list("order_line_id", "n"))


def returnable_quantities(order: Order, lines: Iterable[OrderLine] | None = None) -> dict[int, int]:
    """{order line id: units the shopper may still ask to return}: bought minus cancelled minus
    returned minus what open RMAs ask."""
    asked = asked_by_open_requests(order)
    rows = order.lines.all() if lines is None else lines
    return {
        line.pk: max(
            line.quantity - line.quantity_cancelled - line.quantity_returned - asked.get(line.pk, 0), 0
        )
        for line in rows
    }


def return_eligibility(order: Order, *, now: dt.datetime | None = None) -> tuple[bool, str]:
    """(may the shopper ask a return now, why not). Used by the portal to show the button."""
    eligible, reason, _deadline = return_eligibility_and_deadline(order, now=now)
    return eligible, reason


def return_eligibility_and_deadline(
    order: Order, *, now: dt.datetime | None = None
) -> tuple[bool, str, dt.datetime | None]:
    """``return_eligibility`` and the last moment of the return window (None: not delivered)."""
    deadline = return_deadline(order)
    try:
        _check_order_returnable(order, now=now, deadline=deadline)
    except (OrderNotReturnable, ReturnWindowClosed) as exc:
        return False, str(exc.message), deadline
    if not any(returnable_quantities(order).values()):
        return False, _("Every item of this order has been returned or is being returned."), deadline
    return True, "", deadline


def requests_for_order(order: Order) -> list[ReturnRequest]:
    return list(
        ReturnRequest.objects.filter(order=order)
        .prefetch_related("lines__order_line")
        .order_by("-created_at")
    )


def requests_for_customer(user: User) -> QuerySet[ReturnRequest]:
    return ReturnRequest.objects.filter(Q(customer=user) | Q(order__customer=user)).select_related("order")


def may_receive_at(user: User | None, location: Location) -> bool:
    """Staff and managers anywhere; cashiers and store managers at their own store."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.has_perm(RECEIVE_ANYWHERE):
        return True
    return user.has_perm(RECEIVE_AT_STORE) and user.store_id is not None and user.store_id == location.pk


def visible_requests(user: User) -> QuerySet[ReturnRequest]:
    """The RMAs a member of staff may see: every one for chain-wide roles; for a cashier or store
    manager, those not received yet (a shopper may bring them to any store) and those received at
    their store; for a shopper, their own."""
    rows = ReturnRequest.objects.select_related("order", "received_at_location")
    if user.is_superuser or user.has_perm(RECEIVE_ANYWHERE):
        return rows
    if user.has_perm(RECEIVE_AT_STORE) and user.store_id:
        return rows.filter(Q(status__in=OPEN_STATUSES) | Q(received_at_location_id=user.store_id))
    return rows.filter(Q(customer=user) | Q(order__customer=user))


def find_request(value: str | int) -> ReturnRequest | None:
    """An RMA by its id or its number (as typed or scanned: any case, spaces around)."""
    text = str(value).strip()
    query = ReturnRequest.objects.select_related("order", "received_at_location")
    if text.isdigit():
        return query.filter(pk=int(text)).first() if int(text) < 2**63 else None
    return query.filter(number=text.upper()).first() if text else None


# --- asking a return ------------------------------------------------------------------------------


@transaction.atomic
def request_return(
    *,
    order: Order,
    customer: User | None,
    lines: Sequence[ReturnLineInput | tuple[int, int, str, str]],
    method: str,
    refund_choice: str = ReturnRefundChoice.ORIGINAL,
    proof: str = "",
    now: dt.datetime | None = None,
) -> ReturnRequest:
    """Ask a return of ``lines`` of ``order``; see the module docstring. ``proof``: a guest's check
    code (the confirmation's barcode) or the order's e-mail or phone."""
    if method not in ReturnMethod.values:
        raise InvalidReturnRequest(_("Choose how the items come back."), detail={"method": method})
    if refund_choice not in ReturnRefundChoice.values:
        raise InvalidReturnRequest(
            _("Choose how you want to be refunded."), detail={"refund_choice": refund_choice}
        )
    _check_holder(order, customer=customer, proof=proof)
    locked = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)  # queues requests of it
    _check_order_returnable(locked, now=now)
    if method == ReturnMethod.POST and not _shopper_address(locked):
        raise InvalidReturnRequest(
            _("This order has no delivery address for a return label: bring the items to a store."),
            detail={"method": method},
        )
    wanted = _check_lines(locked, [ReturnLineInput(*line) for line in lines])
    year = timezone.localdate().year
    rma = ReturnRequest.objects.create(
        number=formatted_number(series=RMA_SERIES, year=year),
        order=locked,
        customer=locked.customer,
        method=method,
        refund_choice=refund_choice,
        status=ReturnRequestStatus.AWAITING
        if method == ReturnMethod.STORE
        else ReturnRequestStatus.REQUESTED,
        carrier=_return_carrier(locked) if method == ReturnMethod.POST else "",
    )
    ReturnRequestLine.objects.bulk_create(
        ReturnRequestLine(
            request=rma,
            order_line=line,
            quantity=item.quantity,
            reason=item.reason,
            comment=(item.comment or "").strip()[:250],
        )
        for line, item in wanted
    )
    if method == ReturnMethod.POST:
        _owe_label(rma)
    else:
        _owe_email(rma, "requested")
    return rma


def _check_holder(order: Order, *, customer: User | None, proof: str) -> None:
    if customer is not None and customer.is_authenticated and order.customer_id == customer.pk:
        return
    if proof:
        number, check = split_barcode_value(proof.strip())
        if number.upper() == order.number.upper() and check:
            if verify_sale_proof(order=order, check=check):
                return
        elif verify_sale_proof(order=order, check=proof.strip(), contact=proof):
            return
    raise ReturnOrderNotFound(detail={"order": order.number})


def _check_order_returnable(
    order: Order, *, now: dt.datetime | None = None, deadline: dt.datetime | None = None
) -> None:
    if order.channel != Channel.WEB or order.delivery_method not in RETURNABLE_METHODS:
        raise OrderNotReturnable(
            _("Only web orders delivered at home or collected in store can be returned here."),
            detail={"order": order.number, "channel": order.channel},
        )
    if order.status != OrderStatus.COMPLETED:
        raise OrderNotReturnable(
            _("Order %(number)s is %(status)s: it can be returned once delivered or collected.")
            % {"number": order.number, "status": order.get_status_display().lower()},
            detail={"order": order.number, "status": order.status},
        )
    deadline = deadline or return_deadline(order)
    if deadline is None or (now or timezone.now()) > deadline:
        raise ReturnWindowClosed(
            _("The %(days)s-day return period of order %(number)s is over.")
            % {"days": return_window_days(), "number": order.number},
            detail={"order": order.number, "deadline": deadline.isoformat() if deadline else None},
        )


def _check_lines(order: Order, items: list[ReturnLineInput]) -> list[tuple[OrderLine, ReturnLineInput]]:
    if not items:
        raise InvalidReturnRequest(_("Choose at least one item to return."), detail={"lines": []})
    by_id = {line.pk: line for line in order.lines.select_related("variant").order_by("id")}
    returnable = returnable_quantities(order, by_id.values())
    seen: set[int] = set()
    wanted: list[tuple[OrderLine, ReturnLineInput]] = []
    for item in items:
        line = by_id.get(item.line_id)
        if line is None:
            raise UnknownOrderLine(
                _("Item %(line)s is not on order %(number)s.")
                % {"line": item.line_id, "number": order.number},
                detail={"line_id": item.line_id, "order": order.number},
            )
        if item.line_id in seen:
            raise InvalidReturnRequest(
                _("Each item once, with its quantity."), detail={"line_id": item.line_id}
            )
        seen.add(item.line_id)
        quantity = item.quantity
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            raise InvalidReturnRequest(
                _("Every item needs a quantity of at least 1."),
                detail={"line_id": item.line_id, "quantity": quantity},
            )
        if item.reason not in ReturnReason.values:
            raise InvalidReturnRequest(
                _("Choose a reason for each item."), detail={"line_id": item.line_id, "reason": item.reason}
            )
        if quantity > returnable[line.pk]:
            raise ReturnExceedsReturnable(
                _("%(name)s: %(returnable)s can still be returned, %(asked)s asked.")
                % {"name": line.name, "returnable": returnable[line.pk], "asked": quantity},
                detail={
                    "line_id": line.pk,
                    "sku": line.sku,
                    "bought": line.quantity,
                    "returnable": returnable[line.pk],
                    "requested": quantity,
                },
            )
        wanted.append((line, item))
    return wanted


def _shopper_address(order: Order) -> dict[str, str]:
    address = order.shipping_address if isinstance(order.shipping_address, dict) else {}
    if not (address.get("line1") and address.get("postal_code") and address.get("city")):
        return {}
    return {key: str(value or "") for key, value in address.items()}


def _return_carrier(order: Order) -> str:
    return str(getattr(settings, "RETURNS_CARRIER", "") or order.carrier or "colissimo")


# --- the return label (a task, after commit) ------------------------------------------------------


def _owe_label(rma: ReturnRequest) -> None:
    from . import tasks_returns

    outbox.enqueue(tasks_returns.create_return_label, request_id=rma.pk)


def _owe_email(rma: ReturnRequest, kind: str) -> None:
    from . import tasks_returns

    outbox.enqueue(
        tasks_returns.send_return_email, key=f"rma-email:{rma.pk}:{kind}", request_id=rma.pk, kind=kind
    )


def return_warehouse() -> Location:
    """Where return parcels go: ``RETURNS_WAREHOUSE`` (a location code), else the first warehouse."""
    code = str(getattr(settings, "RETURNS_WAREHOUSE", "") or "")
    rows = Location.objects.filter(is_active=True)
    found = rows.filter(code=code).first() if code else rows.filter(kind=LocationKind.WAREHOUSE).first()
    if found is None:
        raise ReturnNotReceivable(_("No warehouse takes return parcels."), detail={"warehouse": code})
    return found


def create_return_label(*, request_id: int) -> ReturnRequest | None:
    """The label task's work: ask the carrier for a prepaid return label (no transaction held during
    the call), render the PDF, store it. A carrier error leaves LABEL_FAILED with the reason."""
    from .carriers import CarrierError, LabelRequest, PostalAddress, get_carrier

    rma = ReturnRequest.objects.select_related("order").filter(pk=request_id).first()
    if rma is None or rma.status != ReturnRequestStatus.REQUESTED:
        return rma  # done already, cancelled, or waiting for a retry
    order = rma.order
    address = _shopper_address(order)
    warehouse = return_warehouse()
    lines = list(rma.lines.select_related("order_line__variant"))
    weight = sum(
        (line.order_line.variant.weight_grams or DEFAULT_UNIT_WEIGHT_GRAMS) * line.quantity for line in lines
    )
    value = sum(
        (line.order_line.total_gross * line.quantity / line.order_line.quantity for line in lines), ZERO
    )
    sender = PostalAddress(
        name=" ".join(filter(None, [address.get("first_name", ""), address.get("last_name", "")]))
        or address.get("name", "")
        or order.email,
        line1=address.get("line1", ""),
        line2=address.get("line2", ""),
        postal_code=address.get("postal_code", ""),
        city=address.get("city", ""),
        country=(address.get("country") or "FR").upper()[:2],
        phone=address.get("phone", "") or order.phone,
        email=order.email,
    )
    recipient = PostalAddress(
        name=warehouse.name,
        company=str(getattr(settings, "SHOP_NAME", "Maison Corsica")),
        line1=warehouse.address_line,
        postal_code=warehouse.postal_code,
        city=warehouse.city,
        country=warehouse.country or "FR",
        phone=warehouse.phone,
        email=warehouse.email,
    )
    label_request = LabelRequest(
        reference=rma.number,
        sender=sender,
        recipient=recipient,
        weight_grams=max(weight, 1),
        is_return=True,
        value_eur=f"{value.quantize(Decimal('0.01'))}",
    )
    try:
        carrier = get_carrier(rma.carrier or _return_carrier(order))
        result = carrier.create_label(label_request)
        pdf = _render_label(carrier_name=carrier.name, label_request=label_request, result=result)
    except CarrierError as exc:
        return _label_failed(rma.pk, reason=exc.reason)
    with transaction.atomic():
        rma = ReturnRequest.objects.select_for_update().get(pk=rma.pk)
        if rma.status != ReturnRequestStatus.REQUESTED:
            return rma
        rma.label_pdf.save(f"{rma.number}.pdf", ContentFile(pdf), save=False)
        rma.tracking_number = result.tracking_number
        rma.carrier = carrier.code
        rma.label_error = ""
        rma.status = ReturnRequestStatus.AWAITING
        rma.save(
            update_fields=["label_pdf", "tracking_number", "carrier", "label_error", "status", "updated_at"]
        )
        _owe_email(rma, "requested")
    return rma


def _render_label(*, carrier_name: str, label_request: LabelRequest, result: LabelResult) -> bytes:
    """The 10x15 cm PDF (``logistics.labels``): the shopper sends, the warehouse receives."""
    from .labels import LabelData, render_label

    return render_label(
        LabelData(
            carrier_name=carrier_name,
            service=result.service,
            sender=label_request.sender,
            recipient=label_request.recipient,
            weight_grams=label_request.weight_grams,
            tracking_number=result.tracking_number,
            reference=label_request.reference,
            routing_code=result.routing_code,
            is_return=True,
            shipped_on=timezone.localdate(),
        )
    )


def _label_failed(request_id: int, *, reason: str) -> ReturnRequest:
    with transaction.atomic():
        rma = ReturnRequest.objects.select_for_update().get(pk=request_id)
        if rma.status == ReturnRequestStatus.REQUESTED:
            rma.status = ReturnRequestStatus.LABEL_FAILED
            rma.label_error = (reason or _("The carrier did not answer."))[:250]
            rma.save(update_fields=["status", "label_error", "updated_at"])
    logger.warning("return label of %s failed: %s", rma.number, reason)
    return rma


@transaction.atomic
def retry_return_label(*, request: ReturnRequest) -> ReturnRequest:
    """LABEL_FAILED -> REQUESTED, and the label task is owed again."""
    rma = ReturnRequest.objects.select_for_update().get(pk=request.pk)
    if rma.status != ReturnRequestStatus.LABEL_FAILED:
        raise LabelNotRetryable(detail={"number": rma.number, "status": rma.status})
    rma.status = ReturnRequestStatus.REQUESTED
    rma.save(update_fields=["status", "updated_at"])
    _owe_label(rma)
    return rma


# --- receiving ------------------------------------------------------------------------------------


@transaction.atomic
def receive_return(
    *,
    request: ReturnRequest,
    location: Location,
    user: User,
    inspection: Sequence[InspectionInput | tuple[int, int, int]],
) -> ReturnRequest:
    """Receive, inspect and refund an RMA at ``location``; see the module docstring."""
    from orders.services import LineQuantity, line_refund_amount, record_returned_lines, refund_order_part
    from pos.services.returns import issue_store_credit

    if not may_receive_at(user, location):
        raise WrongStore(
            _("You may not receive returns at %(location)s.") % {"location": location.name},
            detail={"location": location.code},
        )
    rma = ReturnRequest.objects.select_for_update().get(pk=request.pk)  # one receiver at a time
    if rma.status in DONE_STATUSES:
        raise ReturnAlreadyReceived(
            _("Return %(number)s was already received.") % {"number": rma.number},
            detail={"number": rma.number, "status": rma.status},
        )
    if rma.status not in RECEIVABLE_STATUSES:
        raise ReturnNotReceivable(
            _("Return %(number)s is %(status)s.")
            % {"number": rma.number, "status": rma.get_status_display().lower()},
            detail={"number": rma.number, "status": rma.status},
        )
    order = Order.objects.select_for_update(of=("self",)).get(pk=rma.order_id)
    lines = list(rma.lines.select_related("order_line__variant__product").order_by("id"))
    counts = _check_inspection(rma, lines, [InspectionInput(*item) for item in inspection])
    received_units = sum(r + d for r, d in counts.values())
    if received_units == 0:
        raise InvalidReturnRequest(
            _("Say how many units of each item came back."), detail={"number": rma.number}
        )
    now = timezone.now()
    returned: list[LineQuantity] = []
    restock: list[inventory.StockLine] = []
    total = ZERO
    for line in lines:
        resellable, damaged = counts.get(line.pk, (0, 0))
        units = resellable + damaged
        order_line = line.order_line
        line.quantity_resellable = resellable
        line.quantity_damaged = damaged
        before = order_line.quantity_cancelled + order_line.quantity_refunded  # as refund_order_part counts
        line.refund_gross = line_refund_amount(order_line, before=before, quantity=units) if units else ZERO
        total += line.refund_gross
        if units:
            returned.append(LineQuantity(line_id=order_line.pk, quantity=units))
        if resellable:
            lot = _lot_of(order_line, order) if order_line.variant.product.tracks_lots else None
            restock.append(inventory.StockLine(order_line.variant, resellable, lot))
    ReturnRequestLine.objects.bulk_update(lines, ["quantity_resellable", "quantity_damaged", "refund_gross"])
    if restock:
        inventory.return_many(lines=restock, location=location, reference=rma.number, user=user)
    record_returned_lines(order=order, lines=returned, reference=rma.number, user=user)
    damaged_units = sum(d for _r, d in counts.values())
    note = _("Return %(number)s: %(units)s unit(s) received, all refunded") % {
        "number": rma.number,
        "units": received_units,
    }
    if damaged_units:
        note += _(" (%(damaged)s damaged: the shopper returned them, so they are refunded too)") % {
            "damaged": damaged_units
        }
    reference = ""
    if total > 0 and rma.refund_choice == ReturnRefundChoice.STORE_CREDIT:
        credit = issue_store_credit(amount=total, user=user, customer=order.customer)
        reference = credit.code
        refund_order_part(
            order=order,
            lines=returned,
            reason=note,
            user=user,
            key=f"rma:{rma.pk}",
            via="external",
            external_reference=credit.code,
            notify=False,  # the RMA's own e-mail below says it all, with the credit code
        )
    else:
        action = refund_order_part(
            order=order,
            lines=returned,
            reason=note,
            user=user,
            key=f"rma:{rma.pk}",
            via="original",
            notify=False,  # one e-mail for the shopper: the RMA's, below
        )
        reference = f"action:{action.pk}"
        total = action.amount if action.amount is not None else total
    rma.status = ReturnRequestStatus.REFUNDED
    rma.received_at_location = location
    rma.received_by = user
    rma.received_at = now
    rma.refund_amount = total
    rma.refund_reference = reference[:120]
    rma.refunded_at = now
    rma.save(
        update_fields=[
            "status",
            "received_at_location",
            "received_by",
            "received_at",
            "refund_amount",
            "refund_reference",
            "refunded_at",
            "updated_at",
        ]
    )
    _owe_email(rma, "refunded")
    return rma


def _check_inspection(
    rma: ReturnRequest, lines: list[ReturnRequestLine], items: list[InspectionInput]
) -> dict[int, tuple[int, int]]:
    """{RMA line id: (resellable, damaged)}; an item names an RMA line or its order line."""
    by_order_line = {line.order_line_id: line for line in lines}
    by_id = {line.pk: line for line in lines}
    counts: dict[int, tuple[int, int]] = {}
    for item in items:
        line = by_order_line.get(item.line_id) or by_id.get(item.line_id)
        if line is None:
            raise UnknownOrderLine(
                _("Item %(line)s is not on return %(number)s.")
                % {"line": item.line_id, "number": rma.number},
                detail={"line_id": item.line_id, "number": rma.number},
            )
        if line.pk in counts:
            raise InvalidReturnRequest(_("Each item once."), detail={"line_id": item.line_id})
        for name, value in (("resellable", item.resellable), ("damaged", item.damaged)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise InvalidReturnRequest(
                    _("Units are whole numbers, 0 or more."), detail={"line_id": item.line_id, name: value}
                )
        if item.resellable + item.damaged > line.quantity:
            raise ReturnExceedsReturnable(
                _("%(name)s: %(asked)s unit(s) asked back, %(received)s received.")
                % {
                    "name": line.order_line.name,
                    "asked": line.quantity,
                    "received": item.resellable + item.damaged,
                },
                detail={
                    "line_id": line.order_line_id,
                    "requested": line.quantity,
                    "resellable": item.resellable,
                    "damaged": item.damaged,
                },
            )
        counts[line.pk] = (item.resellable, item.damaged)
    return counts


def _lot_of(line: OrderLine, order: Order) -> LotInput:
    """The batch a lot-tracked unit left from, so it goes back to it."""
    from inventory.selectors import lot_taken_by

    taken = lot_taken_by(variant_id=line.variant_id, reference=order.number)
    if taken is None:
        return LotInput(batch=f"RETURN-{order.number}")
    return LotInput(batch=taken[0], expiry_date=taken[1])
