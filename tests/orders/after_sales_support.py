"""Helpers for the after-sales tests: a discounted order whose line does not split evenly, a
fulfilment port to register for a test, and "nothing changed" snapshots."""

from __future__ import annotations

import contextlib
from decimal import Decimal

from inventory.models import Reservation, StockLevel, StockMovement
from orders import fulfilment, services
from orders.fulfilment import ParcelInfo
from orders.models import DeliveryMethod, NotificationLog, Order, OrderAction, OrderLine, OrderStatusChange
from orders.services import LineInput
from payments.models import Payment, PaymentEvent, Refund
from tests.factories import UserFactory

D = Decimal


SHIPPING = D("4.90")


def place_discounted(shop, *, method=DeliveryMethod.HOME, tees=3, mugs=1, shipping=SHIPPING, language="fr"):
    """3 tees (37.50) + 1 mug (6.00) with 1.00 off: tee line 36.64 (12.21 + 12.22 + 12.21), mug 5.86;
    with 4.90 shipping the order is 47.40 EUR."""
    customer = UserFactory()
    lines = ([LineInput(shop.tee, tees)] if tees else []) + ([LineInput(shop.mug, mugs)] if mugs else [])
    return services.place_web_order(
        lines=lines,
        location=shop.aja,
        delivery_method=method,
        email=customer.email,
        customer=customer,
        phone="06 12 34 56 78",
        language=language,
        shipping_gross=shipping if method == DeliveryMethod.HOME else D("0"),
        order_discount=D("1.00"),
        shipping_address={"first_name": "Ana", "last_name": "Rossi", "city": "Ajaccio"},
    )


def line_of(order: Order, sku: str) -> OrderLine:
    return OrderLine.objects.get(order=order, sku=sku)


class FakeFulfilment:
    """A ``FulfilmentState`` with fixed answers (what logistics would report)."""

    def __init__(self, beyond: dict[int, int] | None = None, parcels: list[ParcelInfo] | None = None):
        self.beyond = beyond or {}
        self.parcel_list = parcels or []

    def units_beyond_recall(self, order_id: int) -> dict[int, int]:
        return self.beyond

    def parcels(self, order_id: int) -> list[ParcelInfo]:
        return self.parcel_list


@contextlib.contextmanager
def registered(implementation):
    previous = fulfilment._implementation
    fulfilment.register_fulfilment_state(implementation)
    try:
        yield implementation
    finally:
        fulfilment._implementation = previous


def snapshot(order: Order) -> tuple:
    """Everything an after-sales action could write."""
    order = Order.objects.get(pk=order.pk)
    return (
        order.status,
        order.refunded_gross,
        order.shipping_refunded,
        list(
            OrderLine.objects.filter(order=order)
            .order_by("id")
            .values_list("quantity_cancelled", "quantity_returned", "quantity_refunded", "refunded_gross")
        ),
        OrderAction.objects.count(),
        OrderStatusChange.objects.count(),
        NotificationLog.objects.count(),
        Refund.objects.count(),
        PaymentEvent.objects.count(),
        list(Payment.objects.order_by("pk").values_list("status", flat=True)),
        StockMovement.objects.count(),
        list(StockLevel.objects.order_by("pk").values_list("on_hand", "reserved")),
        list(Reservation.objects.order_by("pk").values_list("status", "quantity")),
    )
