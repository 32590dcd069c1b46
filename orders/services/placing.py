"""Placing orders and moving them through their statuses.

Rounding, the one documented place for order money: a line's gross (TTC) total is the unit gross
price as the shopper saw it (already rounded to the cent by ``pricing.unit_price``) times the quantity,
minus the line discount; its net is ``money_round(gross / (1 + vat))`` and its VAT the difference,
so net + VAT == gross on every line and on the order. Orders in another currency convert the EUR
totals once, with ``pricing.services.convert``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from core import events, outbox
from core.errors import ValidationFailed
from core.money import allocate, money_round
from core.numbering import next_number
from inventory import services as inventory
from pricing import services as pricing
from pricing.models import Channel as PriceChannel

from ..errors import EmptyOrder, InvalidTransition
from ..models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus, OrderStatusChange
from .status_effects import StockEffect, effects_for

if TYPE_CHECKING:
    from accounts.models import Company, CustomerGroup, User
    from catalog.models import Variant
    from inventory.models import Location


# Which status may follow which. What each move does is declared in ``status_effects.STATUS_EFFECTS``.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.PENDING_PAYMENT: {OrderStatus.PAID, OrderStatus.CANCELLED},
    # CANCELLED from paid: staff cancelled every unit before it left (orders.services.after_sales).
    OrderStatus.PAID: {
        OrderStatus.READY_FOR_PICKUP,
        OrderStatus.SHIPPED,
        OrderStatus.COMPLETED,
        OrderStatus.CANCELLED,
        OrderStatus.REFUNDED,
    },
    # CANCELLED: the shopper never came (orders.services.pickup.cancel_uncollected_orders).
    OrderStatus.READY_FOR_PICKUP: {OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.REFUNDED},
    # REFUNDED from shipped: every unit refunded before delivery (a parcel lost, refund_order_part).
    OrderStatus.SHIPPED: {OrderStatus.COMPLETED, OrderStatus.REFUNDED},
    OrderStatus.COMPLETED: {OrderStatus.REFUNDED},
    OrderStatus.CANCELLED: set(),
    OrderStatus.REFUNDED: set(),
    # E-reservation: bought at the till (a till sale of its own) or cancelled (shopper, store, expiry).
    OrderStatus.RESERVED: {OrderStatus.BOUGHT_IN_STORE, OrderStatus.CANCELLED},
    OrderStatus.BOUGHT_IN_STORE: set(),
}

_RESERVATION_ONLY = {OrderStatus.RESERVED, OrderStatus.BOUGHT_IN_STORE}

# Statuses a delivery method never takes: a parcel is not collected, a pickup is not shipped.
STATUSES_NOT_FOR_METHOD: dict[str, set[str]] = {
    DeliveryMethod.HOME: {OrderStatus.READY_FOR_PICKUP, *_RESERVATION_ONLY},
    DeliveryMethod.CLICK_AND_COLLECT: {OrderStatus.SHIPPED, *_RESERVATION_ONLY},
    DeliveryMethod.IN_STORE: {OrderStatus.READY_FOR_PICKUP, OrderStatus.SHIPPED, *_RESERVATION_ONLY},
    # Nothing is paid online: the till sale is an order of its own (pos.services.ereservations).
    DeliveryMethod.RESERVE_IN_STORE: set(OrderStatus.values) - {*_RESERVATION_ONLY, OrderStatus.CANCELLED},
}

# Statuses in which the shopper has paid: cancelling from them refunds.
PAID_STATUSES = {OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP}


@dataclass(frozen=True)
class LineInput:
    variant: Variant
    quantity: int
    discount_gross: Decimal = Decimal("0")
    # A price agreed beforehand (an accepted B2B quote, ``orders.services.quotes``): HT per unit, EUR.
    # None: the price rules' price, as for every other order.
    unit_price_net: Decimal | None = None


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
    phone: str = "",
    language: str = "",
    shipping_address: dict[str, Any] | None = None,
    shipping_gross: Decimal = Decimal("0"),
    carrier: str = "",
    order_discount: Decimal = Decimal("0"),
    line_locations: list[Location] | None = None,
    routing: str = "",
    price_location: Location | None = None,
    company: Company | None = None,
    shop_id: int | None = None,
) -> Order:
    """A web order awaiting payment: prices snapshotted, every line's stock reserved at ``location``,
    or, with ``line_locations`` (one per line: the route of ``orders.services.routing``), each line at
    its own location. Prices are those of ``price_location`` (default ``location``): checkout prices a
    home delivery at the warehouse, as the shopper saw it, wherever the route ships it from.

    ``order_discount`` (promotions and coupon, TTC, EUR) is spread over the lines' ``discount_gross``
    in proportion to their totals, to the cent, so the lines add up exactly to the order;
    ``shipping_gross`` (TTC, EUR) is added to the totals. If any line cannot be reserved,
    ``InsufficientStock`` is raised and nothing at all is written. Replaying with the same
    ``reference`` returns the first order.
    """
    if reference and (existing := Order.objects.filter(channel=Channel.WEB, reference=reference).first()):
        return existing
    shipping_gross = money_round(Decimal(shipping_gross))
    if shipping_gross < 0:
        raise ValidationFailed("Shipping cannot cost less than nothing.", detail={"field": "shipping_gross"})
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
    order.phone = phone or (customer.phone if customer and customer.is_authenticated else "")
    order.language = language or order.language
    order.shipping_address = shipping_address or {}
    order.shipping_gross = shipping_gross
    order.carrier = carrier
    order.routing = routing[:250]
    order.shop_id = shop_id  # the web shop it was placed on (its cart's)
    priced = _priced_web_lines(
        order,
        lines,
        customer_group=customer_group,
        order_discount=order_discount,
        price_location=price_location or location,
        company=company,
        shop_id=shop_id,
    )
    if line_locations is not None and len(line_locations) != len(priced):
        raise ValidationFailed("One location per line.", detail={"field": "line_locations"})
    where = line_locations or [location] * len(priced)
    reservations: list[Any] = [None] * len(priced)
    # One batch per location, in location id order (the global lock order of inventory.locking).
    for place in sorted({loc.pk: loc for loc in where}.values(), key=lambda loc: loc.pk):
        indexes = [i for i, loc in enumerate(where) if loc.pk == place.pk]
        taken = inventory.reserve_many(
            lines=[inventory.StockLine(priced[i].variant, priced[i].quantity) for i in indexes],
            location=place,
            ttl_seconds=reservation_ttl,
            reference=order.number,
            user=customer if customer and customer.is_authenticated else None,
        )
        for i, reservation in zip(indexes, taken, strict=True):
            reservations[i] = reservation
    for line, reservation in zip(priced, reservations, strict=True):
        line.reservation = reservation
        line.save()
    _set_web_totals(order, priced)
    _log(order, "", order.status, user=customer, note="placed")
    return order


@transaction.atomic
def transition_order(*, order: Order, to_status: str, user: User | None = None, note: str = "") -> Order:
    """Move an order along ALLOWED_TRANSITIONS and apply the move's row of ``STATUS_EFFECTS``
    (``orders.services.status_effects``): its stock effect, an audit row and, after commit, the
    customer's messages, the refund and the ``orders.events`` event.

    Stock, by delivery method:

    - home delivery (and store sales): paid commits the reservations (the units are sold); shipped
      and completed change no stock.
    - click & collect: paid keeps the reservations at the pickup store active and holds them until
      ``pickup.hold_until(now)``; ready for pickup holds them until ``hold_until(now)`` again (the
      pickup window starts); completed (collected) commits them.
    - cancelled or refunded: the reservations still active are released.

    A refused move raises ``InvalidTransition`` and changes nothing (a hold that lapsed raises
    ``ReservationNotActive`` when committing: nothing changes either).
    """
    from .. import notifications, tasks
    from . import pickup

    order = Order.objects.select_for_update().get(pk=order.pk)
    from_status = order.status
    if to_status not in ALLOWED_TRANSITIONS.get(from_status, set()) or to_status in (
        STATUSES_NOT_FOR_METHOD.get(order.delivery_method, set())
    ):
        raise InvalidTransition(
            f"Order {order.number} is {order.get_status_display().lower()}; it cannot become {to_status}.",
            detail={
                "number": order.number,
                "status": from_status,
                "to_status": to_status,
                "delivery_method": order.delivery_method,
            },
        )
    effects = effects_for(to_status=to_status, delivery_method=order.delivery_method)
    lines = list(order.lines.select_related("reservation", "variant__product", "order__location"))
    if to_status == OrderStatus.CANCELLED and any(
        line.quantity_open > 0 and line.reservation is not None and line.reservation.status == "committed"
        for line in lines
    ):
        # Sold units (a paid parcel) go back to stock only through after_sales.cancel_order, which
        # cancels them first and then moves the order here.
        raise InvalidTransition(
            f"Order {order.number} has units already sold: cancel them with cancel_order.",
            detail={"number": order.number, "status": from_status, "to_status": to_status},
        )
    reserved = [line.reservation for line in lines if line.reservation is not None]  # select_related
    if effects.stock is StockEffect.HOLD:
        hold = pickup.hold_until(timezone.now())
        inventory.extend_many(reservations=reserved, expires_at=hold)
    elif effects.stock is StockEffect.COMMIT:
        # A hold that lapsed raises ReservationNotActive: nothing changes.
        inventory.commit_many(reservations=reserved, user=user)
    elif effects.stock is StockEffect.RELEASE:
        inventory.release_many(reservations=[r for r in reserved if r.status == "active"], user=user)
    _log(order, from_status, to_status, user=user, note=note)
    order.status = to_status
    order.save(update_fields=["status", "updated_at"])

    was_paid = from_status in PAID_STATUSES
    user_id = user.pk if user is not None and user.is_authenticated else None
    for kind in effects.emails + (effects.emails_if_paid if was_paid else ()):
        notifications.schedule_email(order_id=order.pk, kind=kind)
    for kind in effects.texts:
        notifications.schedule_sms(order_id=order.pk, kind=kind)
    if effects.refund_if_paid and was_paid:
        reason = note or "cancelled"
        outbox.enqueue(tasks.refund_cancelled_order, order_id=order.pk, reason=reason, user_id=user_id)
    if effects.event is not None:
        events.publish(
            effects.event(
                order_id=order.pk,
                number=order.number,
                channel=order.channel,
                delivery_method=order.delivery_method,
                from_status=from_status,
                to_status=to_status,
                user_id=user_id,
            )
        )
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


# Shipping is taxed at the standard French rate (TTC prices include it).
SHIPPING_VAT_RATE = Decimal("0.20")


def _priced_web_lines(
    order: Order,
    lines: list[LineInput],
    *,
    customer_group: CustomerGroup | None,
    order_discount: Decimal,
    price_location: Location,
    company: Company | None = None,
    shop_id: int | None = None,
) -> list[OrderLine]:
    """Web order lines priced once, with ``order_discount`` spread over their ``discount_gross``."""
    if not lines:
        raise EmptyOrder()
    quantities: dict[int, int] = {}
    for item in lines:
        if not isinstance(item.quantity, int) or isinstance(item.quantity, bool) or item.quantity <= 0:
            raise ValidationFailed(
                "Every line needs a quantity of at least 1.", detail={"sku": item.variant.sku}
            )
        quantities[item.variant.pk] = quantities.get(item.variant.pk, 0) + item.quantity
    unit_prices = pricing.unit_prices(  # one query; a company's list and quantity breaks as the cart had
        variants=[item.variant for item in lines],
        customer_group=customer_group,
        company=company,
        channel=PriceChannel.WEB,
        location=price_location,
        quantities=quantities,
        shop_id=shop_id,  # the shop's price lists, as its cart had
    )
    prices = []
    for item in lines:
        price = unit_prices[item.variant.pk]
        if item.unit_price_net is not None:  # the quoted price: net to the cent, then its VAT
            agreed_net = money_round(item.unit_price_net * item.quantity)
            price = replace(
                price,
                net=item.unit_price_net,
                gross=money_round(item.unit_price_net * (1 + price.vat_rate)),
            )
            before = agreed_net + money_round(agreed_net * price.vat_rate) - money_round(item.discount_gross)
        else:
            before = price.gross * item.quantity - money_round(item.discount_gross)
        if before < 0:
            raise ValidationFailed(
                "A discount cannot exceed the line total.", detail={"sku": item.variant.sku}
            )
        prices.append((item, price, before))
    order_discount = money_round(Decimal(order_discount))
    basket = sum((before for _, _, before in prices), Decimal("0"))
    if order_discount < 0 or order_discount > basket:
        raise ValidationFailed(
            "A discount cannot exceed the basket.",
            detail={"discount": str(order_discount), "basket": str(basket)},
        )
    shares = allocate(order_discount, [before for _, _, before in prices])
    priced = []
    for (item, price, before), share in zip(prices, shares, strict=True):
        gross = before - share
        net = money_round(gross / (1 + price.vat_rate))
        if item.unit_price_net is not None and not share and not item.discount_gross:
            net = money_round(item.unit_price_net * item.quantity)  # exactly the quote's line
        priced.append(
            OrderLine(
                order=order,
                variant=item.variant,
                sku=item.variant.sku,
                name=item.variant.product.name,
                quantity=item.quantity,
                unit_price_net=price.net,
                vat_rate=price.vat_rate,
                discount_gross=money_round(item.discount_gross) + share,
                total_net=net,
                total_vat=gross - net,
                total_gross=gross,
            )
        )
    return priced


def _set_web_totals(order: Order, lines: list[OrderLine]) -> None:
    """Lines plus shipping, in EUR then converted once; net + VAT == gross."""
    shipping_net = money_round(order.shipping_gross / (1 + SHIPPING_VAT_RATE))
    gross_eur = sum((line.total_gross for line in lines), Decimal("0")) + order.shipping_gross
    net_eur = sum((line.total_net for line in lines), Decimal("0")) + shipping_net
    order.discount_gross = sum((line.discount_gross for line in lines), Decimal("0"))
    order.total_gross_eur = gross_eur
    order.total_gross = pricing.convert(amount=gross_eur, currency=order.currency)
    order.total_net = money_round(order.total_gross * net_eur / gross_eur) if gross_eur else Decimal("0")
    order.total_vat = order.total_gross - order.total_net
    order.save(
        update_fields=[
            "phone",
            "language",
            "shipping_address",
            "shipping_gross",
            "carrier",
            "routing",
            "shop",
            "discount_gross",
            "total_gross_eur",
            "total_gross",
            "total_net",
            "total_vat",
        ]
    )


def _log(order: Order, from_status: str, to_status: str, *, user: User | None, note: str) -> None:
    OrderStatusChange.objects.create(
        order=order,
        from_status=from_status,
        to_status=to_status,
        user=user if user and user.is_authenticated else None,
        note=note[:250],
    )
