"""Fixtures and helpers of the portal returns (RMA) tests.

Imported with ``from tests.logistics.returns_support import *`` so pytest sees the fixtures. Orders are
placed, paid (the payments test provider: the outside boundary), shipped and completed through the
real services; nothing of our own code is faked.

Prices (VAT 20 %): TEE 12.50 TTC (200 g), MUG 6.00 TTC (400 g). The warehouse WEB starts with 5 tees and
3 mugs; the stores AJA and BAS with none.
"""

from __future__ import annotations

import datetime as dt
import types
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from inventory import services as inventory
from inventory.models import LocationKind, StockLevel, StockMovement
from orders import services as order_services
from orders.models import DeliveryMethod, Order, OrderStatus, OrderStatusChange
from orders.services import LineInput
from payments import services as payments
from tests.factories import LocationFactory, UserFactory, VariantFactory

__all__ = [
    "payments_test_provider",
    "rshop",
    "delivered_order",
    "age_delivery",
    "on_hand",
    "return_rows",
    "D",
    "ADDRESS",
]

D = Decimal
ADDRESS = {
    "first_name": "Ana",
    "last_name": "Colonna",
    "line1": "3 rue Fesch",
    "line2": "",
    "postal_code": "20000",
    "city": "Ajaccio",
    "country": "FR",
    "phone": "06 12 34 56 78",
}


@pytest.fixture(autouse=True)
def payments_test_provider(settings):
    settings.PAYMENTS_TEST_PROVIDER = True
    settings.RETURN_WINDOW_DAYS = 14
    settings.RETURNS_CARRIER = "colissimo"
    settings.RETURNS_WAREHOUSE = ""


@pytest.fixture
def rshop(db):
    web = LocationFactory(
        code="WEB",
        name="Warehouse",
        kind=LocationKind.WAREHOUSE,
        address_line="Zone industrielle du Vazzio",
        postal_code="20090",
        city="Ajaccio",
    )
    aja = LocationFactory(code="AJA", name="Ajaccio", address_line="2 cours Napoléon", postal_code="20000")
    bas = LocationFactory(code="BAS", name="Bastia", city="Bastia", postal_code="20200")
    tee = VariantFactory(
        sku="TEE", product__name="Tee-shirt", product__base_price_ht=D("10.4150"), weight_grams=200
    )
    mug = VariantFactory(sku="MUG", product__name="Mug", product__base_price_ht=D("5.0000"), weight_grams=400)
    inventory.receive_stock(variant=tee, location=web, quantity=5, reference="PO-1")
    inventory.receive_stock(variant=mug, location=web, quantity=3, reference="PO-1")
    shopper = UserFactory(email="ana@example.com", first_name="Ana", last_name="Colonna")
    return types.SimpleNamespace(web=web, aja=aja, bas=bas, tee=tee, mug=mug, shopper=shopper)


def delivered_order(
    shop, *, tees=2, mugs=1, method=DeliveryMethod.HOME, customer=None, language="fr", complete=True
) -> Order:
    """A web order placed at the warehouse, paid with the test provider, shipped and delivered."""
    lines = ([LineInput(shop.tee, tees)] if tees else []) + ([LineInput(shop.mug, mugs)] if mugs else [])
    customer = customer or shop.shopper
    order = order_services.place_web_order(
        lines=lines,
        location=shop.web if method == DeliveryMethod.HOME else shop.aja,
        delivery_method=method,
        email=customer.email,
        customer=customer,
        phone="06 12 34 56 78",
        language=language,
        shipping_address=ADDRESS if method == DeliveryMethod.HOME else None,
        carrier="colissimo" if method == DeliveryMethod.HOME else "",
    )
    start = payments.start_payment(order=order, provider="test", return_url="/done/", cancel_url="/cancel/")
    payments.confirm_test_payment(payment_id=start.payment_id, succeed=True)
    order.refresh_from_db()
    if complete:
        middle = OrderStatus.SHIPPED if method == DeliveryMethod.HOME else OrderStatus.READY_FOR_PICKUP
        order_services.transition_order(order=order, to_status=middle)
        order_services.transition_order(order=order, to_status=OrderStatus.COMPLETED)
        order.refresh_from_db()
    return order


def age_delivery(order: Order, days: float) -> None:
    """Pretend the order was delivered ``days`` ago."""
    OrderStatusChange.objects.filter(order=order, to_status=OrderStatus.COMPLETED).update(
        created_at=timezone.now() - dt.timedelta(days=days)
    )


def on_hand(variant, location) -> int:
    level = StockLevel.objects.filter(variant=variant, location=location).first()
    return level.on_hand if level else 0


def return_rows(variant, location) -> list[tuple[str, int, str]]:
    """The ledger rows of reason return at a location: (reason, quantity, reference)."""
    rows = StockMovement.objects.filter(variant=variant, location=location, reason="return").order_by("id")
    return [(m.reason, m.quantity, m.reference) for m in rows]


def ledger_sum(variant, location) -> int:
    return (
        StockMovement.objects.filter(variant=variant, location=location).aggregate(q=Sum("quantity"))["q"]
        or 0
    )
