"""The pages after a declined payment: the confirmation page says so, the retry page lists the enabled
methods and starts a new payment for the same order; refused retries go back with a message."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from inventory.models import Reservation, StockLevel
from orders.models import Order, OrderStatus
from orders.services.abandoned import cancel_abandoned_orders
from payments.models import Payment, PaymentEvent, PaymentStatus
from tests.factories import UserFactory
from tests.logistics.shop import make_cart, make_coupon, make_shop

from .test_checkout_pages import CHECKOUT, pay_form, with_cart

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_shop()


def declined_order(client, shop):
    with_cart(client, make_cart((shop.tee, 2)))
    client.post(CHECKOUT, pay_form())
    order = Order.objects.get()
    client.post(f"/en/pay/test/{Payment.objects.get().pk}/", {"action": "decline"})
    return order


def retry_url(order):
    return f"/en/checkout/done/{order.number}/pay/"


def written():
    return (Payment.objects.count(), PaymentEvent.objects.count())


def test_the_declined_page_says_so_and_offers_to_try_again(client, shop, django_assert_max_num_queries):
    order = declined_order(client, shop)
    expires = timezone.localtime(Reservation.objects.get().expires_at).strftime("%H:%M")
    with django_assert_max_num_queries(10):
        response = client.get(f"/en/checkout/done/{order.number}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your payment was declined" in html
    assert f"Its items are held for you until {expires}" in html
    assert f'href="{retry_url(order)}">Try again</a>' in html
    assert "Put my items back in the cart" in html
    assert "Thank you" not in html and "when your order is ready" not in html


def test_the_retry_page_lists_every_enabled_method(client, shop, settings, django_assert_max_num_queries):
    order = declined_order(client, shop)
    settings.STRIPE_SECRET_KEY = "sk_test_listed_only"
    settings.PAYPAL_CLIENT_ID = "paypal-listed-only"
    with django_assert_max_num_queries(10):
        response = client.get(retry_url(order))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your last payment was declined; you were not charged." in html
    for label in ("Test payment (demo)", "Card (Stripe)", "PayPal"):
        assert label in html
    assert 'value="test" checked' in html  # the method of the last attempt
    assert f"Pay €{order.total_gross}" in html


def test_paying_again_starts_a_new_payment_and_ends_on_the_confirmation(client, shop):
    order = declined_order(client, shop)
    response = client.post(retry_url(order), {"provider": "test"})
    second = Payment.objects.filter(status=PaymentStatus.PENDING).get()
    assert response.status_code == 302 and response["Location"] == f"/en/pay/test/{second.pk}/"

    done = client.post(f"/en/pay/test/{second.pk}/", {"action": "pay"})

    assert done["Location"] == f"/en/checkout/done/{order.number}/"
    html = client.get(done["Location"]).content.decode()
    assert "Thank you for your order!" in html
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Payment.objects.filter(order=order).count() == 2


def test_an_unknown_method_is_shown_with_a_400_and_writes_nothing(client, shop):
    order = declined_order(client, shop)
    before = written()
    response = client.post(retry_url(order), {"provider": "bitcoin"})
    assert response.status_code == 400
    assert "The payment method bitcoin is not available." in response.content.decode()
    assert written() == before


def test_retry_of_a_paid_order_goes_back_with_a_message_and_writes_nothing(client, shop):
    order = declined_order(client, shop)
    client.post(retry_url(order), {"provider": "test"})
    client.post(f"/en/pay/test/{Payment.objects.get(status='pending').pk}/", {"action": "pay"})
    before = written()
    for response in (client.get(retry_url(order)), client.post(retry_url(order), {"provider": "test"})):
        assert response.status_code == 302
        assert response["Location"] == f"/en/checkout/done/{order.number}/"
    page = client.get(f"/en/checkout/done/{order.number}/").content.decode()
    assert f"Order {order.number} is already paid." in page
    assert written() == before


def test_retry_of_a_cancelled_order_goes_back_with_a_message(client, shop):
    order = declined_order(client, shop)
    assert cancel_abandoned_orders(now=timezone.now() + dt.timedelta(minutes=31)) == 1
    before = written()
    response = client.post(retry_url(order), {"provider": "test"}, follow=True)
    html = response.content.decode()
    assert f"Order {order.number} was cancelled: it cannot be paid any more." in html
    assert "Payment not completed" in html and "Try again" not in html
    assert written() == before


def test_retry_once_the_time_ran_out_goes_back_with_a_message(client, shop):
    order = declined_order(client, shop)
    Reservation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    before = written()
    response = client.post(retry_url(order), {"provider": "test"}, follow=True)
    html = response.content.decode()
    assert "its items went back on sale" in html
    assert "The time to pay has run out" in html
    assert written() == before


def test_retry_of_somebody_elses_order_is_a_404(client, shop):
    order = declined_order(client, shop)
    before = written()
    stranger = Client()
    assert stranger.get(retry_url(order)).status_code == 404
    assert stranger.post(retry_url(order), {"provider": "test"}).status_code == 404
    stranger.force_login(UserFactory())
    assert stranger.post(retry_url(order), {"provider": "test"}).status_code == 404
    assert written() == before


def test_putting_the_items_back_after_a_decline_cancels_the_order(client, shop):
    order = declined_order(client, shop)
    response = client.post(f"/en/checkout/done/{order.number}/restore/")
    assert response["Location"] == "/en/cart/"
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    level = StockLevel.objects.get(variant=shop.tee, location=shop.warehouse)
    assert (level.on_hand, level.reserved) == (5, 0)


def test_a_free_order_lands_on_the_confirmation_page_without_a_payment(client, shop, settings):
    settings.PAYMENTS_TEST_PROVIDER = False
    make_coupon("GIFT", "100", max_uses=5)
    with_cart(client, make_cart((shop.tee, 1), coupon_code="GIFT"))
    form = pay_form(delivery_method="click_collect", location="AJA", provider="")
    response = client.post(CHECKOUT, form)
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/checkout/done/{order.number}/"
    assert order.status == OrderStatus.PAID and not Payment.objects.exists()
    html = client.get(response["Location"]).content.decode()
    assert "Thank you for your order!" in html and "when your order is ready" in html


def test_the_waiting_page_does_not_promise_a_ready_message(client, shop):
    with_cart(client, make_cart((shop.tee, 1)))
    client.post(CHECKOUT, pay_form(delivery_method="click_collect", location="AJA"))
    html = client.get(f"/en/checkout/done/{Order.objects.get().number}/").content.decode()
    assert "Waiting for your payment" in html
    assert "when your order is ready" not in html
