"""The test provider's hosted page, the error pages and the read-only admin."""

import re

import pytest
from django.urls import reverse

from orders.models import OrderStatus
from payments import services
from payments.errors import UnknownProvider
from payments.models import Payment, PaymentStatus
from tests.factories import staff

from .conftest import CANCEL_URL, RETURN_URL, level

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(order):
    return services.start_payment(order=order, provider="test", return_url=RETURN_URL, cancel_url=CANCEL_URL)


def page_url(started, lang="en"):
    return f"/{lang}/pay/test/{started.payment_id}/"


def test_url_names_resolve():
    assert reverse("payments:paypal-return") == "/fr/pay/paypal/return/"
    assert reverse("payments-webhooks:stripe") == "/payments/webhooks/stripe/"
    assert reverse("payments-webhooks:paypal") == "/payments/webhooks/paypal/"


def test_the_hosted_page_shows_the_amount_the_order_and_two_buttons(
    client, started, order, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        response = client.get(page_url(started))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert re.search(r"<h1[^>]*>Secure payment</h1>", html)
    assert f"<dd data-order-number>{order.number}</dd>" in html
    assert "25.00 EUR" in html
    assert re.search(r'<button[^>]*name="action" value="pay"[^>]*>\s*Pay 25.00 EUR\s*</button>', html)
    assert re.search(r'<button[^>]*name="action" value="decline"[^>]*>Decline</button>', html)
    assert "Test mode: no real money moves" in html
    assert 'name="viewport"' in html and "css/payments.css" in html
    assert 'content="noindex"' in html


def test_the_page_speaks_the_shoppers_language(client, started):
    html = client.get(page_url(started, "fr")).content.decode()
    assert '<html lang="fr">' in html


def test_pay_redirects_to_the_return_url_and_pays_the_order(client, started, order, shop):
    response = client.post(page_url(started), {"action": "pay"})
    assert response.status_code == 302 and response["Location"] == RETURN_URL
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and level(shop) == (3, 0)


def test_decline_redirects_to_the_cancel_url_and_the_order_keeps_waiting(client, started, order, shop):
    response = client.post(page_url(started), {"action": "decline"})
    assert response.status_code == 302 and response["Location"] == CANCEL_URL
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT and level(shop) == (5, 2)


@pytest.mark.parametrize("data", [{}, {"action": "steal"}])
def test_a_post_without_a_known_action_is_a_400_and_changes_nothing(client, started, order, shop, data):
    response = client.post(page_url(started), data)
    assert response.status_code == 400
    assert "Choose Pay or Decline." in response.content.decode()
    order.refresh_from_db()
    assert (
        Payment.objects.get().status == PaymentStatus.PENDING and order.status == OrderStatus.PENDING_PAYMENT
    )
    assert level(shop) == (5, 2)


def test_a_decided_payment_page_sends_the_shopper_on(client, started):
    client.post(page_url(started), {"action": "pay"})
    response = client.get(page_url(started))
    assert response.status_code == 302 and response["Location"] == RETURN_URL
    # Pressing "Decline" on a stale tab after paying changes nothing.
    response = client.post(page_url(started), {"action": "decline"})
    assert response["Location"] == RETURN_URL
    assert Payment.objects.get().status == PaymentStatus.CAPTURED


def test_an_unknown_payment_is_a_404_page(client, started):
    response = client.get("/en/pay/test/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert "Payment not found" in response.content.decode()
    assert client.get("/en/pay/test/not-a-uuid/").status_code == 404


def test_a_stripe_payment_has_no_test_page(client, order, started):
    payment = Payment.objects.get()
    Payment.objects.filter(pk=payment.pk).update(provider="stripe")
    assert client.post(page_url(started), {"action": "pay"}).status_code == 404
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_the_admin_lists_payments_read_only(client, started, order, django_assert_max_num_queries):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(staff(is_superuser=True))
    services.confirm_test_payment(payment_id=started.payment_id)
    with django_assert_max_num_queries(12):
        response = client.get("/admin/payments/payment/?status=captured")
    assert response.status_code == 200
    html = response.content.decode()
    assert order.number in html and "25.00" in html and "Add payment" not in html
    detail = client.get(f"/admin/payments/payment/{started.payment_id}/change/")
    assert detail.status_code == 200 and "captured" in detail.content.decode()
    assert client.get("/admin/payments/webhookevent/").status_code == 200
    assert client.get("/admin/payments/refund/").status_code == 200


def test_with_the_test_provider_off_its_page_and_service_refuse(client, started, order, settings):
    settings.PAYMENTS_TEST_PROVIDER = False
    assert client.get(page_url(started)).status_code == 404
    assert client.post(page_url(started), {"action": "pay"}).status_code == 404
    with pytest.raises(UnknownProvider):
        services.confirm_test_payment(payment_id=started.payment_id)
    order.refresh_from_db()
    assert (
        Payment.objects.get().status == PaymentStatus.PENDING and order.status == OrderStatus.PENDING_PAYMENT
    )
