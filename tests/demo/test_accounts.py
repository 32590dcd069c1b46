"""The portal's demo data: the demo shopper's addresses and order history, added once."""

import pytest

from demo.seed import accounts as demo
from inventory import services as inventory
from orders.models import OrderStatus
from tests.accounts.portal_support import shopper
from tests.factories import LocationFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_seed_gives_the_demo_shopper_addresses_and_orders_once(django_capture_on_commit_callbacks):
    user = shopper(email=demo.DEMO_SHOPPER, first_name="Laetitia", last_name="Santoni")
    aja = LocationFactory(code="AJA", name="Ajaccio")
    for sku in ("A-1", "B-1", "C-1"):
        inventory.receive_stock(variant=VariantFactory(sku=sku), location=aja, quantity=5)

    with django_capture_on_commit_callbacks(execute=True):
        first = demo.seed()
    again = demo.seed()

    assert first == {"addresses": 2, "orders": 2}
    assert again == {"addresses": 0, "orders": 0}
    assert list(user.addresses.order_by("id").values_list("label", "is_default_shipping")) == [
        ("Maison", True),
        ("Bureau", False),
    ]
    user.refresh_from_db()
    assert (user.phone, user.preferred_language) == ("+33 6 12 34 56 78", "fr")
    assert sorted(user.orders.values_list("delivery_method", "status")) == [
        ("click_collect", OrderStatus.READY_FOR_PICKUP),
        ("home", OrderStatus.PAID),
    ]


def test_seed_without_the_demo_shopper_does_nothing():
    assert demo.seed() == {"addresses": 0, "orders": 0}
