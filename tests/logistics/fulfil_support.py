"""Paid home-delivery orders for the routing, picking and packing tests (plain functions)."""

from __future__ import annotations

from inventory import services as inventory
from orders.models import DeliveryMethod, Order
from orders.services import checkout
from tests.logistics.shop import ADDRESS, make_cart

URL = "/en/checkout/done/{number}/"


def place(*lines, email: str = "ana@example.com") -> Order:
    """A home-delivery order awaiting payment (checkout routes it)."""
    order, _payment = checkout.start_checkout(
        cart=make_cart(*lines),
        user=None,
        email=email,
        language="en",
        delivery_method=DeliveryMethod.HOME,
        shipping_address=ADDRESS,
        carrier="colissimo",
        provider="test",
        return_url=URL,
        cancel_url=URL,
    )
    return order


def pay(order: Order, capture) -> Order:
    """Capture the test payment and run what follows the commit (``order.paid``: the shipments)."""
    with capture(execute=True):
        checkout.confirm_test_payment(order=order)
    order.refresh_from_db()
    return order


def paid_order(capture, *lines, email: str = "ana@example.com") -> Order:
    return pay(place(*lines, email=email), capture)


def receive(variant, location, quantity: int) -> None:
    inventory.receive_stock(variant=variant, location=location, quantity=quantity, reference="PO-2")
