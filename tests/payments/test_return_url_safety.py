"""Open redirect (issue 8, finding 5): a checkout accepts only return URLs on this site or on an
allowlisted host, and every payment page checks the stored URL again before redirecting."""

import pytest

from inventory.models import Reservation
from orders.models import Cart, CartStatus, Order, OrderStatus
from payments import services
from payments.models import Payment
from tests.core.api_helpers import api_client
from tests.logistics.shop import ADDRESS, make_cart, make_shop

from .conftest import CANCEL_URL, RETURN_URL

pytestmark = pytest.mark.django_db

START = "/api/v1/checkout/"
ATTACKS = [
    "https://evil.example/steal?o={number}",
    "//evil.example/",
    "https:evil.example",
    "\\\\evil.example",
    "/\\evil.example/",
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "HTTPS://EVIL.EXAMPLE/",
    "https://testserver@evil.example/",
]


def body(cart, **overrides):
    return {
        "cart": str(cart.token),
        "email": "ana@example.com",
        "delivery_method": "home",
        "shipping_address": ADDRESS,
        "carrier": "colissimo",
        "provider": "test",
        "return_url": "/en/checkout/done/{number}/",
        **overrides,
    }


@pytest.mark.parametrize("field", ["return_url", "cancel_url"])
@pytest.mark.parametrize("url", ATTACKS)
def test_the_checkout_api_refuses_an_off_site_url_and_writes_nothing(field, url):
    shop = make_shop()
    cart = make_cart((shop.tee, 1))

    response = api_client().post(START, body(cart, **{field: url}), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_return_url"
    assert response.json()["detail"] == {"field": field}
    assert (Order.objects.count(), Reservation.objects.count(), Payment.objects.count()) == (0, 0, 0)
    assert Cart.objects.get(pk=cart.pk).status == CartStatus.OPEN


def test_this_sites_own_host_and_an_allowlisted_host_are_accepted(client, settings):
    settings.PAYMENTS_RETURN_URL_HOSTS = ["app.partner.example"]
    shop = make_shop()
    own = api_client().post(
        START,
        body(make_cart((shop.tee, 1)), return_url="http://testserver/en/checkout/done/{number}/"),
        format="json",
    )
    partner = api_client().post(
        START,
        body(make_cart((shop.tee, 1)), return_url="https://APP.partner.example/done/{number}"),
        format="json",
    )
    assert (own.status_code, partner.status_code) == (201, 201), (own.json(), partner.json())

    # After paying, the test page sends the shopper to the allowlisted host.
    number = partner.json()["number"]
    page = partner.json()["payment"]["redirect_url"]
    response = client.post(page, {"action": "pay"})
    assert response.status_code == 302
    assert response["Location"] == f"https://APP.partner.example/done/{number}"


def test_an_allowlist_does_not_open_other_hosts(settings):
    settings.PAYMENTS_RETURN_URL_HOSTS = ["app.partner.example"]
    shop = make_shop()
    response = api_client().post(
        START, body(make_cart((shop.tee, 1)), return_url="https://evil.example/"), format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid_return_url")
    assert Order.objects.count() == 0


@pytest.mark.parametrize("action", ["pay", "decline"])
def test_a_stored_off_site_url_sends_the_shopper_to_the_order_page(client, order, action):
    """A payment whose URLs were stored before the rule (or whose host left the allowlist)."""
    started = services.start_payment(
        order=order, provider="test", return_url=RETURN_URL, cancel_url=CANCEL_URL
    )
    Payment.objects.filter(pk=started.payment_id).update(
        return_url="https://evil.example/paid", cancel_url="//evil.example/cancelled"
    )

    response = client.post(f"/en/pay/test/{started.payment_id}/", {"action": action})

    assert response.status_code == 302
    assert response["Location"] == f"/en/checkout/done/{order.number}/"
    order.refresh_from_db()
    assert order.status == (OrderStatus.PAID if action == "pay" else OrderStatus.PENDING_PAYMENT)


def test_the_stripe_return_view_checks_the_stored_url(client, fakes, order):
    started = services.start_payment(
        order=order, provider="stripe", return_url=RETURN_URL, cancel_url=CANCEL_URL
    )
    Payment.objects.filter(pk=started.payment_id).update(return_url="https://evil.example/")
    fakes.set_intent_status(started.provider_reference, "processing")

    response = client.get(f"/en/pay/stripe/{started.payment_id}/return/")

    assert response.status_code == 302
    assert response["Location"] == f"/en/checkout/done/{order.number}/"


def test_the_paypal_cancel_view_checks_the_stored_url(client, fakes, order):
    started = services.start_payment(
        order=order, provider="paypal", return_url=RETURN_URL, cancel_url=CANCEL_URL
    )
    Payment.objects.filter(pk=started.payment_id).update(cancel_url="https:evil.example")

    response = client.get(f"/en/pay/paypal/cancel/?token={started.provider_reference}")

    assert response.status_code == 302
    assert response["Location"] == f"/en/checkout/done/{order.number}/"


@pytest.mark.parametrize("url", ATTACKS)
def test_the_payment_service_refuses_an_off_site_url(order, url):
    from payments.errors import InvalidReturnUrl

    with pytest.raises(InvalidReturnUrl):
        services.start_payment(order=order, provider="test", return_url=url, cancel_url=CANCEL_URL)
    assert Payment.objects.count() == 0
