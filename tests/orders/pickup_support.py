"""Fixtures and helpers shared by the pickup, transition and notification tests.

Imported with ``from tests.orders.pickup_support import *`` so pytest sees the fixtures.
"""

import datetime as dt
import types
from decimal import Decimal

import pytest
from django.db.models import Sum

from inventory import services as inventory
from inventory.models import StockLevel, StockMovement
from orders import services
from orders.models import DeliveryMethod, Order
from orders.services import LineInput
from payments import services as payments
from payments.models import Refund
from tests.factories import LocationFactory, UserFactory, VariantFactory

__all__ = [
    "payments_test_provider",
    "shop",
    "level",
    "ledger",
    "reasons",
    "place",
    "pay_with_test_provider",
    "refunds_made",
    "DAY",
]

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def payments_test_provider(settings):
    """Orders are paid and refunded through the real ``payments.services`` and its test provider.

    The test provider is the outside system's boundary: no network, a "Pay" button, refunds that
    succeed. Nothing of our own code is faked."""
    settings.PAYMENTS_TEST_PROVIDER = True


@pytest.fixture
def shop(db):
    """The Ajaccio boutique with 5 tees (12.50 TTC) and 3 mugs (6.00 TTC); Bastia, another store."""
    aja = LocationFactory(code="AJA", name="Ajaccio", address_line="2 cours Napoléon", postal_code="20000")
    bas = LocationFactory(code="BAS", name="Bastia")
    tee = VariantFactory(sku="TEE", product__name="Tee", product__base_price_ht=Decimal("10.4150"))
    mug = VariantFactory(sku="MUG", product__name="Mug", product__base_price_ht=Decimal("5.0000"))
    inventory.receive_stock(variant=tee, location=aja, quantity=5)
    inventory.receive_stock(variant=mug, location=aja, quantity=3)
    return types.SimpleNamespace(aja=aja, bas=bas, tee=tee, mug=mug)


def level(variant, location) -> tuple[int, int]:
    lv = StockLevel.objects.get(variant=variant, location=location)
    return lv.on_hand, lv.reserved


def ledger(variant, location) -> tuple[int, int]:
    sums = StockMovement.objects.filter(variant=variant, location=location).aggregate(
        q=Sum("quantity"), r=Sum("reserved_delta")
    )
    return sums["q"] or 0, sums["r"] or 0


def reasons(variant, location) -> list[tuple[str, int, int]]:
    """The ledger rows after the receipt, oldest first: (reason, quantity, reserved_delta)."""
    rows = StockMovement.objects.filter(variant=variant, location=location).order_by("created_at", "id")
    return [(m.reason, m.quantity, m.reserved_delta) for m in rows][1:]


def place(
    shop, *, method=DeliveryMethod.CLICK_AND_COLLECT, tees=2, mugs=1, language="fr", phone="06 12 34 56 78"
):
    lines = ([LineInput(shop.tee, tees)] if tees else []) + ([LineInput(shop.mug, mugs)] if mugs else [])
    customer = UserFactory()
    return services.place_web_order(
        lines=lines,
        location=shop.aja,
        delivery_method=method,
        email=customer.email,
        customer=customer,
        phone=phone,
        language=language,
    )


def pay_with_test_provider(order) -> Order:
    """Pay as the shopper does: start a payment with the test provider and press "Pay" on its page."""
    start = payments.start_payment(order=order, provider="test", return_url="/done/", cancel_url="/cancel/")
    payments.confirm_test_payment(payment_id=start.payment_id, succeed=True)
    return Order.objects.get(pk=order.pk)


def refunds_made() -> list[tuple[str, Decimal, str, str]]:
    """The real refunds, oldest first: (order number, amount, refund status, reason)."""
    rows = Refund.objects.select_related("payment__order").order_by("created_at", "id")
    return [(r.payment.order.number, r.amount, r.status, r.reason) for r in rows]
