"""Fixtures of the POS tests: two stores with a register each, their staff, stocked products."""

import uuid
from decimal import Decimal

import pytest

from inventory import services as inventory
from pos.models import Register
from pos.services.sales import SaleLineInput, TenderInput, record_sale
from pos.services.sessions import open_register_session
from tests.core.api_helpers import api_client
from tests.factories import ProductFactory, VariantFactory, cashier, manager, store_manager


@pytest.fixture
def register(store):
    return Register.objects.create(store=store, code="aja-1", name="Ajaccio 1")


@pytest.fixture
def register2(store):
    return Register.objects.create(store=store, code="aja-2", name="Ajaccio 2")


@pytest.fixture
def other_register(other_store):
    return Register.objects.create(store=other_store, code="bas-1", name="Bastia 1")


@pytest.fixture
def cashier_user(store):
    return cashier(store, email="cashier@aja.example", first_name="Marie")


@pytest.fixture
def manager_user(store):
    return store_manager(store, email="manager@aja.example")


@pytest.fixture
def other_cashier(other_store):
    return cashier(other_store, email="cashier@bas.example")


@pytest.fixture
def hq_user(db):
    return manager(email="boss@example.com")


@pytest.fixture
def session(register, cashier_user):
    return open_register_session(register=register, user=cashier_user, opening_float=Decimal("100.00"))


@pytest.fixture
def tshirt(store):
    """12.00 TTC (10.00 HT + 20 % VAT), 5 in stock at AJA."""
    variant = VariantFactory(
        sku="TSHIRT-M-RED", product=ProductFactory(name="T-shirt", base_price_ht=Decimal("10"))
    )
    inventory.receive_stock(variant=variant, location=store, quantity=5, reference="PO-1")
    return variant


@pytest.fixture
def mug(store):
    """7.50 TTC (6.25 HT + 20 % VAT), 3 in stock at AJA."""
    variant = VariantFactory(sku="MUG-1", product=ProductFactory(name="Mug", base_price_ht=Decimal("6.25")))
    inventory.receive_stock(variant=variant, location=store, quantity=3, reference="PO-1")
    return variant


@pytest.fixture
def client_for():
    return api_client


@pytest.fixture
def sell():
    """``sell(session, user, [(sku, qty)], [(kind, amount)], **kwargs)`` -> SaleResult."""

    def run(session, user, lines, tenders, **kwargs):
        return record_sale(
            session=session,
            user=user,
            client_uuid=kwargs.pop("client_uuid", uuid.uuid4()),
            lines=[SaleLineInput(sku=sku, quantity=q) for sku, q in lines],
            tenders=[TenderInput(kind=k, amount=Decimal(a)) for k, a in tenders],
            **kwargs,
        )

    return run
