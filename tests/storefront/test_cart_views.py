"""The cart page and its forms (no JavaScript needed), the currency switch, suggestions, and the
session cart merged at login."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import CustomerGroup, CustomerProfile
from catalog.models import ProductImage
from orders.models import Cart, CartStatus, Channel, DeliveryMethod, Order, OrderLine, OrderStatus
from orders.selectors_cart import cart_suggestions
from orders.services import cart as services
from pricing.models import PriceList, PriceListEntry
from pricing.services import set_currency_rate
from storefront import cart_session
from tests.factories import CategoryFactory, UserFactory
from tests.orders.cart_support import coupon, lines_of, make_shop, stocked_variant

pytestmark = pytest.mark.django_db

CART = "/en/cart/"
ADD = "/en/cart/add/"
UPDATE = "/en/cart/update/"
REMOVE = "/en/cart/remove/"
COUPON = "/en/cart/coupon/"
CURRENCY = "/en/currency/"


@pytest.fixture
def shop():
    return make_shop()


def flash(response) -> list[str]:
    """The message this response added (earlier, unshown ones are still queued before it)."""
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    return shown[-1:]


def session_cart(client) -> Cart | None:
    token = client.session.get("cart_token")
    return Cart.objects.filter(token=token).first() if token else None


def test_url_names_match_the_contract():
    with_lang = {
        "cart": "/fr/cart/",
        "cart-add": "/fr/cart/add/",
        "cart-update": "/fr/cart/update/",
        "cart-remove": "/fr/cart/remove/",
        "cart-coupon": "/fr/cart/coupon/",
        "set-currency": "/fr/currency/",
    }
    from django.utils import translation

    with translation.override("fr"):
        assert {name: reverse(f"orders:{name}") for name in with_lang} == with_lang


# --- the page -------------------------------------------------------------------------------------


def test_empty_cart_page(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(CART)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Your cart is empty" in html and "Continue shopping" in html
    assert 'action="/en/currency/"' in html  # the footer switch
    assert Cart.objects.count() == 0  # looking creates nothing


def test_cart_page_shows_lines_totals_and_the_checkout_button(client, shop):
    _, tee, mug = shop
    ProductImage.objects.create(product=tee.product, url="https://img.example/tee.jpg", alt="Tee")
    client.post(ADD, {"sku": "TEE", "quantity": "3"})
    client.post(ADD, {"sku": "MUG", "quantity": "1"})

    response = client.get(CART)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'src="https://img.example/tee.jpg"' in html
    assert "€12.50" in html and "€37.50" in html and "€43.50" in html
    assert 'href="/en/checkout/"' in html
    assert 'name="set" value="2"' in html and 'name="set" value="4"' in html  # the stepper
    assert response.context["cart_count"]() == 4


def test_cart_page_query_count_does_not_grow_with_lines(client, shop, django_assert_max_num_queries):
    aja, _, _ = shop
    coupon("BIENVENUE10")
    for n in range(8):
        client.post(ADD, {"sku": stocked_variant(f"X-{n}", location=aja).sku, "quantity": "1"})
    client.post(COUPON, {"code": "BIENVENUE10"})

    with django_assert_max_num_queries(14):
        response = client.get(CART)
    assert len(response.context["priced"].lines) == 8


# --- cart-add -------------------------------------------------------------------------------------


def test_add_redirects_to_next_with_a_message(client, shop):
    response = client.post(ADD, {"sku": "TEE", "quantity": "2", "next": "/en/p/tee/"})

    assert (response.status_code, response["Location"]) == (302, "/en/p/tee/")
    assert flash(response) == ["Added to your cart: Tee."]
    assert lines_of(session_cart(client)) == [("TEE", 2)]


def test_add_ignores_an_outside_next(client, shop):
    response = client.post(ADD, {"sku": "TEE", "next": "https://evil.example/"})
    assert response["Location"] == "/en/cart/"


def test_add_answers_json_when_asked(client, shop):
    client.post(ADD, {"sku": "MUG", "quantity": "2"})

    response = client.post(ADD, {"sku": "TEE", "quantity": "1"}, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json() == {
        "cart_count": 3,
        "line": {"sku": "TEE", "name": "Tee", "quantity": 1},
        "message": "Added to your cart: Tee.",
    }


@pytest.mark.parametrize(
    ("data", "status", "code", "message"),
    [
        ({"sku": "NOPE"}, 404, "unknown_sku", "This product does not exist."),
        ({"sku": ""}, 404, "unknown_sku", "This product does not exist."),
        (
            {"sku": "TEE", "quantity": "0"},
            400,
            "invalid_quantity",
            "The quantity must be a whole number from 1 to 99.",
        ),
        (
            {"sku": "TEE", "quantity": "-2"},
            400,
            "invalid_quantity",
            "The quantity must be a whole number from 1 to 99.",
        ),
        (
            {"sku": "TEE", "quantity": "100"},
            400,
            "invalid_quantity",
            "The quantity must be a whole number from 1 to 99.",
        ),
        (
            {"sku": "TEE", "quantity": "two"},
            400,
            "invalid_quantity",
            "The quantity must be a whole number from 1 to 99.",
        ),
        ({"sku": "TEE", "quantity": "6"}, 409, "insufficient_stock", "Only 5 of TEE can be ordered online."),
    ],
)
def test_add_refusals_write_nothing(client, shop, data, status, code, message):
    as_json = client.post(ADD, data, HTTP_ACCEPT="application/json")
    as_form = client.post(ADD, data, HTTP_REFERER="http://testserver/en/p/tee/")

    assert (as_json.status_code, as_json.json()["code"], as_json.json()["message"]) == (status, code, message)
    assert (as_form.status_code, as_form["Location"]) == (302, "http://testserver/en/p/tee/")
    assert flash(as_form) == [message]
    assert Cart.objects.count() == 0 and "cart_token" not in client.session


def test_add_needs_post(client):
    assert client.get(ADD).status_code == 405


# --- update / remove ------------------------------------------------------------------------------


def test_stepper_and_quantity_field_update_the_line(client, shop):
    client.post(ADD, {"sku": "TEE", "quantity": "1"})

    plus = client.post(UPDATE, {"sku": "TEE", "quantity": "1", "set": "2"})
    typed = client.post(UPDATE, {"sku": "TEE", "quantity": "4"})

    assert (plus["Location"], flash(plus)) == ("/en/cart/", ["Quantity updated."])
    assert flash(typed) == ["Quantity updated."]
    assert lines_of(session_cart(client)) == [("TEE", 4)]


def test_stepper_to_zero_removes_the_line(client, shop):
    client.post(ADD, {"sku": "TEE", "quantity": "1"})
    response = client.post(UPDATE, {"sku": "TEE", "set": "0"})
    assert flash(response) == ["Removed from your cart: Tee."]
    assert lines_of(session_cart(client)) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sku": "TEE", "quantity": "6"}, "Only 5 of TEE can be ordered online."),
        ({"sku": "TEE", "quantity": "-1"}, "The quantity must be a whole number from 0 to 99."),
        ({"sku": "TEE", "quantity": ""}, "The quantity must be a whole number from 0 to 99."),
        ({"sku": "MUG", "quantity": "1"}, "This product is not in the cart."),
        ({"sku": "NOPE", "quantity": "1"}, "This product does not exist."),
    ],
)
def test_update_refusals_show_a_message_and_change_nothing(client, shop, data, message):
    client.post(ADD, {"sku": "TEE", "quantity": "2"})
    response = client.post(UPDATE, data)
    assert flash(response) == [message]
    assert lines_of(session_cart(client)) == [("TEE", 2)]


def test_update_without_a_cart(client, shop):
    assert flash(client.post(UPDATE, {"sku": "TEE", "quantity": "1"})) == ["Your cart is empty."]


def test_remove(client, shop):
    client.post(ADD, {"sku": "TEE"})
    client.post(ADD, {"sku": "MUG"})

    response = client.post(REMOVE, {"sku": "TEE"})
    again = client.post(REMOVE, {"sku": "TEE"})

    assert flash(response) == ["Removed from your cart: Tee."]
    assert flash(again) == ["This product is not in the cart."]
    assert lines_of(session_cart(client)) == [("MUG", 1)]


# --- coupon ---------------------------------------------------------------------------------------


def test_coupon_apply_show_and_remove(client, shop):
    coupon("BIENVENUE10")
    client.post(ADD, {"sku": "TEE", "quantity": "3"})  # 37.50

    applied = client.post(COUPON, {"code": "bienvenue10"})
    page = client.get(CART).content.decode()
    removed = client.post(COUPON, {"action": "remove"})

    assert flash(applied) == ["Coupon BIENVENUE10 applied."]
    assert "Coupon <strong>BIENVENUE10</strong> applied." in page
    assert "−€3.75" in page and "€33.75" in page
    assert flash(removed) == ["The coupon was removed."]
    assert session_cart(client).coupon_code == ""


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("NOPE", "This coupon code does not exist."),
        ("", "Enter a coupon code."),
        ("BIG", "This coupon needs a basket of at least 50.00 EUR."),
    ],
)
def test_coupon_refusals_are_shown(client, shop, code, message):
    coupon("BIG", promotion_kwargs={"min_basket_ttc": Decimal("50.00")})
    client.post(ADD, {"sku": "TEE", "quantity": "3"})

    response = client.post(COUPON, {"code": code})
    page = client.get(CART).content.decode()

    assert flash(response) == [message]
    assert message.replace("'", "&#x27;") in page  # shown once, on the next page
    assert session_cart(client).coupon_code == ""


def test_coupon_without_a_cart(client):
    response = client.post(COUPON, {"code": "X"})
    assert flash(response) == ["Add products before using a coupon."]


# --- currency -------------------------------------------------------------------------------------


def test_currency_switch_converts_the_page(client, shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the offered currencies are cached till then
        set_currency_rate(currency="GBP", rate=Decimal("0.86"))
    client.post(ADD, {"sku": "TEE", "quantity": "3"})  # 37.50 EUR

    switched = client.post(CURRENCY, {"currency": "GBP", "next": "/en/cart/"})
    page = client.get(CART).content.decode()

    assert (switched["Location"], client.session["currency"]) == ("/en/cart/", "GBP")
    assert "£32.25" in page  # 37.50 x 0.86
    assert "Converted from €37.50 at 1 EUR = 0.860000 GBP." in page
    assert '<option value="GBP" selected>GBP</option>' in page


@pytest.mark.parametrize("currency", ["JPY", "CHF", ""])
def test_currency_switch_refuses_what_is_not_offered(client, currency):
    response = client.post(CURRENCY, {"currency": currency, "next": "https://evil.example/"})
    assert (response["Location"], flash(response)) == ("/en/cart/", ["This currency is not offered."])
    assert "currency" not in client.session


def test_a_removed_rate_falls_back_to_euros(client, shop):
    rate = set_currency_rate(currency="USD", rate=Decimal("1.08"))
    client.post(ADD, {"sku": "TEE"})
    client.post(CURRENCY, {"currency": "USD"})
    rate.delete()

    page = client.get(CART).content.decode()
    assert "€12.50" in page and client.session["currency"] == "EUR"


# --- suggestions ----------------------------------------------------------------------------------


def paid_order(location, *variants, status=OrderStatus.PAID):
    order = Order.objects.create(
        number=f"W-{Order.objects.count() + 1}",
        channel=Channel.WEB,
        status=status,
        delivery_method=DeliveryMethod.HOME,
        location=location,
    )
    for v in variants:
        OrderLine.objects.create(
            order=order,
            variant=v,
            sku=v.sku,
            name=v.product.name,
            quantity=1,
            unit_price_net=Decimal("1"),
            vat_rate=Decimal("0.2"),
            total_net=Decimal("1"),
            total_vat=Decimal("0.2"),
            total_gross=Decimal("1.2"),
        )
    return order


def test_suggestions_rank_co_purchases_then_fall_back_to_the_category(shop, django_assert_max_num_queries):
    aja, tee, mug = shop
    kitchen = CategoryFactory(name="Kitchen")
    jam = stocked_variant("JAM", location=aja, name="Jam")
    honey = stocked_variant("HONEY", location=aja, name="Honey")
    soap = stocked_variant("SOAP", location=aja, name="Soap")
    stocked_variant("PLATE", location=aja, name="Plate", category=kitchen)
    mug.product.category = kitchen
    mug.product.save()
    paid_order(aja, tee, jam, honey)
    paid_order(aja, tee, honey)
    paid_order(aja, mug, honey, tee)  # tee is in the cart: never suggested
    paid_order(aja, tee, soap, status=OrderStatus.PENDING_PAYMENT)  # not bought: not counted
    paid_order(aja, tee, soap, status=OrderStatus.CANCELLED)

    with django_assert_max_num_queries(6):
        found = cart_suggestions(product_ids={tee.product_id, mug.product_id}, limit=4)

    assert [(s.variant.sku, s.times_bought_together, s.unit_gross) for s in found] == [
        ("HONEY", 3, Decimal("12.00")),
        ("JAM", 1, Decimal("12.00")),
        ("PLATE", 0, Decimal("12.00")),  # same category as the mug
    ]


def test_suggestions_query_count_is_constant(shop, django_assert_max_num_queries):
    aja, tee, _ = shop
    others = [stocked_variant(f"S-{n}", location=aja, quantity=1) for n in range(10)]
    for v in others:
        ProductImage.objects.create(product=v.product, url=f"https://img.example/{v.sku}.jpg")
        paid_order(aja, tee, v)

    with django_assert_max_num_queries(6):
        found = cart_suggestions(product_ids={tee.product_id}, limit=8)
    assert len(found) == 8 and all(s.image is not None for s in found)


def test_the_cart_page_shows_suggestions(client, shop):
    aja, tee, _ = shop
    jam = stocked_variant("JAM", location=aja, name="Fig jam")
    paid_order(aja, tee, jam, status=OrderStatus.COMPLETED)
    client.post(ADD, {"sku": "TEE"})

    page = client.get(CART).content.decode()

    assert "Often bought together" in page and "Fig jam" in page
    assert 'name="sku" value="JAM"' in page


# --- session and login ----------------------------------------------------------------------------


def make_request(user=None, session=None):
    request = RequestFactory().get("/")
    request.session = session or SessionStore()
    request.user = user or AnonymousUser()
    return request


def test_get_cart_creates_only_when_asked_and_remembers_the_token():
    request = make_request()
    assert cart_session.get_cart(request) is None
    created = cart_session.get_cart(request, create=True)

    again = make_request(session=request.session)
    assert cart_session.get_cart(again).pk == created.pk
    assert request.session["cart_token"] == str(created.token)


def test_a_tampered_token_finds_nothing():
    request = make_request()
    request.session["cart_token"] = "not-a-uuid"
    assert cart_session.get_cart(request) is None


def test_on_login_merges_the_session_cart_into_the_users(shop):
    _, tee, mug = shop
    user = UserFactory()
    mine = Cart.objects.create(user=user)
    services.add_to_cart(cart=mine, variant=tee, quantity=1)
    request = make_request()
    anonymous = cart_session.get_cart(request, create=True)
    services.add_to_cart(cart=anonymous, variant=tee, quantity=2)
    services.add_to_cart(cart=anonymous, variant=mug, quantity=1)

    request.user = user
    cart_session.on_login(request, user)

    anonymous.refresh_from_db()
    assert cart_session.get_cart(request).pk == mine.pk
    assert sorted(lines_of(mine)) == [("MUG", 1), ("TEE", 3)]
    assert anonymous.status == CartStatus.MERGED and "cart_token" not in request.session


def test_on_login_hands_the_cart_over_when_the_user_has_none(shop):
    _, tee, _ = shop
    user = UserFactory()
    request = make_request()
    anonymous = cart_session.get_cart(request, create=True)
    services.add_to_cart(cart=anonymous, variant=tee, quantity=2)

    cart_session.on_login(request, user)

    anonymous.refresh_from_db()
    assert (anonymous.user_id, anonymous.status) == (user.pk, CartStatus.OPEN)


def test_on_login_without_a_session_cart_changes_nothing():
    user = UserFactory()
    cart_session.on_login(make_request(), user)
    assert Cart.objects.count() == 0


def test_signed_in_shopper_sees_their_group_prices(client, shop):
    _, tee, _ = shop
    group = CustomerGroup.objects.create(code="pro", name="Pro", is_b2b=True)
    plist = PriceList.objects.create(code="pro", name="Pro", customer_group=group)
    PriceListEntry.objects.create(price_list=plist, variant=tee, price_ht=Decimal("8.0000"))
    user = UserFactory()
    CustomerProfile.objects.create(user=user, group=group)
    client.force_login(user)

    client.post(ADD, {"sku": "TEE", "quantity": "2"})
    page = client.get(CART).content.decode()

    assert Cart.objects.get().user_id == user.pk
    # a B2B group's member sees HT as on the product page: 8.00 each (struck: the base 10.42 HT), 16.00
    # the line; the VAT and the total TTC (19.20) below
    assert "€8.00" in page and "€16.00" in page and "€10.42" in page and "each, excl. VAT" in page
    assert '<dt>Total incl. VAT</dt><dd class="price">€19.20</dd>' in page
