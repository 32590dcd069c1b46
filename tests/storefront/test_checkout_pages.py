"""The checkout page and the confirmation page, through the Django test client."""

from decimal import Decimal

import pytest

from accounts.models import Address
from inventory.models import Reservation, StockLevel
from orders.models import CartStatus, Order, OrderStatus
from payments import services as payments
from payments.models import Payment
from storefront.cart_session import SESSION_KEY
from storefront.views.checkout import SESSION_ORDERS
from tests.factories import UserFactory
from tests.logistics.shop import ADDRESS, make_cart, make_shop

pytestmark = pytest.mark.django_db

CHECKOUT = "/en/checkout/"


@pytest.fixture
def shop():
    return make_shop()


def with_cart(client, cart):
    session = client.session
    session[SESSION_KEY] = str(cart.token)
    session.save()
    return cart


def pay_form(**overrides):
    return {
        "action": "pay",
        "email": "ana@example.com",
        "phone": "0612345678",
        "delivery_method": "home",
        "carrier": "colissimo",
        "provider": "test",
        "idempotency_key": "form-1",
        **ADDRESS,
        **overrides,
    }


def test_no_cart_goes_back_to_the_cart_page(client, shop):
    response = client.get(CHECKOUT)
    assert response.status_code == 302
    assert response["Location"] == "/en/cart/"


