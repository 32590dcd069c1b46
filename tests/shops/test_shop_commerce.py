"""Each shop its price lists, promotions, delivery and payment methods (issue 17).

Shop A is the default shop (``testserver``); shop B, "Maison Corse Pro", claims ``pro.localhost``.
The carts are opened through the API on each host, so the shop is the one the request's host chose.
Shop B offers click & collect only and PayPal only (``orders.ShopCheckoutOptions``); shop A, no row:
everything.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inventory.models import Reservation
from orders.models import Cart, CartStatus, Order, ShopCheckoutOptions
from orders.services import shop_options
from payments.models import Payment
from pricing.models import DiscountKind, PriceList, PriceListEntry, Promotion
from shops import selectors as shop_selectors
from shops import services as shop_services
from shops.context import using
from storefront import selectors as storefront_selectors
from tests.core.api_helpers import api_client
from tests.logistics.shop import ADDRESS, make_shop

pytestmark = pytest.mark.django_db

A = "testserver"
B = "pro.localhost"
CART = "/api/v1/cart/"
OPTIONS = "/api/v1/checkout/options/"
START = "/api/v1/checkout/"


@pytest.fixture(autouse=True)
def _hosts(settings):
    settings.ALLOWED_HOSTS = [A, B]
    settings.PAYPAL_CLIENT_ID = "sandbox-id"  # configured: the platform offers test and paypal


@pytest.fixture
def stock():
    return make_shop()


@pytest.fixture
def pro(stock):
    shop = shop_services.create_shop(code="pro", name="Maison Corse Pro", hosts=[B])
    shop_options.set_shop_methods(
        shop_id=shop.pk, delivery_methods=["click_collect"], payment_methods=["paypal"]
    )
    return shop


def on(host):
    client = api_client()
    client.defaults["HTTP_HOST"] = host
    return client


def cart_on(host, *lines) -> tuple[object, str]:
    client = on(host)
    token = client.post(CART, {}, format="json").json()["token"]
    for sku, quantity in lines:
        assert (
            client.post(
                f"{CART}{token}/lines/", {"sku": sku, "quantity": quantity}, format="json"
            ).status_code
            == 201
        )
    return client, token


def nothing_written() -> bool:
    return (Order.objects.count(), Reservation.objects.count(), Payment.objects.count()) == (0, 0, 0)


def start_body(token, **overrides):
    return {
        "cart": token,
        "email": "ana@example.com",
        "delivery_method": "click_collect",
        "location": "BAS",
        "provider": "paypal",
        "return_url": "/en/checkout/done/{number}/",
        **overrides,
    }


def pro_list(pro, stock, net="8.0000", **fields):
    plist = PriceList.objects.create(code="pro-prices", name="Pro prices", shop=pro, **fields)
    PriceListEntry.objects.create(price_list=plist, variant=stock.tee, price_ht=Decimal(net))
    return plist


# --- price lists ------------------------------------------------------------------------------------


def test_the_carts_follow_their_shops_price_list(pro, stock):
    pro_list(pro, stock)
    client_a, token_a = cart_on(A, ("TEE", 2))
    client_b, token_b = cart_on(B, ("TEE", 2))
    assert Cart.objects.get(token=token_b).shop_id == pro.pk
    line_a = client_a.get(f"{CART}{token_a}/").json()["lines"][0]
    line_b = client_b.get(f"{CART}{token_b}/").json()["lines"][0]
    assert (line_a["unit_net"], line_a["unit_gross"]) == ("10.4150", "12.50")  # B's list is not A's
    assert (line_b["unit_net"], line_b["unit_gross"]) == ("8.0000", "9.60")


def test_the_product_page_and_cards_show_the_shops_price(pro, stock):
    pro_list(pro, stock)
    product = stock.tee.product
    on_b, on_a = shop_selectors.shop_by_id(pro.pk), shop_selectors.default_shop()
    with using(on_b):
        page_b = storefront_selectors.product_page(product)
        cards_b = storefront_selectors.recommended_cards([product.pk])
    with using(on_a):
        page_a = storefront_selectors.product_page(product)
        cards_a = storefront_selectors.recommended_cards([product.pk])
    assert (page_b.variants[0].price.gross_eur, page_b.variants[0].price.price_list) == (
        Decimal("9.60"),
        "pro-prices",
    )
    assert (page_a.variants[0].price.gross_eur, page_a.variants[0].price.price_list) == (
        Decimal("12.50"),
        None,
    )
    assert (cards_b[0].price.gross_eur, cards_a[0].price.gross_eur) == (Decimal("9.60"), Decimal("12.50"))


def test_the_order_keeps_the_shops_price(pro, stock):
    pro_list(pro, stock)
    shop_options.set_shop_methods(shop_id=pro.pk, delivery_methods=[], payment_methods=["test"])
    client, token = cart_on(B, ("TEE", 1))
    response = client.post(START, start_body(token, provider="test"), format="json")
    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    line = order.lines.get()
    assert (line.unit_price_net, order.shop_id, response.json()["totals"]["total_gross"]) == (
        Decimal("8.0000"),
        pro.pk,
        "9.60",
    )


# --- promotions -------------------------------------------------------------------------------------


def test_a_promotion_of_shop_b_is_not_applied_on_shop_a(pro, stock):
    now = timezone.now()
    promotion = Promotion.objects.create(
        name="Pro week", kind=DiscountKind.PERCENT, value=Decimal("20"),
        starts_at=now - dt.timedelta(days=1), ends_at=now + dt.timedelta(days=1),
    )  # fmt: skip
    promotion.shops.set([pro])
    client_a, token_a = cart_on(A, ("TEE", 2))
    client_b, token_b = cart_on(B, ("TEE", 2))
    totals_a = client_a.get(f"{CART}{token_a}/").json()
    totals_b = client_b.get(f"{CART}{token_b}/").json()
    assert (totals_a["applied_promotions"], totals_a["totals"]["total_gross"]) == ([], "25.00")
    assert totals_b["applied_promotions"] == [{"name": "Pro week", "amount": "5.00"}]
    assert totals_b["totals"]["total_gross"] == "20.00"
    # the checkout on A: no discount either
    response = client_a.post(START, start_body(token_a, provider="test"), format="json")
    assert response.status_code == 201, response.json()
    assert Order.objects.get(number=response.json()["number"]).discount_gross == Decimal("0.00")


def test_a_coupon_of_shop_b_is_refused_on_shop_a(pro, stock):
    now = timezone.now()
    promotion = Promotion.objects.create(
        name="Pro code", kind=DiscountKind.PERCENT, value=Decimal("10"), requires_coupon=True,
        starts_at=now - dt.timedelta(days=1), ends_at=now + dt.timedelta(days=1),
    )  # fmt: skip
    promotion.shops.set([pro])
    promotion.coupons.create(code="PRO10")
    client_a, token_a = cart_on(A, ("TEE", 1))
    refused = client_a.post(f"{CART}{token_a}/coupon/", {"code": "pro10"}, format="json")
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["detail"]["reason"]) == ("invalid_coupon", "wrong_shop")
    assert Cart.objects.get(token=token_a).coupon_code == ""
    client_b, token_b = cart_on(B, ("TEE", 1))
    assert client_b.post(f"{CART}{token_b}/coupon/", {"code": "pro10"}, format="json").status_code == 200


# --- delivery and payment methods -------------------------------------------------------------------


def test_the_api_options_list_the_shops_methods_only(pro, stock):
    client_b, token_b = cart_on(B, ("TEE", 1))
    data = client_b.post(OPTIONS, {"cart": token_b, "country": "FR"}, format="json").json()
    assert (data["delivery_methods"], data["payment_methods"]) == (["click_collect"], ["paypal"])
    assert data["home_delivery"]["available"] is False
    assert data["home_delivery"]["options"] == []
    assert data["home_delivery"]["error"] == "This shop does not offer home delivery."
    assert [s["code"] for s in data["click_collect"]] == ["AJA", "BAS"]
    client_a, token_a = cart_on(A, ("TEE", 1))
    data = client_a.post(OPTIONS, {"cart": token_a, "country": "FR"}, format="json").json()
    assert (data["delivery_methods"], data["payment_methods"]) == (
        ["home", "click_collect"],
        ["test", "paypal"],
    )
    assert data["home_delivery"]["available"] is True


def test_a_shop_without_click_and_collect_lists_no_store(pro, stock):
    shop_options.set_shop_methods(shop_id=pro.pk, delivery_methods=["home"], payment_methods=[])
    client_b, token_b = cart_on(B, ("TEE", 1))
    data = client_b.post(OPTIONS, {"cart": token_b, "country": "FR"}, format="json").json()
    assert (data["delivery_methods"], data["payment_methods"], data["click_collect"]) == (
        ["home"],
        ["test", "paypal"],
        [],
    )
    assert data["home_delivery"]["available"] is True


@pytest.mark.parametrize(
    ("overrides", "field", "method"),
    [
        ({"delivery_method": "home", "shipping_address": ADDRESS, "carrier": "colissimo", "location": ""},
         "delivery_method", "home"),
        ({"provider": "test"}, "provider", "test"),
    ],
)  # fmt: skip
def test_the_checkout_refuses_a_method_the_shop_does_not_offer(pro, stock, overrides, field, method):
    client, token = cart_on(B, ("TEE", 1))
    response = client.post(START, start_body(token, **overrides), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["detail"]["field"], body["detail"]["method"]) == (
        "method_not_offered",
        field,
        method,
    )
    assert body["message"] in (
        "This shop does not offer this delivery method.",
        "This shop does not offer this payment method.",
    )
    assert nothing_written()
    assert Cart.objects.get(token=token).status == CartStatus.OPEN


def test_the_same_methods_are_accepted_on_the_shop_that_offers_them(pro, stock):
    client, token = cart_on(A, ("TEE", 1))
    overrides = {
        "delivery_method": "home",
        "shipping_address": ADDRESS,
        "carrier": "colissimo",
        "provider": "test",
    }
    response = client.post(START, start_body(token, **overrides), format="json")
    assert response.status_code == 201, response.json()
    assert Order.objects.get().delivery_method == "home"


def test_the_checkout_page_shows_the_shops_methods_only(pro, stock, client):
    client.defaults["HTTP_HOST"] = B
    client.post("/en/cart/add/", {"sku": "TEE", "quantity": "1"})
    page = client.get("/en/checkout/")
    assert page.status_code == 200
    assert (page.context["offers_home"], page.context["offers_collect"]) == (False, True)
    assert [code for code, _label in page.context["providers"]] == ["paypal"]
    assert page.context["form"]["delivery_method"] == "click_collect"
    assert b'value="home"' not in page.content
    refused = client.post(
        "/en/checkout/",
        {"action": "pay", "email": "ana@example.com", "delivery_method": "click_collect", "location": "BAS",
         "provider": "test", "idempotency_key": "x" * 32},
    )  # fmt: skip
    assert refused.status_code == 400
    assert refused.context["errors"]["provider"] == "This shop does not offer this payment method."
    assert nothing_written()


# --- the admin's choice -----------------------------------------------------------------------------


def test_the_choices_are_validated(pro):
    for bad in (["post"], ["home", "home"], ["reserve_store"], "home"):
        with pytest.raises(ValidationError):
            ShopCheckoutOptions(shop=pro, delivery_methods=bad).full_clean(validate_unique=False)
    with pytest.raises(ValidationError):
        ShopCheckoutOptions(shop=pro, payment_methods=["cash"]).full_clean(validate_unique=False)
    ShopCheckoutOptions(
        shop=pro, delivery_methods=["reserve_store", "home"], payment_methods=["terms"]
    ).full_clean(validate_unique=False)


def test_the_shop_admin_edits_the_methods_inline(pro, admin_client):
    url = f"/admin/shops/shop/{pro.pk}/change/"
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert b"checkout_options-TOTAL_FORMS" in page.content
    row = ShopCheckoutOptions.objects.get(shop=pro)
    data = {
        "code": "pro", "name": "Maison Corse Pro", "mode": "b2c", "tokens": "{}",
        "languages": ["fr", "en", "it"], "default_language": "fr", "currencies": ["EUR"],
        "domains-TOTAL_FORMS": "0", "domains-INITIAL_FORMS": "0",
        "checkout_options-TOTAL_FORMS": "1", "checkout_options-INITIAL_FORMS": "1",
        "checkout_options-0-id": str(row.pk), "checkout_options-0-shop": str(pro.pk),
        "checkout_options-0-delivery_methods": ["reserve_store"],
        "checkout_options-0-payment_methods": ["stripe", "paypal"],
    }  # fmt: skip
    refused = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200  # the form again, with the error
    assert b"Offer home delivery or click &amp; collect" in refused.content
    row.refresh_from_db()
    assert (row.delivery_methods, row.payment_methods) == (["click_collect"], ["paypal"])
    data["checkout_options-0-delivery_methods"] = ["home", "reserve_store"]
    saved = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert saved.status_code == 302
    row.refresh_from_db()
    assert (row.delivery_methods, row.payment_methods) == (["home", "reserve_store"], ["stripe", "paypal"])


def test_a_reservation_to_try_in_store_is_refused_on_a_shop_that_does_not_offer_it(pro, stock):
    body = {
        "store": "BAS", "lines": [{"sku": "TEE", "quantity": 1}],
        "name": "Lucia Costa", "email": "lucia@example.com", "phone": "0612345678",
    }  # fmt: skip
    refused = on(B).post("/api/v1/store/reservations/", body, format="json")
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["detail"]["method"]) == (
        "method_not_offered",
        "reserve_store",
    )
    assert nothing_written()
    placed = on(A).post("/api/v1/store/reservations/", body, format="json")
    assert placed.status_code == 201, placed.json()
    assert Order.objects.get().shop_id == shop_selectors.default_shop().id  # the shop it was made on


def test_a_payment_retry_is_refused_with_a_method_the_shop_no_longer_offers(pro, stock):
    from orders.errors import MethodNotOffered
    from orders.services import retry

    shop_options.set_shop_methods(shop_id=pro.pk, delivery_methods=[], payment_methods=["test"])
    client, token = cart_on(B, ("TEE", 1))
    assert client.post(START, start_body(token, provider="test"), format="json").status_code == 201
    order = Order.objects.get()
    shop_options.set_shop_methods(shop_id=pro.pk, delivery_methods=[], payment_methods=["paypal"])
    with pytest.raises(MethodNotOffered) as refused:
        retry.retry_payment(order=order, provider="test", return_url="/", cancel_url="/")
    assert refused.value.detail == {"field": "provider", "method": "test", "offered": ["paypal"]}
    assert Payment.objects.filter(order_id=order.pk).count() == 1  # the first attempt only


def test_the_pricing_admin_shows_and_filters_by_shop(pro, stock, admin_client):
    plist = pro_list(pro, stock)
    listing = admin_client.get(
        f"/admin/pricing/pricelist/?shop__id__exact={pro.pk}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert listing.status_code == 200
    assert [row.pk for row in listing.context["cl"].result_list] == [plist.pk]
    assert admin_client.get("/admin/pricing/promotion/add/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_the_reserve_buttons_show_only_on_a_shop_that_offers_reservations(
    pro, stock, client, django_capture_on_commit_callbacks
):
    slug = stock.tee.product.slug
    on_b = client.get(f"/en/p/{slug}/", HTTP_HOST=B)
    on_a = client.get(f"/en/p/{slug}/", HTTP_HOST=A)
    assert (on_a.status_code, on_b.status_code) == (200, 200)
    assert b"data-reserve-form" in on_a.content
    assert b"data-reserve-form" not in on_b.content
    client.post("/en/cart/add/", {"sku": "TEE", "quantity": "1"}, HTTP_HOST=B)
    assert b"data-reserve-cart" not in client.get("/en/cart/", HTTP_HOST=B).content
    with django_capture_on_commit_callbacks(execute=True):  # the shop's pages are dropped after commit
        shop_options.set_shop_methods(shop_id=pro.pk, delivery_methods=[], payment_methods=[])  # all again
    assert b"data-reserve-form" in client.get(f"/en/p/{slug}/", HTTP_HOST=B).content  # not a stale page
    assert b"data-reserve-cart" in client.get("/en/cart/", HTTP_HOST=B).content
