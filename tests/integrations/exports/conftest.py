"""Fixtures of the ERP export tests: a shop that sells online (the checkout with a coupon and the
test payment provider) and at an Ajaccio till (register, cashier, open session), and folders for
the ERP's outbox and inbox."""

from __future__ import annotations

import types
import uuid
from decimal import Decimal

import pytest

from inventory import services as inventory
from orders.models import DeliveryMethod, Order
from orders.services import checkout
from payments import services as payments
from pos.models import Register
from pos.services.returns import ReturnLineInput, create_return
from pos.services.sales import SaleLineInput, TenderInput, record_sale
from pos.services.sessions import open_register_session
from tests.factories import cashier
from tests.logistics.shop import ADDRESS, make_cart, make_shop

D = Decimal


@pytest.fixture(autouse=True)
def erp_dirs(settings, tmp_path):
    settings.PAYMENTS_TEST_PROVIDER = True
    settings.ERP_OUTBOX_DIR = tmp_path / "outbox"
    settings.ERP_INBOX_DIR = tmp_path / "inbox"
    settings.ERP_ACK_INBOX_DIR = ""
    settings.ERP_EXPORT_PROFILE = "generic"
    settings.ERP_EXPORT_FORMAT = "csv"
    settings.ERP_EXPORT_BATCH_SIZE = 500
    (tmp_path / "inbox").mkdir()
    return types.SimpleNamespace(outbox=tmp_path / "outbox", inbox=tmp_path / "inbox")


@pytest.fixture
def shop(db):
    shop = make_shop()
    for variant in (shop.tee, shop.mug):  # enough for the till tests at Ajaccio
        inventory.receive_stock(variant=variant, location=shop.aja, quantity=50, reference="PO-2")
    register = Register.objects.create(store=shop.aja, code="aja-1", name="Ajaccio 1")
    till_user = cashier(shop.aja, email="cashier@aja.example")
    session = open_register_session(register=register, user=till_user, opening_float=D("100.00"))
    return types.SimpleNamespace(
        warehouse=shop.warehouse, aja=shop.aja, tee=shop.tee, mug=shop.mug, cashier=till_user, session=session
    )


def web_order(*lines, user=None, coupon_code="", failed_attempts=0, pay=True) -> Order:
    """A checkout (home delivery, Colissimo), ``failed_attempts`` declined payments, then one paid."""
    order, start = checkout.start_checkout(
        cart=make_cart(*lines, user=user, coupon_code=coupon_code),
        user=user,
        email=user.email if user else "guest@example.com",
        delivery_method=DeliveryMethod.HOME,
        shipping_address=ADDRESS,
        carrier="colissimo",
        provider="test",
        return_url="/done/",
        cancel_url="/done/",
    )
    assert start is not None
    for attempt in range(failed_attempts + (1 if pay else 0)):
        if attempt:
            start = payments.start_payment(
                order=order, provider="test", return_url="/done/", cancel_url="/done/"
            )
        payments.confirm_test_payment(payment_id=start.payment_id, succeed=attempt >= failed_attempts)
    return Order.objects.get(pk=order.pk)


def till_sale(shop, lines, tenders, customer=None) -> Order:
    return record_sale(
        session=shop.session,
        user=shop.cashier,
        client_uuid=uuid.uuid4(),
        lines=[SaleLineInput(sku=sku, quantity=quantity) for sku, quantity in lines],
        tenders=[TenderInput(kind=kind, amount=D(amount)) for kind, amount in tenders],
        customer=customer,
    ).order


def till_return(shop, order, lines, refund="original"):
    return create_return(
        session=shop.session,
        user=shop.cashier,
        sale_number=order.number,
        lines=[ReturnLineInput(sku=sku, quantity=quantity) for sku, quantity in lines],
        refund=refund,
        contact=order.email,
    ).ret