def test_anonymous_page_shows_carriers_stores_and_summary(client, shop, django_assert_max_num_queries):
    with_cart(client, make_cart((shop.tee, 2), (shop.mug, 1)))
    with django_assert_max_num_queries(18):
        response = client.get(CHECKOUT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Checkout</h1>" in html
    assert 'name="email"' in html and 'value=""' in html
    for text in ("La Poste Lettre suivie", "€5.50", "Colissimo", "€7.90", "DPD", "€8.90"):
        assert text in html
    assert "Bastia" in html and "Everything is available here" in html
    assert "Mug (0 of 1)" in html  # Ajaccio has no mug
    assert "Propriano" not in html
    assert "Test payment (demo)" in html
    assert "€31.00" in html and " EUR" not in html  # subtotal; the symbol, never the code
    # the cheapest carrier is preselected: 31.00 + 5.50; click & collect would be 31.00
    assert (
        '<span><span data-pay-label data-terms="Order on account" data-online="Pay">Pay</span> '
        '<span data-grand-total data-collect="€31.00">€36.50</span></span>'
    ) in html
    assert 'name="idempotency_key"' in html


def test_page_cost_does_not_grow_with_the_cart(client, shop, django_assert_max_num_queries):
    with_cart(client, make_cart((shop.tee, 1)))
    with django_assert_max_num_queries(18):
        assert client.get(CHECKOUT).status_code == 200
    with_cart(client, make_cart((shop.tee, 2), (shop.mug, 1)))
    with django_assert_max_num_queries(18):
        assert client.get(CHECKOUT).status_code == 200


def test_signed_in_shopper_gets_contact_and_address_prefilled(client, shop, django_assert_max_num_queries):
    user = UserFactory(email="ana@example.com", phone="0611223344")
    Address.objects.create(user=user, **ADDRESS, is_default_shipping=True)
    make_cart((shop.tee, 1), user=user)
    client.force_login(user)
    with django_assert_max_num_queries(21):  # 21: whether the shopper buys for a company (issue 17)
        response = client.get(CHECKOUT)
    html = response.content.decode()
    assert 'value="ana@example.com"' in html
    assert 'value="0611223344"' in html
    assert 'value="3 rue Fesch"' in html and 'value="Colonna"' in html


def test_other_country_prices_after_update(client, shop):
    with_cart(client, make_cart((shop.tee, 1)))
    response = client.post(CHECKOUT, {**pay_form(country="DE"), "action": "refresh"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "€14.50" in html and "€16.90" in html
    assert "La Poste" not in html
    assert Order.objects.count() == 0


def test_pay_places_the_order_and_redirects_to_the_payment_page(client, shop):
    cart = with_cart(client, make_cart((shop.tee, 2), (shop.mug, 1)))
    response = client.post(CHECKOUT, pay_form())
    order = Order.objects.get()
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/pay/test/{payment.pk}/"
    assert (order.total_gross, order.carrier, order.language) == (Decimal("38.90"), "colissimo", "en")
    assert payment.return_url == f"/en/checkout/done/{order.number}/"
    assert client.session[SESSION_ORDERS] == [order.number]
    cart.refresh_from_db()
    assert cart.status == CartStatus.CHECKED_OUT


def test_double_submit_gives_one_order(client, shop):
    with_cart(client, make_cart((shop.tee, 1)))
    first = client.post(CHECKOUT, pay_form())
    second = client.post(CHECKOUT, pay_form())
    assert first.status_code == 302
    assert Order.objects.count() == 1 and Payment.objects.count() == 1
    # the cart is closed now: the page sends the shopper back to an empty cart
    assert second.status_code == 302


def test_click_and_collect_from_the_page(client, shop):
    with_cart(client, make_cart((shop.tee, 1)))
    response = client.post(CHECKOUT, pay_form(delivery_method="click_collect", location="AJA", line1=""))
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.location, order.shipping_gross) == (shop.aja, Decimal("0.00"))


def test_missing_address_fields_are_shown_and_nothing_is_written(client, shop):
    with_cart(client, make_cart((shop.tee, 1)))
    response = client.post(CHECKOUT, pay_form(line1="", city=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please fill in the delivery address: address, city." in html
    assert 'id="line1-error"' in html and 'id="city-error"' in html
    assert 'value="Colonna"' in html  # what was typed is kept
    assert (Order.objects.count(), Reservation.objects.count()) == (0, 0)


def test_bad_email_is_shown_next_to_the_field(client, shop):
    with_cart(client, make_cart((shop.tee, 1)))
    response = client.post(CHECKOUT, pay_form(email="ana@"))
    assert response.status_code == 400
    assert 'id="email-error">Enter a valid e-mail address.' in response.content.decode()
    assert Order.objects.count() == 0


def test_provider_not_available(client, shop):
    with_cart(client, make_cart((shop.tee, 1)))
    response = client.post(CHECKOUT, pay_form(provider="paypal"))
    assert response.status_code == 400
    assert "The payment method paypal is not available." in response.content.decode()
    assert Order.objects.count() == 0


def test_stock_ran_out_says_which_sku_and_that_nothing_was_charged(client, shop):
    cart = with_cart(client, make_cart((shop.mug, 1)))
    response = client.post(CHECKOUT, pay_form(delivery_method="click_collect", location="AJA"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Only 0 left of MUG at Ajaccio; your cart was not charged." in html
    assert (Order.objects.count(), Payment.objects.count(), Reservation.objects.count()) == (0, 0, 0)
    cart.refresh_from_db()
    assert cart.status == CartStatus.OPEN


# --- confirmation ---------------------------------------------------------------------------------


def test_confirmation_visible_to_the_session_that_placed_it(client, shop, django_assert_max_num_queries):
    with_cart(client, make_cart((shop.tee, 2), (shop.mug, 1)))
    client.post(CHECKOUT, pay_form())
    order = Order.objects.get()
    with django_assert_max_num_queries(7):  # +1: the latest payment attempt says which words
        response = client.get(f"/en/checkout/done/{order.number}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Waiting for your payment" in html
    assert "3 rue Fesch" in html and "Colissimo" in html
    assert "€38.90" in html and "€7.90" in html


def test_confirmation_after_payment_and_after_decline(client, shop):
    with_cart(client, make_cart((shop.tee, 1)))
    client.post(CHECKOUT, pay_form())
    order, payment = Order.objects.get(), Payment.objects.get()
    payments.confirm_test_payment(payment_id=payment.pk, succeed=True)
    html = client.get(f"/en/checkout/done/{order.number}/").content.decode()
    assert "Thank you for your order!" in html and "Paid" in html

    with_cart(client, make_cart((shop.tee, 1)))
    client.post(CHECKOUT, pay_form(idempotency_key="form-2"))
    declined = Order.objects.exclude(pk=order.pk).get()
    payments.confirm_test_payment(payment_id=Payment.objects.get(order=declined).pk, succeed=False)
    html = client.get(f"/en/checkout/done/{declined.number}/").content.decode()
    assert "Your payment was declined" in html and "Try again" in html
    assert "Thank you" not in html and "when your order is ready" not in html
    assert declined.__class__.objects.get(pk=declined.pk).status == OrderStatus.PENDING_PAYMENT
    assert StockLevel.objects.get(variant=shop.tee, location=shop.warehouse).reserved == 1


def test_confirmation_of_a_click_and_collect_order_shows_the_store(client, shop):
    with_cart(client, make_cart((shop.tee, 1)))
    client.post(CHECKOUT, pay_form(delivery_method="click_collect", location="AJA"))
    html = client.get(f"/en/checkout/done/{Order.objects.get().number}/").content.decode()
    assert "Click & collect</h2>" in html and "2 cours Napoléon" in html


def test_confirmation_is_a_404_for_anybody_else(client, shop, django_db_blocker):
    user = UserFactory()
    cart = make_cart((shop.tee, 1), user=user)
    client.force_login(user)
    client.post(CHECKOUT, pay_form())
    number = Order.objects.get(cart=cart).number
    assert client.get(f"/en/checkout/done/{number}/").status_code == 200  # the customer

    from django.test import Client

    stranger = Client()
    assert stranger.get(f"/en/checkout/done/{number}/").status_code == 404
    stranger.force_login(UserFactory())
    assert stranger.get(f"/en/checkout/done/{number}/").status_code == 404
    assert stranger.get("/en/checkout/done/W2026-999999/").status_code == 404


def test_after_a_declined_payment_the_shopper_gets_the_cart_back(client, shop):
    cart = with_cart(client, make_cart((shop.tee, 2), (shop.mug, 1)))
    client.post(CHECKOUT, pay_form())
    order = Order.objects.get()
    payments.confirm_test_payment(payment_id=Payment.objects.get().pk, succeed=False)
    page = client.get(f"/en/checkout/done/{order.number}/").content.decode()
    assert "Put my items back in the cart" in page

    response = client.post(f"/en/checkout/done/{order.number}/restore/")

    assert response.status_code == 302 and response["Location"] == "/en/cart/"
    cart.refresh_from_db()
    assert (cart.status, cart.order) == (CartStatus.OPEN, None)
    assert [(line.variant.sku, line.quantity) for line in cart.lines.all()] == [("TEE", 2), ("MUG", 1)]
    assert Order.objects.get().status == OrderStatus.CANCELLED
    # and the checkout works again, as a new order
    assert client.post(CHECKOUT, pay_form(idempotency_key="form-2")).status_code == 302
    assert Order.objects.count() == 2


def test_a_pending_or_paid_orders_cart_cannot_be_restored(client, shop):
    cart = with_cart(client, make_cart((shop.tee, 1)))
    client.post(CHECKOUT, pay_form())
    number = Order.objects.get().number
    response = client.post(f"/en/checkout/done/{number}/restore/")
    assert response.status_code == 302 and response["Location"] == f"/en/checkout/done/{number}/"
    cart.refresh_from_db()
    assert cart.status == CartStatus.CHECKED_OUT
    from django.test import Client

    assert Client().post(f"/en/checkout/done/{number}/restore/").status_code == 404


def test_restoring_merges_a_cart_the_customer_opened_meanwhile(shop):
    from orders.services.checkout import restore_cart, start_checkout

    user = UserFactory()
    cart = make_cart((shop.tee, 1), user=user)
    order, payment = start_checkout(
        cart=cart,
        user=user,
        email="ana@example.com",
        delivery_method="click_collect",
        location_code="BAS",
        provider="test",
        return_url="/",
        cancel_url="/",
    )
    payments.confirm_test_payment(payment_id=payment.payment_id, succeed=False)
    newer = make_cart((shop.mug, 1), user=user)

    restored = restore_cart(order=Order.objects.get(pk=order.pk))

    assert restored.pk == cart.pk
    assert sorted(line.variant.sku for line in restored.lines.all()) == ["MUG", "TEE"]
    newer.refresh_from_db()
    assert newer.status == CartStatus.MERGED


def test_a_coupon_that_no_longer_applies_is_explained(client, shop):
    from pricing.models import Coupon
    from tests.logistics.shop import make_coupon

    make_coupon("ONCE", max_uses=1)
    Coupon.objects.filter(code="ONCE").update(times_used=1)
    with_cart(client, make_cart((shop.tee, 1), coupon_code="ONCE"))
    html = client.get(CHECKOUT).content.decode()
    assert "Your coupon no longer applies: This coupon has been used up." in html
