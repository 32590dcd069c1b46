"""Placing orders and moving them through their statuses.

Rounding, the one documented place for order money: a line's gross (TTC) total is the unit gross
price as the shopper saw it (already rounded to the cent by ``pricing.unit_price``) times the quantity,
minus the line discount; its net is ``money_round(gross / (1 + vat))`` and its VAT the difference,
so net + VAT == gross on every line and on the order. Orders in another currency convert the EUR
totals once, with ``pricing.services.convert``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import money_round
from core.errors import Conflict, ValidationFailed
from inventory import services as inventory
from pricing import services as pricing
from pricing.models import Channel as PriceChannel

from ..models import Channel, DeliveryMethod, NumberSequence, Order, OrderLine, OrderStatus, OrderStatusChange

if TYPE_CHECKING:
    from accounts.models import CustomerGroup, User
    from catalog.models import Variant
    from inventory.models import Location


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = "The order cannot move to this status."


class EmptyOrder(ValidationFailed):
    code = "empty_order"
    default_message = "An order needs at least one line."


# Which status may follow which. Stock effects of each move live in ``transition_order``.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.PENDING_PAYMENT: {OrderStatus.PAID, OrderStatus.CANCELLED},
    OrderStatus.PAID: {
        OrderStatus.READY_FOR_PICKUP,
        OrderStatus.SHIPPED,
        OrderStatus.COMPLETED,
        OrderStatus.REFUNDED,
    },
    OrderStatus.READY_FOR_PICKUP: {OrderStatus.COMPLETED, OrderStatus.REFUNDED},
    OrderStatus.SHIPPED: {OrderStatus.COMPLETED},
    OrderStatus.COMPLETED: {OrderStatus.REFUNDED},
    OrderStatus.CANCELLED: set(),
    OrderStatus.REFUNDED: set(),
}


@dataclass(frozen=True)
class LineInput:
    variant: Variant
    quantity: int
    discount_gross: Decimal = Decimal("0")


def next_number(name: str) -> int:
    """The next value of a gapless sequence. Call inside the transaction that uses it."""
    NumberSequence.objects.get_or_create(name=name)
    NumberSequence.objects.filter(name=name).update(last_value=F("last_value") + 1)  # locks the row
    return NumberSequence.objects.values_list("last_value", flat=True).get(name=name)


@transaction.atomic
def place_web_order(
    *,
    lines: list[LineInput],
    location: Location,
    delivery_method: str,
    email: str,
    customer: User | None = None,
    customer_group: CustomerGroup | None = None,
    currency: str = "EUR",
    reference: str = "",
    reservation_ttl: int | None = None,
) -> Order:
    """A web order awaiting payment: prices snapshotted, every line's stock reserved at ``location``.

    If any line cannot be reserved, ``InsufficientStock`` is raised and nothing at all is written.
    Replaying with the same ``reference`` returns the first order.
    """
    if reference and (existing := Order.objects.filter(channel=Channel.WEB, reference=reference).first()):
        return existing
    order = _new_order(
        channel=Channel.WEB,
        prefix="W",
        status=OrderStatus.PENDING_PAYMENT,
        location=location,
        delivery_method=delivery_method,
        email=email,
        customer=customer,
        currency=currency,
        reference=reference,
    )
    for line in _priced_lines(order, lines, customer_group=customer_group, channel=PriceChannel.WEB):
        line.reservation = inventory.reserve_stock(
            variant=line.variant,
            location=location,
            quantity=line.quantity,
            ttl_seconds=reservation_ttl,
            reference=order.number,
            user=customer,
        )
        line.save()
    _set_totals(order)
    _log(order, "", order.status, user=customer, note="placed")
    return order


@transaction.atomic
def transition_order(*, order: Order, to_status: str, user: User | None = None, note: str = "") -> Order:
    """Move an order along ALLOWED_TRANSITIONS, with its stock effect and an audit row.

    paid: the reserved units are sold (reservations committed); cancelled: they are released.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    if to_status not in ALLOWED_TRANSITIONS.get(order.status, set()):
        raise InvalidTransition(
            f"Order {order.number} is {order.get_status_display().lower()}; it cannot become {to_status}.",
            detail={"number": order.number, "status": order.status, "to_status": to_status},
        )
    lines = list(order.lines.select_related("reservation", "variant__product", "order__location"))
    if to_status == OrderStatus.PAID:
        for line in lines:
            if line.reservation_id:
                inventory.commit_reservation(reservation=line.reservation, user=user)
    elif to_status == OrderStatus.CANCELLED:
        for line in lines:
            if line.reservation_id and line.reservation.status == "active":
                inventory.release_reservation(reservation=line.reservation, user=user)
    _log(order, order.status, to_status, user=user, note=note)
    order.status = to_status
    order.save(update_fields=["status", "updated_at"])
    return order


