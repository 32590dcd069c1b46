"""Fixtures and helpers of the returns, exchanges, pickups and customers tests (RETURNS).

Imported with ``from tests.pos.returns_support import *`` so pytest sees the fixtures. Store sales
are written here row by row (order, lines, stock sold through ``inventory.services``, tenders, cash
movements) so these tests do not depend on how the sale service prices a basket.
"""

import types
import uuid
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from core.numbering import next_number
from inventory import services as inventory
from inventory.models import StockLevel, StockMovement
from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus
from pos.models import (
    CashMovement,
    PosSale,
    Register,
    SaleTender,
)
from pos.services.sessions import open_register_session
from tests.factories import LocationFactory, VariantFactory, cashier

__all__ = ["pos", "sale", "level", "ledger", "snapshot", "D"]

D = Decimal


@pytest.fixture
def pos(db):
    """Ajaccio with an open session on register AJA-1 (cashier Anna), Bastia with its own (Bruno);
    10 tees (12.50 TTC) and 10 mugs (6.00 TTC) on the Ajaccio shelf."""
    aja = LocationFactory(code="AJA", name="Ajaccio")
    bas = LocationFactory(code="BAS", name="Bastia")
    anna = cashier(aja, first_name="Anna", last_name="Rossi")
    bruno = cashier(bas, first_name="Bruno")
    reg = Register.objects.create(store=aja, code="AJA-1", name="Caisse 1")
    reg_bas = Register.objects.create(store=bas, code="BAS-1", name="Caisse 1")
    session = open_register_session(register=reg, user=anna, opening_float=D("100.00"))
    session_bas = open_register_session(register=reg_bas, user=bruno, opening_float=D("50.00"))
    tee = VariantFactory(sku="TEE", product__name="Tee", product__base_price_ht=D("10.4150"))
    mug = VariantFactory(sku="MUG", product__name="Mug", product__base_price_ht=D("5.0000"))
    inventory.receive_stock(variant=tee, location=aja, quantity=10, reference="PO-1")
    inventory.receive_stock(variant=mug, location=aja, quantity=10, reference="PO-1")
    return types.SimpleNamespace(
        aja=aja,
        bas=bas,
        anna=anna,
        bruno=bruno,
        register=reg,
        session=session,
        session_bas=session_bas,
        tee=tee,
        mug=mug,
    )


def _line(order, variant, quantity, total_gross):
    total_gross = D(total_gross)
    net = (total_gross / D("1.2")).quantize(D("0.01"))
    return OrderLine.objects.create(
        order=order,
        variant=variant,
        sku=variant.sku,
        name=variant.product.name,
        quantity=quantity,
        unit_price_net=(net / quantity).quantize(D("0.0001")),
        vat_rate=D("0.2000"),
        total_net=net,
        total_vat=total_gross - net,
        total_gross=total_gross,
    )


@transaction.atomic
def sale(pos, lines, tenders, *, session=None, customer=None):
    """A completed store sale at the session's store: ``lines`` [(variant, qty, total_gross)],
    ``tenders`` [(tender, amount, change_given, reference)]; stock sold, cash movements written.
    One transaction, as the sale service's (``next_number`` needs it in ``transaction=True`` tests)."""
    with transaction.atomic():
        return _sale(pos, lines, tenders, session=session, customer=customer)


def _sale(pos, lines, tenders, *, session, customer):
    session = session or pos.session
    store = session.register.store
    year = timezone.localdate().year
    total = sum((D(t) for _, _, t in lines), D("0"))
    order = Order.objects.create(
        number=f"S{year}-{next_number(f'order-S-{year}'):06d}",
        channel=Channel.STORE,
        status=OrderStatus.COMPLETED,
        delivery_method=DeliveryMethod.IN_STORE,
        location=store,
        customer=customer,
        email=customer.email if customer else "",
        reference=str(uuid.uuid4()),
        total_gross=total,
        total_gross_eur=total,
        total_net=(total / D("1.2")).quantize(D("0.01")),
        total_vat=total - (total / D("1.2")).quantize(D("0.01")),
    )
    for variant, quantity, total_gross in lines:
        _line(order, variant, quantity, total_gross)
        inventory.sell_stock(variant=variant, location=store, quantity=quantity, reference=order.number)
    for tender, amount, change, reference in tenders:
        SaleTender.objects.create(
            order=order,
            session=session,
            tender=tender,
            amount=D(amount),
            change_given=D(change),
            authorisation_reference=reference,
        )
        CashMovement.objects.create(
            session=session,
            kind="sale",
            tender=tender,
            amount=D(amount) - D(change),
            reference=order.number,
            user=session.opened_by,
        )
    PosSale.objects.create(
        order=order,
        session=session,
        client_uuid=uuid.UUID(order.reference),
        cashier=session.opened_by,
        sold_at=timezone.now(),
    )
    return order


def level(variant, location):
    lv = StockLevel.objects.filter(variant=variant, location=location).first()
    return (lv.on_hand, lv.reserved) if lv else (0, 0)


def ledger(variant, location):
    sums = StockMovement.objects.filter(variant=variant, location=location).aggregate(
        q=Sum("quantity"), r=Sum("reserved_delta")
    )
    return sums["q"] or 0, sums["r"] or 0


def snapshot():
    """Everything a refused return must leave as it was."""
    from pos.models import DamagedGoods, Return, ReturnLine, ReturnRefund, StoreCredit

    return (
        Return.objects.count(),
        ReturnLine.objects.count(),
        ReturnRefund.objects.count(),
        StoreCredit.objects.count(),
        DamagedGoods.objects.count(),
        CashMovement.objects.count(),
        StockMovement.objects.count(),
        sorted(StockLevel.objects.values_list("variant_id", "location_id", "on_hand", "reserved")),
        sorted(Order.objects.values_list("number", "status")),
    )
