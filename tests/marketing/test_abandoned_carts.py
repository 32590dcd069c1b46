"""Abandoned carts: a reminder at 1 h and at 24 h, once per cart state, stopped by a purchase or an
unsubscribe, with a signed restore link; guests only with the box ticked at checkout."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from marketing import abandoned_carts, services
from marketing.models import CartContact, CartReminder, Consent, ConsentSource, ReminderStatus
from orders.models import Cart, CartStatus
from orders.services import cart as cart_services
from pricing.models import Coupon, CouponOrigin
from storefront.cart_session import SESSION_KEY
from tests.accounts.portal_support import order, shopper
from tests.orders.cart_support import make_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return make_shop()


@pytest.fixture
def ana(db):
    user = shopper(email="ana@example.com", preferred_language="en")
    services.record_account_consent(
        user=user, granted=True, source=ConsentSource.SIGNUP_FORM, text_shown="News"
    )
    return user


def _cart(user, shop, quantity=2) -> Cart:
    _aja, tee, mug = shop
    cart = cart_services.open_cart(currency="EUR", user=user)
    cart_services.add_to_cart(cart=cart, variant=tee, quantity=quantity)
    cart_services.add_to_cart(cart=cart, variant=mug, quantity=1)
    return cart


def _age(cart: Cart, **delta) -> None:
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now() - dt.timedelta(**delta))


def _scan(capture) -> int:
    with capture(execute=True):
        return abandoned_carts.scan_abandoned_carts().queued


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/(?:en|fr|it)/cart/restore/[^/\s]+/)", message.body).group(1)


def test_first_reminder_after_an_hour_second_after_a_day_each_once(
    ana, shop, eager_celery, django_capture_on_commit_callbacks, settings
):
    settings.MARKETING_CART_COUPON_PERCENT = 10
    cart = _cart(ana, shop)
    _age(cart, minutes=59)
    assert _scan(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []

    _age(cart, minutes=61)
    assert _scan(django_capture_on_commit_callbacks) == 1
    assert _scan(django_capture_on_commit_callbacks) == 0  # the same state is never reminded twice
    assert len(mail.outbox) == 1
    first = mail.outbox[0]
    assert first.to == ["ana@example.com"]
    assert first.subject == "You left something in your cart"
    assert "2 x Tee (TEE)" in first.body and "1 x Mug (MUG)" in first.body
    assert "List-Unsubscribe" in first.extra_headers
    assert "/en/cart/restore/" in first.body
    assert "off this order" not in first.body  # no coupon in the first one

    _age(cart, hours=25)
    assert _scan(django_capture_on_commit_callbacks) == 1
    assert _scan(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2
    second = mail.outbox[1]
    assert second.subject == "Your cart is still waiting for you"
    coupon = Coupon.objects.get(origin=CouponOrigin.ABANDONED_CART)
    assert coupon.customer == ana and coupon.max_uses == 1
    assert coupon.promotion.value == 10 and coupon.promotion.requires_coupon
    assert f"With the code {coupon.code}, you get 10% off this order" in second.body
    steps = list(CartReminder.objects.filter(cart=cart).values_list("step", "status"))
    assert sorted(steps) == [(1, ReminderStatus.SENT), (2, ReminderStatus.SENT)]


def test_a_cart_seen_first_after_a_day_gets_only_the_second_reminder(
    ana, shop, eager_celery, django_capture_on_commit_callbacks
):
    cart = _cart(ana, shop)
    _age(cart, hours=30)
    assert _scan(django_capture_on_commit_callbacks) == 1
    _age(cart, hours=31)
    assert _scan(django_capture_on_commit_callbacks) == 0
    assert [r.step for r in CartReminder.objects.filter(cart=cart)] == [2]
    assert len(mail.outbox) == 1


def test_same_state_touched_again_is_not_reminded_a_changed_cart_starts_again(
    ana, shop, eager_celery, django_capture_on_commit_callbacks
):
    cart = _cart(ana, shop)
    _age(cart, hours=2)
    assert _scan(django_capture_on_commit_callbacks) == 1
    _age(cart, hours=1, minutes=30)  # touched (e.g. restored), lines unchanged
    assert _scan(django_capture_on_commit_callbacks) == 0

    _aja, tee, _mug = shop
    CartReminder.objects.update(created_at=timezone.now() - dt.timedelta(hours=3))  # sent before...
    cart_services.set_cart_line_quantity(cart=cart, variant=tee, quantity=3)  # ...this change
    _age(cart, hours=2)
    assert _scan(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 2
    assert "3 x Tee (TEE)" in mail.outbox[1].body


def test_a_purchase_stops_the_reminders(ana, shop, eager_celery, django_capture_on_commit_callbacks):
    cart = _cart(ana, shop)
    Cart.objects.filter(pk=cart.pk).update(status=CartStatus.CHECKED_OUT)
    _age(cart, hours=2)
    assert _scan(django_capture_on_commit_callbacks) == 0

    other = _cart(ana, shop)  # a new cart, then an order placed (another cart, another channel)
    _age(other, hours=2)
    with django_capture_on_commit_callbacks(execute=False):  # queued, not yet sent
        assert abandoned_carts.scan_abandoned_carts().queued == 1
    placed = order(ana, "W-1")
    type(placed).objects.filter(pk=placed.pk).update(created_at=timezone.now())
    reminder = CartReminder.objects.get(cart=other)
    assert abandoned_carts.send_cart_reminder(reminder_id=reminder.pk) is False
    reminder.refresh_from_db()
    assert (reminder.status, reminder.reason) == (ReminderStatus.SKIPPED, "bought")
    assert mail.outbox == []


def test_an_unsubscribe_stops_the_reminders(ana, shop, eager_celery, django_capture_on_commit_callbacks):
    cart = _cart(ana, shop)
    _age(cart, hours=2)
    with django_capture_on_commit_callbacks(execute=False):
        assert abandoned_carts.scan_abandoned_carts().queued == 1
    services.withdraw(person=ana)  # the unsubscribe link, between the scan and the send
    reminder = CartReminder.objects.get(cart=cart)
    assert abandoned_carts.send_cart_reminder(reminder_id=reminder.pk) is False
    assert CartReminder.objects.get(pk=reminder.pk).reason == "no consent"

    _age(cart, hours=30)  # and no later step is even queued
    assert _scan(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_no_reminder_without_consent(shop, eager_celery, django_capture_on_commit_callbacks):
    bob = shopper(email="bob@example.com")
    cart = _cart(bob, shop)
    _age(cart, hours=2)
    assert _scan(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == [] and not CartReminder.objects.exists()


# --- guests -----------------------------------------------------------------------------------------


def _guest_cart(client, shop) -> Cart:
    cart = _cart(None, shop)
    session = client.session
    session[SESSION_KEY] = str(cart.token)
    session.save()
    return cart


def test_a_guest_who_ticked_the_box_gets_the_reminder(
    client, shop, eager_celery, django_capture_on_commit_callbacks
):
    cart = _guest_cart(client, shop)
    response = client.post(
        "/en/checkout/reminders/", {"remind": "1", "email": "Guest@Example.com"}, HTTP_USER_AGENT="UA"
    )
    assert response.status_code == 200 and response.json() == {"remembered": True}
    contact = CartContact.objects.get(cart=cart)
    assert contact.email == "guest@example.com"
    assert services.may_send(person="guest@example.com")
    event = Consent.objects.get(address="guest@example.com").events.get()
    assert event.source == ConsentSource.CHECKOUT and "reminder of my cart" in event.text_shown
    assert event.user_agent == "UA"

    _age(cart, hours=2)
    assert _scan(django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [["guest@example.com"]]


def test_the_checkout_form_remembers_the_ticked_box(client, shop, eager_celery):
    cart = _guest_cart(client, shop)
    response = client.post("/en/checkout/", {"action": "refresh", "email": "g@example.com", "remind": "1"})
    assert response.status_code == 200
    assert CartContact.objects.get(cart=cart).email == "g@example.com"


def test_a_guest_without_the_box_gets_nothing(client, shop, eager_celery, django_capture_on_commit_callbacks):
    cart = _guest_cart(client, shop)
    response = client.post("/en/checkout/", {"action": "refresh", "email": "g@example.com"})
    assert response.status_code == 200
    response = client.post("/en/checkout/reminders/", {"email": "g@example.com"})
    assert response.status_code == 400
    assert not CartContact.objects.exists()
    _age(cart, hours=2)
    assert _scan(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_a_bad_address_is_refused_and_nothing_written(client, shop):
    _guest_cart(client, shop)
    response = client.post("/en/checkout/reminders/", {"remind": "1", "email": "not-an-address"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_address"
    assert not CartContact.objects.exists() and not Consent.objects.exists()


# --- the restore link ---------------------------------------------------------------------------------


def test_the_restore_link_puts_a_guest_cart_back_in_the_session(
    client, shop, eager_celery, django_capture_on_commit_callbacks
):
    cart = _cart(None, shop)
    services.grant(address="guest@example.com", source=ConsentSource.CHECKOUT, text_shown="box")
    CartContact.objects.create(cart=cart, email="guest@example.com", language="en")
    _age(cart, hours=2)
    _scan(django_capture_on_commit_callbacks)

    response = client.get(_link(mail.outbox[0]))  # another browser: an empty session
    assert response.status_code == 302 and response["Location"] == "/en/cart/"
    assert client.session[SESSION_KEY] == str(cart.token)
    page = client.get("/en/cart/")
    assert "Tee" in page.content.decode()


def test_the_restore_link_of_an_account_cart(
    client, ana, shop, eager_celery, django_capture_on_commit_callbacks
):
    cart = _cart(ana, shop)
    _age(cart, hours=2)
    _scan(django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])

    response = client.get(link)  # signed out: sign in first, then back to the link
    assert response.status_code == 302 and response["Location"].startswith("/en/account/login/?next=")
    client.force_login(ana)
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == "/en/cart/"

    client.force_login(shopper(email="eve@example.com"))
    assert client.get(link).status_code == 403


def test_an_expired_or_tampered_link_says_so(client, shop, settings):
    cart = _cart(None, shop)
    token = abandoned_carts.restore_token(cart)

    response = client.get(f"/en/cart/restore/{token[:-2]}xx/")
    assert response.status_code == 400
    assert "This link is not valid or has expired." in response.content.decode()
    assert SESSION_KEY not in client.session

    settings.MARKETING_CART_RESTORE_MAX_AGE = -1
    response = client.get(f"/en/cart/restore/{token}/")
    assert response.status_code == 400
    assert "This link is not valid or has expired." in response.content.decode()

    settings.MARKETING_CART_RESTORE_MAX_AGE = 3600
    Cart.objects.filter(pk=cart.pk).update(status=CartStatus.CHECKED_OUT)
    response = client.get(f"/en/cart/restore/{token}/")
    assert response.status_code == 400
    assert "no longer available" in response.content.decode()


def test_the_scan_query_count_does_not_grow_with_carts(
    ana, shop, eager_celery, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    carts = [_cart(ana, shop) for _ in range(3)]
    for cart in carts:
        _age(cart, hours=2)
    with django_assert_max_num_queries(3):
        due = abandoned_carts.due_carts(now=timezone.now())
    assert {c.pk for c in due} == {c.pk for c in carts}
