"""Fixtures and helpers shared by the pickup, transition and notification tests.

Imported with ``from tests.orders.pickup_support import *`` so pytest sees the fixtures.
"""

import datetime as dt
import sys
import types
from decimal import Decimal

import pytest
from django.db.models import Sum

from core import sms
from core.sms.backends.locmem import SmsBackend as LocmemSms
from inventory import services as inventory
from inventory.models import StockLevel, StockMovement
from orders import services
from orders.models import DeliveryMethod
from orders.services import LineInput
from tests.factories import LocationFactory, UserFactory, VariantFactory

__all__ = [
    "eager_celery",
    "sms_outbox",
    "refunds",
    "shop",
    "fast_passwords",
    "level",
    "ledger",
    "reasons",
    "place",
    "DAY",
]

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eager_celery(settings):
    """Run Celery tasks in-process, even when REDIS_URL (CI) turned eager mode off."""
    from config.celery_app import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture
def sms_outbox(settings):
    """The locmem SMS backend (the fake SMS provider): messages land in the returned list."""
    settings.SMS_BACKEND = "core.sms.backends.locmem.SmsBackend"
    sms.outbox.clear()
    LocmemSms.fail_next = 0
    yield sms.outbox
    sms.outbox.clear()
    LocmemSms.fail_next = 0


@pytest.fixture
def refunds(monkeypatch):
    """Stands in for the payment provider side of ``payments.services.refund_order``: records calls.

    (PAYMENTS is written in parallel; the fake keeps these tests about orders, not providers.)"""
    calls: list[dict] = []

    def fake_refund_order(*, order, reason, user=None):
        calls.append({"number": order.number, "status": order.status, "reason": reason, "user": user})
        return {"refunded": str(order.total_gross)}

    try:
        import payments.services as module
    except ImportError:  # pragma: no cover - before PAYMENTS lands
        module = types.ModuleType("payments.services")
        monkeypatch.setitem(sys.modules, "payments.services", module)
        import payments

        monkeypatch.setattr(payments, "services", module, raising=False)
    monkeypatch.setattr(module, "refund_order", fake_refund_order, raising=False)
    return calls


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
