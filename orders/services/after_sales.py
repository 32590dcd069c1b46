"""After sales: cancel lines before they leave, refund part of an order, record goods that came back,
send a message again. Every action writes one ``OrderAction`` (the audit row) and nothing else is
written when it is refused (each refusal is an ``orders.errors`` class with a 4xx).

The quantities of a line (``OrderLine``) after sales:

- ``quantity_cancelled``: units cancelled before shipping (``cancel_order``);
- ``quantity_refunded``: units refunded after shipping (``refund_order_part``);
- ``quantity_returned``: units that came back, by post (RMA) or at a till (``record_returned_lines``);
  no money moves here, the caller refunds with ``refund_order_part``;
- ``refunded_gross``: the money given back for the line (cancelled and refunded units), TTC, EUR.

Open units (``quantity - quantity_cancelled - quantity_refunded``) are what can still be cancelled
or refunded. Order totals: ``Order.refunded_gross`` (everything given back: lines, shipping, free
amounts) and ``Order.shipping_refunded``, in EUR; the refunds themselves are
``payments.models.Refund`` rows (``via="original"``), asked of the provider after commit.

Rounding (``line_refund_amount``, the rule of ``pos.services.returns``): the money for ``q`` more
units of a line after ``before`` units is ``round(total * (before + q) / n) - round(total * before / n)``,
so the parts of a line add up to exactly what it cost, whatever order they come in.

Status: cancelling every unit makes the order cancelled (``transition_order``: its refund of "what
remains" then finds nothing left, so nothing is refunded twice); refunding every unit that was not
cancelled makes it refunded.

Stock of cancelled units: a unit whose reservation was committed (paid home delivery: sold at payment)
goes back to the shelf at the reservation's location (``inventory.return_many``); a unit still held
(click & collect, or an order awaiting payment) is released from its reservation, in part if only
some units go (``inventory.release_units_many``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction

from core import events
from core.errors import PermissionDenied
from core.money import money_round
from inventory import services as inventory
from inventory.models import ReservationStatus
from payments import selectors as payment_selectors
from payments import services as payments

from .. import notifications
from ..errors import (
    ActionKeyReused,
    ExceedsOrdered,
    InvalidLineQuantity,
    InvalidRefundAmount,
    InvalidRefundVia,
    NotCancellable,
    NothingToRefund,
    NotRefundable,
    OrderNotReturnable,
    PartialCancelNotAllowed,
    ReasonRequired,
    RefundExceedsCaptured,
    ReturnExceedsDelivered,
    ShippingAlreadyRefunded,
    UnitsBeyondRecall,
    UnknownNotification,
    UnknownOrderLine,
)
from ..events import OrderLinesCancelled, OrderLinesReturned, OrderPartRefunded
from ..fulfilment import fulfilment_state
from ..models import Order, OrderLine, OrderStatus
from ..notification_log import NotificationChannel, NotificationKind, NotificationLog
from ..order_actions import OrderAction, OrderActionKind, RefundVia
from .placing import transition_order

if TYPE_CHECKING:
    from accounts.models import User

ZERO = Decimal("0.00")
CANCELLABLE_STATUSES = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP)
PAID_STATUSES = (OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP)
REFUNDABLE_STATUSES = (OrderStatus.SHIPPED, OrderStatus.COMPLETED)
RETURNABLE_STATUSES = (OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.REFUNDED)
# What staff may send again, per channel.
RESENDABLE: dict[str, set[str]] = {
    NotificationChannel.EMAIL: {
        NotificationKind.CONFIRMATION,
        NotificationKind.READY_FOR_PICKUP,
        NotificationKind.CANCELLATION,
        NotificationKind.SHIPPED,
        NotificationKind.DELIVERED,
    },
    NotificationChannel.SMS: {
        NotificationKind.READY_FOR_PICKUP,
        NotificationKind.SHIPPED,
        NotificationKind.DELIVERED,
    },
}


@dataclass(frozen=True)
class LineQuantity:
    line_id: int  # OrderLine.pk
    quantity: int


def line_refund_amount(line: OrderLine, *, before: int, quantity: int) -> Decimal:
    """The money for ``quantity`` more units of ``line`` after ``before`` units (module docstring)."""
    total = line.total_gross
    return money_round(total * (before + quantity) / line.quantity) - money_round(
        total * before / line.quantity
    )


# --- cancel ---------------------------------------------------------------------------------------


@transaction.atomic
def cancel_order(
    *, order: Order, lines: list[LineQuantity] | None, user: User | None, reason: str, key: str = ""
) -> OrderAction:
    """Cancel the whole order (``lines`` None) or some units of some lines, before they leave.

    Allowed while awaiting payment (the whole order only: ``PartialCancelNotAllowed``), paid or ready
    for pickup; else ``NotCancellable``. Units reported packed or shipped by the ``FulfilmentState``
    port are ``UnitsBeyondRecall``; an unknown line ``UnknownOrderLine``; more than the line's open
    units ``ExceedsOrdered``. Paid units are refunded exactly (``line_refund_amount``), with the
    shipping when nothing is left to ship; every unit cancelled makes the order cancelled.
    Idempotent per ``key``.
    """
    order = _lock(order)
    replay = _replayed(order, key, OrderActionKind.CANCEL)
    if replay is not None:
        return replay
    if order.status not in CANCELLABLE_STATUSES:
        raise NotCancellable(
            f"Order {order.number} is {order.get_status_display().lower()}: it can no longer be cancelled.",
            detail={"number": order.number, "status": order.status},
        )
    order_lines = list(
        order.lines.select_related("reservation__location", "reservation__variant").order_by("id")
    )
    if lines is None:
        plan = {line.pk: line.quantity_open for line in order_lines if line.quantity_open > 0}
        if not plan:
            raise NotCancellable(detail={"number": order.number, "status": order.status})
    else:
        plan = _planned(order, order_lines, lines)
    by_id = {line.pk: line for line in order_lines}
    left_after = sum(line.quantity_open for line in order_lines) - sum(plan.values())
    if order.status == OrderStatus.PENDING_PAYMENT and left_after > 0:
        raise PartialCancelNotAllowed(detail={"number": order.number})
    beyond = fulfilment_state().units_beyond_recall(order.pk)
    blocked = [
        {"line_id": pk, "sku": by_id[pk].sku, "requested": quantity, "beyond_recall": beyond.get(pk, 0)}
        for pk, quantity in plan.items()
        if quantity > by_id[pk].quantity_open - beyond.get(pk, 0)
    ]
    if blocked:
        raise UnitsBeyondRecall(detail={"number": order.number, "lines": blocked})

    _put_back_stock(order, [(by_id[pk], quantity) for pk, quantity in plan.items()], user=user)

    paid = order.status in PAID_STATUSES
    rows = []
    for pk, quantity in plan.items():
        line = by_id[pk]
        amount = (
            line_refund_amount(
                line, before=line.quantity_cancelled + line.quantity_refunded, quantity=quantity
            )
            if paid
            else ZERO
        )
        rows.append((line, quantity, amount))
    everything = left_after == 0
    shipping = order.shipping_gross - order.shipping_refunded if paid and everything else ZERO
    action = _record(
        order,
        kind=OrderActionKind.CANCEL,
        rows=rows,
        shipping=shipping,
        free=ZERO,
        user=user,
        reason=reason,
        key=key,
        via=RefundVia.ORIGINAL,
        external_reference="",
        cancel=True,
    )
    user_id = _user_id(user)
    events.publish(
        OrderLinesCancelled(
            order_id=order.pk,
            number=order.number,
            lines=tuple((line.pk, quantity) for line, quantity, _ in rows),
            user_id=user_id,
        )
    )
    if everything:
        transition_order(
            order=order, to_status=OrderStatus.CANCELLED, user=user, note=(reason or "cancelled")
        )
    elif action.amount > 0:
        notifications.schedule_email(
            order_id=order.pk, kind=NotificationKind.REFUND, reference=str(action.pk)
        )
    return action


# --- refund ---------------------------------------------------------------------------------------


@transaction.atomic
def refund_order_part(
    *,
    order: Order,
    lines: Sequence[LineQuantity] = (),
    shipping: bool = False,
    amount: Decimal | None = None,
    reason: str,
    user: User | None,
    key: str = "",
    via: str = RefundVia.ORIGINAL,
    external_reference: str = "",
    notify: bool = True,
) -> OrderAction:
    """Refund part of a shipped or completed order: units of lines (``line_refund_amount``), the
    shipping (``shipping=True``) and/or a free ``amount`` (TTC, EUR; ``reason`` required).

    ``via="original"``: refunded to the order's payments (``payments.refund_amount``, after commit);
    ``via="external"``: the money went back another way (till cash, store credit): recorded only.
    Never above what was paid minus what was refunded (``RefundExceedsCaptured``, 409; for
    ``original`` also what the payments captured minus their refunds, under their row locks).
    Every unit refunded makes the order refunded. Idempotent per ``key``. ``notify=False`` when the
    caller tells the shopper itself (a portal return's own e-mail names the RMA and the credit code).
    """
    order = _lock(order)
    replay = _replayed(order, key, OrderActionKind.REFUND)
    if replay is not None:
        return replay
    if via not in RefundVia.values:
        raise InvalidRefundVia(detail={"via": str(via)[:20]})
    if order.status not in REFUNDABLE_STATUSES:
        raise NotRefundable(
            f"Order {order.number} is {order.get_status_display().lower()}: only a shipped or completed "
            "order can be refunded in part.",
            detail={"number": order.number, "status": order.status},
        )
    free = _free_amount(amount)
    if free > 0 and not (reason or "").strip():
        raise ReasonRequired(detail={"field": "reason"})
    order_lines = list(order.lines.order_by("id"))
    plan = _planned(order, order_lines, list(lines)) if lines else {}
    shipping_amount = ZERO
    if shipping:
        shipping_amount = order.shipping_gross - order.shipping_refunded
        if shipping_amount <= 0:
            raise ShippingAlreadyRefunded(
                detail={"number": order.number, "shipping_gross": str(order.shipping_gross)}
            )
    if not plan and not shipping and free <= 0:
        raise NothingToRefund(detail={"number": order.number})
    by_id = {line.pk: line for line in order_lines}
    rows = []
    for pk, quantity in plan.items():
        line = by_id[pk]
        before = line.quantity_cancelled + line.quantity_refunded
        rows.append((line, quantity, line_refund_amount(line, before=before, quantity=quantity)))
    action = _record(
        order,
        kind=OrderActionKind.REFUND,
        rows=rows,
        shipping=shipping_amount,
        free=free,
        user=user,
        reason=reason,
        key=key,
        via=via,
        external_reference=external_reference,
        cancel=False,
        notify=notify,
    )
    order_lines = list(order.lines.order_by("id"))
    if sum(line.quantity_open for line in order_lines) == 0 and any(
        line.quantity_refunded for line in order_lines
    ):
        transition_order(order=order, to_status=OrderStatus.REFUNDED, user=user, note=(reason or "refunded"))
    return action


# --- returns and messages -------------------------------------------------------------------------


@transaction.atomic
def record_returned_lines(
    *, order: Order, lines: list[LineQuantity], reference: str, user: User | None
) -> None:
    """Goods of the order came back (an RMA received, a till return): ``quantity_returned`` grows and
    an ``OrderAction`` (kind return) says who and which document (``reference``). No money and no
    stock here: the caller restocks and refunds. More than sold minus cancelled minus already
    returned is ``ReturnExceedsDelivered``; an order not shipped yet ``OrderNotReturnable``."""
    order = _lock(order)
    if order.status not in RETURNABLE_STATUSES:
        raise OrderNotReturnable(
            f"Order {order.number} is {order.get_status_display().lower()}: nothing of it can come back.",
            detail={"number": order.number, "status": order.status},
        )
    order_lines = list(order.lines.order_by("id"))
    by_id = {line.pk: line for line in order_lines}
    wanted = _quantities(order, by_id, lines)
    for pk, quantity in wanted.items():
        line = by_id[pk]
        returnable = line.quantity - line.quantity_cancelled - line.quantity_returned
        if quantity > returnable:
            raise ReturnExceedsDelivered(
                f"{line.sku}: {line.quantity} sold, {line.quantity_cancelled} cancelled, "
                f"{line.quantity_returned} already returned; {quantity} cannot come back.",
                detail={
                    "line_id": pk,
                    "sku": line.sku,
                    "sold": line.quantity,
                    "cancelled": line.quantity_cancelled,
                    "returned": line.quantity_returned,
                    "requested": quantity,
                    "returnable": returnable,
                },
            )
    for pk, quantity in wanted.items():
        line = by_id[pk]
        line.quantity_returned += quantity
        line.save(update_fields=["quantity_returned"])
    action = OrderAction.objects.create(
        order=order,
        kind=OrderActionKind.RETURN,
        user=_real_user(user),
        reason=(reference or "")[:250],
        external_reference=(reference or "")[:120],
        lines=[
            {"line_id": pk, "sku": by_id[pk].sku, "quantity": quantity, "amount": "0.00"}
            for pk, quantity in wanted.items()
        ],
    )
    events.publish(
        OrderLinesReturned(
            order_id=order.pk, number=order.number, action_id=action.pk, user_id=action.user_id
        )
    )


@transaction.atomic
def resend_notification(
    *, order: Order, kind: str, channel: str, user: User, key: str = ""
) -> NotificationLog:
    """Send a message of the order again (staff asked): a new ``NotificationLog`` row (its
    ``reference`` names the action), sent after commit, and an ``OrderAction`` (kind notification).
    Only a message the order already had (``UnknownNotification`` otherwise, or when the order has
    no e-mail / phone for the channel). Idempotent per ``key``, like the other actions: a replay
    returns the first message and sends nothing more."""
    order = _lock(order)
    replay = _replayed(order, key, OrderActionKind.NOTIFICATION)
    if replay is not None:
        return NotificationLog.objects.get(order=order, reference=f"resend-{replay.pk}")
    if kind not in RESENDABLE.get(channel, set()):
        raise UnknownNotification(detail={"kind": str(kind)[:30], "channel": str(channel)[:10]})
    recipient = order.email if channel == NotificationChannel.EMAIL else order.phone
    had = NotificationLog.objects.filter(order=order, kind=kind, channel=channel, reference="").exists()
    if not recipient or not had:
        raise UnknownNotification(
            f"Order {order.number} never had this message by {channel}: it cannot be sent again.",
            detail={"kind": kind, "channel": channel, "number": order.number},
        )
    action = OrderAction.objects.create(
        order=order,
        kind=OrderActionKind.NOTIFICATION,
        user=_real_user(user),
        reason=f"{kind} by {channel}",
        key=key,
    )
    reference = f"resend-{action.pk}"
    log = NotificationLog.objects.create(
        order=order, kind=kind, channel=channel, reference=reference, recipient=recipient
    )
    if channel == NotificationChannel.EMAIL:
        notifications.schedule_email(order_id=order.pk, kind=kind, reference=reference)
    else:
        notifications.schedule_sms(order_id=order.pk, kind=kind, reference=reference)
    return log


# --- who may act ----------------------------------------------------------------------------------


def ensure_may_act_on_orders(user: Any) -> None:
    """Staff and managers (anywhere) and store managers (their store's orders) handle orders; a
    cashier or a shopper may not (``PermissionDenied``, 403). Which orders: ``orders_visible_to``."""
    if not (
        user is not None and user.is_authenticated and user.is_active and user.has_perm("orders.view_order")
    ):
        raise PermissionDenied("Only staff and store managers may cancel or refund orders.")


# --- internals ------------------------------------------------------------------------------------


def _lock(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).get(pk=order.pk)


def _replayed(order: Order, key: str, kind: str) -> OrderAction | None:
    if not key:
        return None
    action = OrderAction.objects.filter(order=order, key=key).first()
    if action is None:
        return None
    if action.kind != kind:
        raise ActionKeyReused(detail={"key": key, "kind": action.kind})
    return action


def _quantities(order: Order, by_id: dict[int, OrderLine], lines: Sequence[LineQuantity]) -> dict[int, int]:
    """{line id: units}, duplicates added up; unknown lines and bad quantities refused."""
    if not lines:
        raise InvalidLineQuantity(detail={"lines": []})
    wanted: dict[int, int] = defaultdict(int)
    for item in lines:
        quantity = item.quantity
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            raise InvalidLineQuantity(detail={"line_id": item.line_id, "quantity": str(quantity)[:20]})
        if item.line_id not in by_id:
            raise UnknownOrderLine(
                f"Line {item.line_id} is not on order {order.number}.",
                detail={"line_id": item.line_id, "number": order.number},
            )
        wanted[item.line_id] += quantity
    return dict(wanted)


def _planned(order: Order, order_lines: list[OrderLine], lines: Sequence[LineQuantity]) -> dict[int, int]:
    by_id = {line.pk: line for line in order_lines}
    wanted = _quantities(order, by_id, lines)
    for pk, quantity in wanted.items():
        line = by_id[pk]
        if quantity > line.quantity_open:
            raise ExceedsOrdered(
                f"{line.sku}: {line.quantity_open} of {line.quantity} units are left on the order, "
                f"not {quantity}.",
                detail={
                    "line_id": pk,
                    "sku": line.sku,
                    "ordered": line.quantity,
                    "cancelled": line.quantity_cancelled,
                    "refunded": line.quantity_refunded,
                    "requested": quantity,
                    "open": line.quantity_open,
                },
            )
    return wanted


def _free_amount(amount: Decimal | None) -> Decimal:
    if amount is None:
        return ZERO
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidRefundAmount(detail={"amount": str(amount)[:30]}) from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise InvalidRefundAmount(detail={"amount": str(amount)[:30]})
    return value


def _put_back_stock(order: Order, parts: list[tuple[OrderLine, int]], *, user: User | None) -> None:
    """Committed units back on the shelf where they were reserved; held units released."""
    to_release = []
    to_return: dict[int, list[inventory.StockLine]] = defaultdict(list)
    locations = {}
    for line, quantity in parts:
        reservation = line.reservation
        if reservation is None:
            continue  # a line without stock held or taken (nothing to give back)
        if reservation.status == ReservationStatus.ACTIVE:
            to_release.append((reservation, quantity))
        elif reservation.status == ReservationStatus.COMMITTED:
            location = reservation.location
            locations[location.pk] = location
            to_return[location.pk].append(inventory.StockLine(reservation.variant, quantity))
    if to_release:
        inventory.release_units_many(parts=to_release, user=_real_user(user), reference=order.number)
    for location_id in sorted(to_return):
        inventory.return_many(
            lines=to_return[location_id],
            location=locations[location_id],
            reference=f"{order.number} cancelled",
            user=_real_user(user),
        )


def _record(
    order: Order,
    *,
    kind: str,
    rows: list[tuple[OrderLine, int, Decimal]],
    shipping: Decimal,
    free: Decimal,
    user: User | None,
    reason: str,
    key: str,
    via: str,
    external_reference: str,
    cancel: bool,
    notify: bool = True,
) -> OrderAction:
    """The action's money and quantities: checked against what is left, written, refunded."""
    total = sum((amount for _, _, amount in rows), ZERO) + shipping + free
    left = order.total_gross_eur - order.refunded_gross
    if total > left:
        raise RefundExceedsCaptured(
            f"{total} EUR cannot be refunded on order {order.number}: {left} EUR is left of what was paid.",
            detail={"number": order.number, "requested": str(total), "refundable": str(left)},
        )
    action = OrderAction.objects.create(
        order=order,
        kind=kind,
        user=_real_user(user),
        reason=(reason or "")[:250],
        amount=total,
        shipping_amount=shipping,
        lines=[
            {"line_id": line.pk, "sku": line.sku, "quantity": quantity, "amount": str(amount)}
            for line, quantity, amount in rows
        ],
        via=via if total > 0 else "",
        external_reference=(external_reference or "")[:120],
        key=(key or "")[:80],
    )
    for line, quantity, amount in rows:
        if cancel:
            line.quantity_cancelled += quantity
        else:
            line.quantity_refunded += quantity
        line.refunded_gross += amount
        line.save(update_fields=["quantity_cancelled", "quantity_refunded", "refunded_gross"])
    if total <= 0:
        return action
    order.refunded_gross += total
    order.shipping_refunded += shipping
    order.save(update_fields=["refunded_gross", "shipping_refunded", "updated_at"])
    if via == RefundVia.ORIGINAL:
        closes = order.refunded_gross == order.total_gross_eur
        payment_amount = _in_payment_currency(order, total, closes=closes)
        if payment_amount > 0 or order.currency == "EUR":
            # Raises RefundExceedsCaptured (everything rolls back) when the payments have less left.
            refunds = payments.refund_amount(
                order=order,
                amount=payment_amount,
                key=f"order-action-{action.pk}",
                reason=f"{order.number}: {reason or kind}"[:250],
                user=_real_user(user),
            )
            action.refund_ids = [refund.pk for refund in refunds]
            action.save(update_fields=["refund_ids"])
    events.publish(
        OrderPartRefunded(
            order_id=order.pk,
            number=order.number,
            amount=str(total),
            action_id=action.pk,
            user_id=_user_id(user),
        )
    )
    if not cancel and notify:
        notifications.schedule_email(
            order_id=order.pk, kind=NotificationKind.REFUND, reference=str(action.pk)
        )
    return action


def _in_payment_currency(order: Order, amount_eur: Decimal, *, closes: bool) -> Decimal:
    """An amount of the order's EUR figures in the currency its payments were taken in. The action
    that gives the last euro back refunds whatever the payments have left (no cent lost to rounding)."""
    if order.currency == "EUR" or not order.total_gross_eur:
        return amount_eur
    left = payment_selectors.refundable_amount(order_id=order.pk)
    if closes:
        return left
    return min(money_round(amount_eur * order.total_gross / order.total_gross_eur), left)


def _real_user(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _user_id(user: User | None) -> int | None:
    return user.pk if user is not None and user.is_authenticated else None