# --- internals ------------------------------------------------------------------------------------


def _new_order(
    *,
    channel: str,
    prefix: str,
    status: str,
    location: Location,
    delivery_method: str,
    email: str,
    customer: User | None,
    currency: str,
    reference: str,
) -> Order:
    if delivery_method not in DeliveryMethod.values:
        raise ValidationFailed(
            f"Unknown delivery method {delivery_method!r}.", detail={"field": "delivery_method"}
        )
    rate = pricing.convert(amount=Decimal("1.00"), currency=currency)  # raises UnsupportedCurrency
    year = timezone.localdate().year
    number = f"{prefix}{year}-{next_number(f'order-{prefix}-{year}'):06d}"
    return Order.objects.create(
        number=number,
        channel=channel,
        status=status,
        delivery_method=delivery_method,
        location=location,
        customer=customer if customer and customer.is_authenticated else None,
        email=email or (customer.email if customer else ""),
        currency=currency,
        exchange_rate=rate,
        reference=reference,
    )


def _priced_lines(order: Order, lines: list[LineInput], *, customer_group, channel: str) -> list[OrderLine]:
    if not lines:
        raise EmptyOrder()
    priced = []
    for item in lines:
        if not isinstance(item.quantity, int) or item.quantity <= 0:
            raise ValidationFailed(
                "Every line needs a quantity of at least 1.", detail={"sku": item.variant.sku}
            )
        price = pricing.unit_price(
            variant=item.variant, customer_group=customer_group, channel=channel, location=order.location
        )
        gross = price.gross * item.quantity - money_round(item.discount_gross)
        if gross < 0:
            raise ValidationFailed(
                "A discount cannot exceed the line total.", detail={"sku": item.variant.sku}
            )
        net = money_round(gross / (1 + price.vat_rate))
        priced.append(
            OrderLine(
                order=order,
                variant=item.variant,
                sku=item.variant.sku,
                name=item.variant.product.name,
                quantity=item.quantity,
                unit_price_net=price.net,
                vat_rate=price.vat_rate,
                discount_gross=money_round(item.discount_gross),
                total_net=net,
                total_vat=gross - net,
                total_gross=gross,
            )
        )
    return priced


def _set_totals(order: Order) -> None:
    lines = list(order.lines.all())
    gross_eur = sum((line.total_gross for line in lines), Decimal("0"))
    net_eur = sum((line.total_net for line in lines), Decimal("0"))
    order.total_gross_eur = gross_eur
    order.total_gross = pricing.convert(amount=gross_eur, currency=order.currency)
    order.total_net = money_round(order.total_gross * net_eur / gross_eur) if gross_eur else Decimal("0")
    order.total_vat = order.total_gross - order.total_net
    order.save(update_fields=["total_gross_eur", "total_gross", "total_net", "total_vat"])


def _log(order: Order, from_status: str, to_status: str, *, user: User | None, note: str) -> None:
    OrderStatusChange.objects.create(
        order=order,
        from_status=from_status,
        to_status=to_status,
        user=user if user and user.is_authenticated else None,
        note=note[:250],
    )
