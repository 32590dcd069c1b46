"""The order screen's actions (/backoffice/orders/<number>/cancel|refund|resend/): a form, a
confirmation that shows exactly what will happen, then one call of the after-sales service with a
one-time key. Happy paths with exact amounts and the audit row; refusals leave nothing written; a
double submit does the action once.

The shop (``tests.orders.pickup_support``): Ajaccio holds 5 tees at 12.50 TTC and 3 mugs at 6.00 TTC.
An order of 2 tees and 1 mug is 31.00 (+ 5.90 shipping for home delivery: 36.90), paid with the
test provider (a real ``payments`` flow; the provider is the outside boundary).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from orders import services
from orders.models import DeliveryMethod, NotificationLog, Order, OrderAction, OrderStatus
from orders.services import LineInput
from payments.models import Refund
from tests.factories import UserFactory, cashier, staff, store_manager
from tests.logistics.shop import ADDRESS
from tests.orders.pickup_support import *  # noqa: F403
from tests.orders.pickup_support import level, pay_with_test_provider

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def home_order(shop, *, shipped: bool) -> Order:
    customer = UserFactory(first_name="Ana", last_name="Colonna")
    order = services.place_web_order(
        lines=[LineInput(shop.tee, 2), LineInput(shop.mug, 1)],
        location=shop.aja,
        delivery_method=DeliveryMethod.HOME,
        email=customer.email,
        customer=customer,
        shipping_address=ADDRESS,
        shipping_gross=Decimal("5.90"),
        carrier="colissimo",
    )
    order = pay_with_test_provider(order)
    assert order.status == OrderStatus.PAID and order.total_gross == Decimal("36.90")
    if shipped:
        order = services.transition_order(order=order, to_status=OrderStatus.SHIPPED)
    return order


def url(order: Order, action: str = "") -> str:
    return f"/backoffice/orders/{order.number}/{action + '/' if action else ''}"


def lines_of(order: Order) -> dict[str, int]:
    return {line.sku: line.pk for line in order.lines.all()}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def confirm_key(response) -> str:
    match = re.search(r'name="key" value="([0-9a-f]+)"', response.content.decode())
    assert match, "the confirmation page carries a one-time key"
    return match.group(1)


def refunds_of(order: Order) -> list[tuple[Decimal, str]]:
    return [(r.amount, r.status) for r in Refund.objects.filter(payment__order=order).order_by("id")]


def test_cancel_one_line_shows_the_refund_then_cancels_once(
    shop, client, eager_celery, django_capture_on_commit_callbacks
):
    order = home_order(shop, shipped=False)
    ids = lines_of(order)
    user = staff()
    client.force_login(user)
    assert client.get(url(order)).content.decode().count(url(order, "cancel")) == 1  # offered

    form = {f"line_{ids['TEE']}": "1", f"line_{ids['MUG']}": "0", "reason": "out of stock"}
    review = client.post(url(order, "cancel"), {**form, "step": "review"})

    assert review.status_code == 200
    page = review.content.decode()
    assert "Confirm: cancel order" in page
    assert "back on the shelf at Ajaccio" in page
    assert re.search(r"Refund total, to the original payment</th>\s*<td[^>]*>€12.50", page)
    assert not OrderAction.objects.exists()  # the review writes nothing
    key = confirm_key(review)

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url(order, "cancel"), {**form, "step": "confirm", "key": key})
    assert done.status_code == 302 and done["Location"] == url(order)
    assert messages_of(done) == [f"Order {order.number}: 1 unit(s) cancelled, 12.50 EUR to refund."]
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url(order, "cancel"), {**form, "step": "confirm", "key": key})  # double submit
    assert again.status_code == 302

    action = OrderAction.objects.get()
    assert (action.kind, action.user, action.amount, action.shipping_amount, action.reason) == (
        "cancel",
        user,
        Decimal("12.50"),
        Decimal("0.00"),
        "out of stock",
    )
    assert [(x["sku"], x["quantity"], x["amount"]) for x in action.lines] == [("TEE", 1, "12.50")]
    tee = order.lines.get(sku="TEE")
    assert (tee.quantity_cancelled, tee.refunded_gross) == (1, Decimal("12.50"))
    assert level(shop.tee, shop.aja) == (4, 0)  # 5 - 2 sold + 1 back on the shelf
    assert refunds_of(order) == [(Decimal("12.50"), "succeeded")]
    order.refresh_from_db()
    assert (order.status, order.refunded_gross) == (OrderStatus.PAID, Decimal("12.50"))
    detail = client.get(url(order)).content.decode()
    assert "out of stock" in detail and "Cancellation" in detail


def test_cancel_the_whole_order_refunds_the_shipping_too(
    shop, client, eager_celery, django_capture_on_commit_callbacks
):
    order = home_order(shop, shipped=False)
    client.force_login(store_manager(shop.aja))  # the order's stock is at their store
    review = client.post(url(order, "cancel"), {"whole": "on", "reason": "asked by phone", "step": "review"})
    page = review.content.decode()
    assert "the order becomes cancelled" in page
    assert "€5.90" in page and re.search(r"original payment</th>\s*<td[^>]*>€36.90", page)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url(order, "cancel"),
            {"whole": "on", "reason": "asked by phone", "step": "confirm", "key": confirm_key(review)},
        )

    order.refresh_from_db()
    assert (order.status, order.refunded_gross, order.shipping_refunded) == (
        OrderStatus.CANCELLED,
        Decimal("36.90"),
        Decimal("5.90"),
    )
    assert OrderAction.objects.get().amount == Decimal("36.90")
    assert sum(amount for amount, _ in refunds_of(order)) == Decimal("36.90")


def test_refund_part_of_a_shipped_order(shop, client, eager_celery, django_capture_on_commit_callbacks):
    order = home_order(shop, shipped=True)
    ids = lines_of(order)
    user = staff()
    client.force_login(user)
    page = client.get(url(order)).content.decode()
    assert url(order, "refund") in page and url(order, "cancel") not in page  # shipped: no cancel button

    form = {f"line_{ids['TEE']}": "1", "shipping": "on", "amount": "2.00", "reason": "late delivery"}
    review = client.post(url(order, "refund"), {**form, "step": "review"})
    text = review.content.decode()
    assert "€12.50" in text and "€5.90" in text and "€2.00" in text
    assert re.search(r"Refund total</th>\s*<td[^>]*>€20.40", text)
    assert "Test provider" in text

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url(order, "refund"), {**form, "step": "confirm", "key": confirm_key(review)})
    assert messages_of(done) == [f"Order {order.number}: 20.40 EUR refunded to the original payment."]

    action = OrderAction.objects.get()
    assert (action.kind, action.user, action.amount, action.shipping_amount, action.via) == (
        "refund",
        user,
        Decimal("20.40"),
        Decimal("5.90"),
        "original",
    )
    assert refunds_of(order) == [(Decimal("20.40"), "succeeded")]
    order.refresh_from_db()
    assert (order.refunded_gross, order.shipping_refunded, order.status) == (
        Decimal("20.40"),
        Decimal("5.90"),
        OrderStatus.SHIPPED,
    )
    detail = client.get(url(order)).content.decode()
    assert "late delivery" in detail and "€20.40" in detail


def test_refusals_show_next_to_the_field_and_write_nothing(
    shop, client, eager_celery, django_capture_on_commit_callbacks
):
    order = home_order(shop, shipped=True)
    ids = lines_of(order)
    client.force_login(staff())

    # a free amount without a reason, and more units than the line has: the form says so
    response = client.post(
        url(order, "refund"), {f"line_{ids['MUG']}": "2", "amount": "3.00", "reason": "", "step": "review"}
    )
    errors = response.context["form"].errors
    assert set(errors) == {f"line_{ids['MUG']}", "reason"}
    # the service's own refusal (shipping refunded twice) lands next to the shipping box
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(order, "refund"), {"shipping": "on", "reason": "r", "step": "confirm", "key": "k1"})
    before = (OrderAction.objects.count(), Refund.objects.count())
    refused = client.post(
        url(order, "refund"), {"shipping": "on", "reason": "r", "step": "confirm", "key": "k2"}
    )
    assert refused.status_code == 200
    assert "shipping" in refused.context["form"].errors
    assert "already refunded" in refused.content.decode()
    assert (OrderAction.objects.count(), Refund.objects.count()) == before

    # cancelling a shipped order: not offered, and refused if posted anyway
    response = client.post(
        url(order, "cancel"), {"whole": "on", "reason": "x", "step": "confirm", "key": "k3"}, follow=True
    )
    assert "can no longer be cancelled" in response.content.decode()
    assert (OrderAction.objects.count(), Refund.objects.count()) == before


def test_who_may_act(shop, client):
    order = home_order(shop, shipped=True)
    form = {"shipping": "on", "reason": "r", "step": "confirm", "key": "k"}
    client.force_login(store_manager(shop.bas))  # another store: not found
    assert client.post(url(order, "refund"), form).status_code == 404
    client.force_login(cashier(shop.aja))
    assert client.post(url(order, "refund"), form).status_code == 403
    client.logout()
    assert client.post(url(order, "refund"), form).status_code == 302  # to the sign-in page
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff())
    assert strict.post(url(order, "refund"), form).status_code == 403  # no CSRF token
    assert not OrderAction.objects.exists() and not Refund.objects.exists()


def test_resend_a_message_once(shop, client, eager_celery, django_capture_on_commit_callbacks):
    order = home_order(shop, shipped=False)
    NotificationLog.objects.update_or_create(
        order=order,
        kind="confirmation",
        channel="email",
        reference="",
        defaults={"recipient": order.email, "sent_at": timezone.now()},
    )
    client.force_login(staff())
    review = client.post(url(order, "resend"), {"message": "confirmation:email", "step": "review"})
    assert order.email in review.content.decode()
    key = confirm_key(review)
    for _ in range(2):  # a double click
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(
                url(order, "resend"), {"message": "confirmation:email", "step": "confirm", "key": key}
            )
        assert done.status_code == 302
    action = OrderAction.objects.get()
    assert (action.kind, action.amount) == ("notification", Decimal("0.00"))
    assert NotificationLog.objects.filter(order=order, reference=f"resend-{action.pk}").count() == 1
    # a message the order never had is not offered, and refused if posted
    refused = client.post(url(order, "resend"), {"message": "shipped:sms", "step": "confirm", "key": "k9"})
    assert refused.status_code == 200 and "message" in refused.context["form"].errors
    assert OrderAction.objects.count() == 1
