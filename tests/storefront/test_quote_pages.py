"""The B2B quote pages of the portal (issue 17): "Ask for a quote" on the cart for company members
only, the company's quotes, one quote (list price, quoted price, discount, validity, PDF), Accept /
Decline; another company's quote is a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Address
from orders.models import Order, OrderStatus, Quote, QuoteStatus
from tests.orders.quotes_support import make_quote_shop, requested, sent

pytestmark = pytest.mark.django_db
QUOTES = "/en/account/quotes/"


@pytest.fixture
def shop():
    return make_quote_shop()


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_cart_offers_a_quote_to_company_members_only(client, shop):
    page = signed_in(client, shop.anna).get("/en/cart/").content.decode()
    assert "Ask for a quote" in page and 'action="/en/account/quotes/request/"' in page

    from orders.models import Cart
    from orders.services import cart as cart_services

    cart_services.add_to_cart(cart=Cart.objects.create(user=shop.shopper), variant=shop.mug, quantity=1)
    client.force_login(shop.shopper)
    assert "Ask for a quote" not in client.get("/en/cart/").content.decode()


def test_asking_from_the_cart_leads_to_the_quote(client, shop):
    signed_in(client, shop.anna)
    response = client.post(f"{QUOTES}request/", {"message": "Before Easter"})
    quote = Quote.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{QUOTES}{quote.number}/"
    page = client.get(response["Location"]).content.decode()
    assert quote.number in page and "Before Easter" in page and "preparing your quote" in page


def test_a_shopper_cannot_ask_and_has_no_quotes_page(client, shop):
    signed_in(client, shop.shopper)
    response = client.post(f"{QUOTES}request/", {"message": ""})
    assert response.status_code == 302 and response["Location"] == "/en/cart/"
    assert Quote.objects.count() == 0
    assert client.get(QUOTES).status_code == 404


def test_the_list_and_the_detail_show_prices_discount_and_validity(
    client, shop, django_assert_max_num_queries
):
    quote = sent(shop, box_price="7.5000")
    signed_in(client, shop.bruno)
    with django_assert_max_num_queries(20):
        listing = client.get(QUOTES)
    assert listing.status_code == 200 and quote.number in listing.content.decode()
    with django_assert_max_num_queries(25):
        response = client.get(f"{QUOTES}{quote.number}/")
    page = response.content.decode()
    assert "10.00" in page and "7.50" in page and "−25.0 %" in page  # list, quoted, discount
    assert quote.valid_until.strftime("%Y") in page
    assert "Accept and order" in page and "Collect at Ajaccio" in page and "Decline" in page


def test_another_company_s_quote_is_a_404(client, shop):
    quote = sent(shop)
    signed_in(client, shop.carla)
    assert client.get(f"{QUOTES}{quote.number}/").status_code == 404
    assert client.post(f"{QUOTES}{quote.number}/accept/", {"delivery": "store:AJA"}).status_code == 404
    assert client.post(f"{QUOTES}{quote.number}/decline/").status_code == 404
    assert client.get(f"{QUOTES}{quote.number}/pdf/").status_code == 404
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT


def test_accepting_for_collection_leads_to_the_order(client, shop):
    quote = sent(shop)
    signed_in(client, shop.anna)
    response = client.post(f"{QUOTES}{quote.number}/accept/", {"delivery": "store:AJA"})
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/account/orders/{order.number}/"
    assert order.status == OrderStatus.PAID and order.location.code == "AJA"


def test_accepting_for_delivery_to_a_saved_address(client, shop):
    from inventory import services as inventory
    from inventory.models import LocationKind
    from tests.factories import LocationFactory

    warehouse = LocationFactory(code="WH", name="Warehouse", kind=LocationKind.WAREHOUSE, sells_online=True)
    inventory.receive_stock(variant=shop.box, location=warehouse, quantity=50)
    inventory.receive_stock(variant=shop.mug, location=warehouse, quantity=50)
    address = Address.objects.create(
        user=shop.anna,
        first_name="Anna",
        last_name="Rossi",
        line1="1 via Roma",
        postal_code="20000",
        city="Ajaccio",
    )
    quote = sent(shop)
    signed_in(client, shop.anna)
    response = client.post(f"{QUOTES}{quote.number}/accept/", {"delivery": f"address:{address.pk}"})
    assert response.status_code == 302, response
    order = Order.objects.get()
    assert (order.delivery_method, order.location, order.shipping_address["city"]) == (
        "home",
        warehouse,
        "Ajaccio",
    )


def test_a_refused_accept_shows_why_and_orders_nothing(client, shop):
    quote = sent(shop)
    Quote.objects.filter(pk=quote.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    signed_in(client, shop.anna)
    response = client.post(f"{QUOTES}{quote.number}/accept/", {"delivery": "store:AJA"}, follow=True)
    assert "ask for a new one" in response.content.decode()
    assert Order.objects.count() == 0


def test_declining(client, shop):
    quote = sent(shop)
    signed_in(client, shop.dario)
    response = client.post(f"{QUOTES}{quote.number}/decline/", follow=True)
    assert "is declined" in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DECLINED


def test_the_pdf_is_offered_once_rendered(client, shop, tmp_path, settings):
    from orders.services.quotes import store_quote_pdf

    settings.MEDIA_ROOT = str(tmp_path)
    quote = requested(shop)
    signed_in(client, shop.anna)
    assert client.get(f"{QUOTES}{quote.number}/pdf/").status_code == 404
    store_quote_pdf(quote_id=quote.pk, pdf=b"%PDF-1.7 test")
    response = client.get(f"{QUOTES}{quote.number}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"
    assert "Download PDF" in client.get(f"{QUOTES}{quote.number}/").content.decode()
