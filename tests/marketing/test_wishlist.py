"""The wishlist and its alerts: back in stock (online or at a store) once per event, price drop once
per new price, promotions once; nothing without consent; the heart views and the portal page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core import events
from core.models import OutboxMessage
from inventory import services as inventory
from marketing import services, wishlist
from marketing.models import AlertSent, ConsentSource, WishlistItem
from pricing.events import PricesChanged
from pricing.models import PriceList, PriceListEntry
from tests.accounts.portal_support import shopper
from tests.factories import LocationFactory, VariantFactory
from tests.orders.cart_support import promotion

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(db):
    user = shopper(email="ana@example.com", preferred_language="en")
    services.record_account_consent(
        user=user, granted=True, source=ConsentSource.SIGNUP_FORM, text_shown="News"
    )
    return user


@pytest.fixture
def web():
    return LocationFactory(code="WEB", name="Web warehouse", kind="warehouse", sells_online=True)


@pytest.fixture
def bastia():
    return LocationFactory(code="BAS", name="Bastia", sells_online=False)


@pytest.fixture
def tee(db):
    # 10.00 HT, 12.00 TTC
    return VariantFactory(
        sku="TEE", product__name="Tee", product__slug="tee", product__base_price_ht=Decimal("10")
    )


def _stock(capture, fn, **kwargs):
    with capture(execute=True):
        fn(**kwargs)


# --- back in stock ------------------------------------------------------------------------------------


def test_back_in_stock_online_alerts_once(ana, tee, web, eager_celery, django_capture_on_commit_callbacks):
    wish = wishlist.add_wish(customer=ana, product=tee.product)
    assert wish.reference_price == Decimal("12.00")

    _stock(django_capture_on_commit_callbacks, inventory.receive_stock, variant=tee, location=web, quantity=3)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.com"]
    assert message.subject == "Back in stock: an item from your wishlist"
    assert "Tee: back in stock online" in message.body
    assert "/en/p/tee/" in message.body
    assert "List-Unsubscribe" in message.extra_headers
    assert list(AlertSent.objects.values_list("key", flat=True)) == [
        f"restock:{wish.pk}:{timezone.now().date().isoformat()}"
    ]

    # more stock (no crossing), then sold out and back the same day: no second alert
    _stock(django_capture_on_commit_callbacks, inventory.receive_stock, variant=tee, location=web, quantity=2)
    _stock(django_capture_on_commit_callbacks, inventory.sell_stock, variant=tee, location=web, quantity=5)
    _stock(django_capture_on_commit_callbacks, inventory.receive_stock, variant=tee, location=web, quantity=1)
    assert len(mail.outbox) == 1


def test_the_stock_write_only_queues_the_alert(ana, tee, web, django_capture_on_commit_callbacks):
    wishlist.add_wish(customer=ana, product=tee.product)
    with django_capture_on_commit_callbacks(execute=False):
        inventory.receive_stock(variant=tee, location=web, quantity=3)
    queued = OutboxMessage.objects.get()
    assert queued.task_name == "marketing.tasks.send_restock_alerts"
    assert queued.kwargs == {"variant_id": tee.pk, "product_id": tee.product_id, "location_id": web.pk}
    assert mail.outbox == []


def test_nobody_wishes_it_nothing_queued(tee, web, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        inventory.receive_stock(variant=tee, location=web, quantity=3)
    assert not OutboxMessage.objects.exists()


def test_not_an_alert_when_another_online_location_had_it(
    ana, tee, web, eager_celery, django_capture_on_commit_callbacks
):
    other = LocationFactory(code="AJA", name="Ajaccio", sells_online=True)
    inventory.receive_stock(variant=tee, location=other, quantity=2)
    wishlist.add_wish(customer=ana, product=tee.product)
    _stock(django_capture_on_commit_callbacks, inventory.receive_stock, variant=tee, location=web, quantity=3)
    assert mail.outbox == []


def test_back_at_the_chosen_store(ana, tee, web, bastia, eager_celery, django_capture_on_commit_callbacks):
    wishlist.add_wish(customer=ana, product=tee.product, store=bastia)
    _stock(django_capture_on_commit_callbacks, inventory.receive_stock, variant=tee, location=web, quantity=3)
    assert mail.outbox == []  # online is not the store she asked for
    _stock(
        django_capture_on_commit_callbacks, inventory.receive_stock, variant=tee, location=bastia, quantity=1
    )
    assert len(mail.outbox) == 1
    assert "Tee: back in stock at Bastia" in mail.outbox[0].body


def test_no_alert_without_consent(tee, web, eager_celery, django_capture_on_commit_callbacks):
    bob = shopper(email="bob@example.com")
    wishlist.add_wish(customer=bob, product=tee.product)
    _stock(django_capture_on_commit_callbacks, inventory.receive_stock, variant=tee, location=web, quantity=3)
    assert mail.outbox == [] and not AlertSent.objects.exists()


# --- price drops and promotions ---------------------------------------------------------------------


def _sale_price(variant, price_ht: str, code: str = "sale") -> None:
    price_list, _ = PriceList.objects.get_or_create(code=code, defaults={"name": code, "priority": 10})
    PriceListEntry.objects.update_or_create(
        price_list=price_list, variant=variant, defaults={"price_ht": Decimal(price_ht)}
    )
    with transaction.atomic():
        events.publish(PricesChanged())  # as the pricing admin does


def test_price_drop_alerts_once_per_new_price(ana, tee, eager_celery, django_capture_on_commit_callbacks):
    wish = wishlist.add_wish(customer=ana, product=tee.product)

    with django_capture_on_commit_callbacks(execute=True):
        _sale_price(tee, "8.00")  # 9.60 TTC
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Price drop on your wishlist"
    assert "Tee: now 9.60 EUR" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        _sale_price(tee, "8.00")  # the same price again: nothing
    assert wishlist.price_alerts() == 0
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        _sale_price(tee, "7.50")  # 9.00 TTC: a new price
    assert len(mail.outbox) == 2
    assert "Tee: now 9.00 EUR" in mail.outbox[1].body
    assert sorted(AlertSent.objects.values_list("key", flat=True)) == [
        f"price:{wish.pk}:9.00",
        f"price:{wish.pk}:9.60",
    ]


def test_a_higher_price_is_not_an_alert(ana, tee, eager_celery, django_capture_on_commit_callbacks):
    wishlist.add_wish(customer=ana, product=tee.product)
    with django_capture_on_commit_callbacks(execute=True):
        _sale_price(tee, "11.00")
    assert mail.outbox == []


def test_a_promotion_that_starts_after_the_wish_alerts_once(ana, tee):
    WishlistItem.objects.filter(pk=wishlist.add_wish(customer=ana, product=tee.product).pk).update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    promotion(name="Winter sale", starts_at=timezone.now() - dt.timedelta(hours=1))
    assert wishlist.price_alerts() == 1
    assert wishlist.price_alerts() == 0
    assert "Tee: on promotion: Winter sale" in mail.outbox[0].body


# --- the wishlist itself ------------------------------------------------------------------------------


def test_add_is_idempotent_and_remove_forgets(ana, tee, bastia):
    first = wishlist.add_wish(customer=ana, product=tee.product)
    again = wishlist.add_wish(customer=ana, product=tee.product, store=bastia)
    assert first.pk == again.pk and again.store == bastia
    assert WishlistItem.objects.count() == 1
    assert wishlist.remove_wish(customer=ana, product=tee.product) == 1
    assert wishlist.remove_wish(customer=ana, product=tee.product) == 0
    assert not WishlistItem.objects.exists()


def test_another_variant_coming_back_is_not_a_restock_of_a_product_in_stock(
    ana, tee, web, eager_celery, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    medium = VariantFactory(product=tee.product, sku="TEE-M")
    inventory.receive_stock(variant=tee, location=web, quantity=2)
    wishlist.add_wish(customer=ana, product=tee.product)
    _stock(
        django_capture_on_commit_callbacks, inventory.receive_stock, variant=medium, location=web, quantity=1
    )
    assert mail.outbox == []

    wishlist.add_wish(customer=ana, product=tee.product, variant=medium)  # M itself: it is a restock
    _stock(cap, inventory.sell_stock, variant=medium, location=web, quantity=1)
    _stock(
        django_capture_on_commit_callbacks, inventory.receive_stock, variant=medium, location=web, quantity=1
    )
    assert len(mail.outbox) == 1
