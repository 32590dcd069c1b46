"""Fixtures of the invoicing tests (reusable by the PDF, portal and admin tests).

A shop (Ajaccio store with a register, a cashier and an open session; tees and mugs at 20 % VAT,
books at 5.5 %), a customer with a default billing address, a business customer, and helpers that
buy through the real services: ``web_order`` (placed and paid with the test payment provider),
``till_sale`` (the till's ``record_sale``), ``till_return`` (``create_return``). ``on_day`` moves
everything an order did to another day (the daily run reads those dates), so a test can buy
"yesterday" without a fake clock.
"""

from __future__ import annotations

import datetime as dt
import types
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Address, CustomerProfile
from inventory import services as inventory
from invoicing.models import InvoiceQueueEntry
from orders import services as order_services
from orders.models import DeliveryMethod, Order, OrderAction, OrderStatus, OrderStatusChange
from orders.services import LineInput
from payments import services as payments
from payments.models import Payment
from pos.models import PosSale, Register, Return
from pos.services.returns import ReturnLineInput, create_return
from pos.services.sales import SaleLineInput, TenderInput, record_sale
from pos.services.sessions import open_register_session
from tests.factories import (
    LocationFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
    VatRateFactory,
    cashier,
)

D = Decimal
PARIS = ZoneInfo("Europe/Paris")


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localtime(timezone.now(), PARIS).date()


@pytest.fixture(autouse=True)
def payments_test_provider(settings):
    """Web orders are paid through the real payments services and their test provider."""
    settings.PAYMENTS_TEST_PROVIDER = True


@pytest.fixture
def shop(db):
    """Ajaccio: tee 12.50 TTC, mug 6.00 TTC (20 %), book 10.55 TTC (5.5 %), 50 of each; a register
    with an open session and its cashier. Bastia: another store."""
    aja = LocationFactory(code="AJA", name="Ajaccio", address_line="2 cours Napoléon", postal_code="20000")
    bas = LocationFactory(code="BAS", name="Bastia")
    tee = VariantFactory(sku="TEE", product__name="Tee", product__base_price_ht=D("10.4150"))
    mug = VariantFactory(sku="MUG", product__name="Mug", product__base_price_ht=D("5.0000"))
    reduced = VatRateFactory(code="reduced", name="Reduced", rate=D("0.0550"))
    book = VariantFactory(
        sku="BOOK", product=ProductFactory(name="Book", vat_rate=reduced, base_price_ht=D("10.0000"))
    )
    for variant in (tee, mug, book):
        inventory.receive_stock(variant=variant, location=aja, quantity=50)
    register = Register.objects.create(store=aja, code="aja-1", name="Ajaccio 1")
    till_user = cashier(aja, email="cashier@aja.example", first_name="Marie")
    session = open_register_session(register=register, user=till_user, opening_float=D("100.00"))
    return types.SimpleNamespace(
        aja=aja, bas=bas, tee=tee, mug=mug, book=book, register=register, cashier=till_user, session=session
    )


@pytest.fixture
def customer(db):
    """Ana Rossi, with a default billing address (and a shipping one that is not it)."""
    user = UserFactory(email="ana@example.com", first_name="Ana", last_name="Rossi")
    Address.objects.create(
        user=user,
        first_name="Ana",
        last_name="Rossi",
        line1="1 rue du Port",
        postal_code="20000",
        city="Ajaccio",
        is_default_billing=True,
    )
    Address.objects.create(
        user=user,
        first_name="Ana",
        last_name="Rossi",
        line1="9 quai Sud",
        postal_code="20200",
        city="Bastia",
        is_default_shipping=True,
    )
    return user


@pytest.fixture
def business_customer(db):
    """Corsica Textiles SARL: a company with a VAT number and a SIREN."""
    user = UserFactory(email="achats@corsica-textiles.example", first_name="Paul", last_name="Santoni")
    CustomerProfile.objects.create(
        user=user, company_name="Corsica Textiles SARL", vat_number="FR40303265045", siren="303265045"
    )
    return user


SHIPPING_ADDRESS = {
    "first_name": "Ana",
    "last_name": "Rossi",
    "line1": "9 quai Sud",
    "postal_code": "20200",
    "city": "Bastia",
    "country": "FR",
}


@pytest.fixture
def web_order(shop):
    """``web_order(customer, [(variant, qty)], shipping="4.90", method=HOME, email=None, pay=True)``."""

    def make(customer, lines, *, shipping="0", method=DeliveryMethod.HOME, email=None, pay=True):
        order = order_services.place_web_order(
            lines=[LineInput(variant, quantity) for variant, quantity in lines],
            location=shop.aja,
            delivery_method=method,
            email=email or customer.email,
            customer=customer,
            shipping_gross=D(shipping),
            shipping_address=SHIPPING_ADDRESS,
        )
        if pay:
            start = payments.start_payment(
                order=order, provider="test", return_url="/done/", cancel_url="/cancel/"
            )
            payments.confirm_test_payment(payment_id=start.payment_id, succeed=True)
        return Order.objects.get(pk=order.pk)

    return make


@pytest.fixture
def till_sale(shop):
    """``till_sale(customer_or_None, [(sku, qty)], [(tender, amount)])`` -> the store order."""

    def make(customer, lines, tenders):
        result = record_sale(
            session=shop.session,
            user=shop.cashier,
            client_uuid=uuid.uuid4(),
            lines=[SaleLineInput(sku=sku, quantity=quantity) for sku, quantity in lines],
            tenders=[TenderInput(kind=kind, amount=D(amount)) for kind, amount in tenders],
            customer=customer,
        )
        return result.order

    return make


@pytest.fixture
def till_return(shop):
    """``till_return(order, [(sku, qty)], refund="original")`` -> the Return."""

    def make(order, lines, refund="original"):
        return create_return(
            session=shop.session,
            user=shop.cashier,
            sale_number=order.number,
            lines=[ReturnLineInput(sku=sku, quantity=quantity) for sku, quantity in lines],
            refund=refund,
            contact=order.email,
        ).ret

    return make


def deliver(order: Order) -> Order:
    order = order_services.transition_order(order=order, to_status=OrderStatus.SHIPPED)
    return order_services.transition_order(order=order, to_status=OrderStatus.COMPLETED)


def on_day(order: Order, day: dt.date, *, hour: int = 12) -> None:
    """Everything ``order`` did so far (and its queue entries) happened on ``day`` at ``hour`` Paris."""
    moment = dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)
    InvoiceQueueEntry.objects.filter(order=order, run__isnull=True).update(created_at=moment)
    OrderStatusChange.objects.filter(order=order).update(created_at=moment)
    OrderAction.objects.filter(order=order).update(created_at=moment)
    Payment.objects.filter(order=order, captured_at__isnull=False).update(captured_at=moment)
    PosSale.objects.filter(order=order).update(sold_at=moment)
    Return.objects.filter(order=order).update(created_at=moment)
