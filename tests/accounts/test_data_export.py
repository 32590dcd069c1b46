"""Export my data: the JSON file holds exactly what the shop keeps about the account."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import CustomerGroup, CustomerProfile
from catalog.models import Review
from inventory import services as inventory
from orders import services as order_services
from orders.models import Channel, DeliveryMethod, OrderStatus
from tests.accounts.portal_support import BASE_TIME, address, order, shopper
from tests.factories import LocationFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db

EXPORTED_AT = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
JOINED = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def ana(db):
    user = shopper(first_name="Ana", last_name="Rossi", phone="+33 6 12 34 56 78", preferred_language="it")
    type(user).objects.filter(pk=user.pk).update(date_joined=JOINED, last_login=None)
    CustomerProfile.objects.filter(user=user).update(
        marketing_opt_in=True,
        company_name="Rossi SARL",
        vat_number="FR12345678901",
        loyalty_card_number="LC-0042",
        group=CustomerGroup.objects.create(code="pro", name="Professionals", is_b2b=True),
        created_at=JOINED,
    )
    user.refresh_from_db()
    return user


def test_export_holds_account_profile_addresses_orders_and_reviews_exactly(ana):
    bo = shopper(email="bo@example.com")
    address(ana, label="Home", is_default_shipping=True, is_default_billing=True, phone="+33 6 12 34 56 78")
    address(ana, label="Office", line1="1 bd Paoli", line2="3e étage", postal_code="20200", city="Bastia")
    address(bo, label="Bo's")
    bastia = LocationFactory(code="BAS", name="Bastia")
    order(
        ana,
        "W2026-000001",
        days_ago=10,
        lines=[("TEE", 2, "25.00"), ("MUG", 1, "6.00")],
        phone="+33 6 12 34 56 78",
        shipping_gross="4.90",
        discount_gross="1.50",
        carrier="colissimo",
        shipping_address={
            "first_name": "Ana",
            "last_name": "Rossi",
            "line1": "3 rue Fesch",
            "city": "Ajaccio",
            "postal_code": "20000",
            "country": "FR",
        },
    )
    order(
        ana,
        "S-BAS-000003",
        channel=Channel.STORE,
        status=OrderStatus.COMPLETED,
        location=bastia,
        days_ago=3,
        lines=[("HONEY", 1, "9.90")],
    )
    order(bo, "W2026-000002")
    review = Review.objects.create(
        product=ProductFactory(name="Fig jam"),
        user=ana,
        author_name="Ana R.",
        rating=5,
        title="Delicious",
        text="Like my grandmother's.",
        language="it",
    )
    Review.objects.filter(pk=review.pk).update(created_at=BASE_TIME)

    data = services.export_customer_data(user=ana, now=EXPORTED_AT)

    web_at = (BASE_TIME - dt.timedelta(days=10)).isoformat()
    store_at = (BASE_TIME - dt.timedelta(days=3)).isoformat()
    assert data == {
        "format_version": 1,
        "exported_at": "2026-11-23T12:00:00+00:00",
        "account": {
            "email": "ana@example.com",
            "first_name": "Ana",
            "last_name": "Rossi",
            "phone": "+33 6 12 34 56 78",
            "preferred_language": "it",
            "date_joined": "2025-06-01T08:00:00+00:00",
            "last_login": None,
        },
        "profile": {
            "marketing_opt_in": True,
            "customer_group": "Professionals",
            "company_name": "Rossi SARL",
            "vat_number": "FR12345678901",
            "loyalty_card_number": "LC-0042",
            "created_at": "2025-06-01T08:00:00+00:00",
        },
        "addresses": [
            {
                "label": "Home",
                "first_name": "Ana",
                "last_name": "Rossi",
                "line1": "3 rue Fesch",
                "line2": "",
                "postal_code": "20000",
                "city": "Ajaccio",
                "country": "FR",
                "phone": "+33 6 12 34 56 78",
                "is_default_shipping": True,
                "is_default_billing": True,
            },
            {
                "label": "Office",
                "first_name": "Ana",
                "last_name": "Rossi",
                "line1": "1 bd Paoli",
                "line2": "3e étage",
                "postal_code": "20200",
                "city": "Bastia",
                "country": "FR",
                "phone": "",
                "is_default_shipping": False,
                "is_default_billing": False,
            },
        ],
        "invoices": [],  # none issued yet (tests/invoicing/test_personal_data.py)
        "quotes": [],  # none asked (tests/orders/test_quotes.py: a buyer's quotes)
        "orders": [
            {
                "number": "W2026-000001",
                "channel": "web",
                "status": "paid",
                "delivery_method": "home",
                "location": "Ajaccio",
                "created_at": web_at,
                "email": "ana@example.com",
                "phone": "+33 6 12 34 56 78",
                "currency": "EUR",
                "total_net": "25.83",
                "total_vat": "5.17",
                "total_gross": "31.00",
                "shipping_address": {
                    "first_name": "Ana",
                    "last_name": "Rossi",
                    "line1": "3 rue Fesch",
                    "city": "Ajaccio",
                    "postal_code": "20000",
                    "country": "FR",
                },
                "carrier": "colissimo",
                "shipping_gross": "4.90",
                "discount_gross": "1.50",
                "lines": [
                    {
                        "sku": "TEE",
                        "name": "Product TEE",
                        "quantity": 2,
                        "unit_price_net": "10.4150",
                        "vat_rate": "0.2000",
                        "discount_gross": "0.00",
                        "total_gross": "25.00",
                    },
                    {
                        "sku": "MUG",
                        "name": "Product MUG",
                        "quantity": 1,
                        "unit_price_net": "5.0000",
                        "vat_rate": "0.2000",
                        "discount_gross": "0.00",
                        "total_gross": "6.00",
                    },
                ],
                "status_history": [
                    {"from": "", "to": "pending_payment", "at": web_at},
                    {"from": "pending_payment", "to": "paid", "at": "2026-02-19T09:31:00+00:00"},
                ],
            },
            {
                "number": "S-BAS-000003",
                "channel": "store",
                "status": "completed",
                "delivery_method": "in_store",
                "location": "Bastia",
                "created_at": store_at,
                "email": "ana@example.com",
                "phone": "",
                "currency": "EUR",
                "total_net": "8.25",
                "total_vat": "1.65",
                "total_gross": "9.90",
                "shipping_address": {},
                "carrier": "",
                "shipping_gross": "0.00",
                "discount_gross": "0.00",
                "lines": [
                    {
                        "sku": "HONEY",
                        "name": "Product HONEY",
                        "quantity": 1,
                        "unit_price_net": "8.2500",
                        "vat_rate": "0.2000",
                        "discount_gross": "0.00",
                        "total_gross": "9.90",
                    }
                ],
                "status_history": [{"from": "", "to": "completed", "at": store_at}],
            },
        ],
        "reviews": [
            {
                "product": "Fig jam",
                "rating": 5,
                "title": "Delicious",
                "text": "Like my grandmother's.",
                "author_name": "Ana R.",
                "language": "it",
                "status": "pending",
                "created_at": BASE_TIME.isoformat(),
            }
        ],
    }


def test_export_includes_an_order_placed_by_the_checkout_service(ana):
    store = LocationFactory(code="AJA", name="Ajaccio")
    tee = VariantFactory(sku="TEE-RED", product__base_price_ht=Decimal("10.4150"))  # 12.50 TTC
    inventory.receive_stock(variant=tee, location=store, quantity=3)
    placed = order_services.place_web_order(
        lines=[order_services.LineInput(tee, 2)],
        location=store,
        delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
        email=ana.email,
        customer=ana,
    )

    exported = services.export_customer_data(user=ana)["orders"]

    assert [
        (o["number"], o["total_gross"], [(ln["sku"], ln["quantity"]) for ln in o["lines"]]) for o in exported
    ] == [(placed.number, "25.00", [("TEE-RED", 2)])]


def test_export_of_an_account_without_profile_or_anything(db):
    from tests.factories import UserFactory

    user = UserFactory(email="staff-ish@example.com")

    data = services.export_customer_data(user=user, now=EXPORTED_AT)

    assert data["profile"] is None
    assert (data["addresses"], data["orders"], data["reviews"]) == ([], [], [])


def test_export_view_downloads_the_json_file(client, ana, django_assert_max_num_queries):
    address(ana)
    order(ana, "W2026-000001")
    client.force_login(ana)

    with django_assert_max_num_queries(10):  # the invoices, then the quotes (their lines only if any)
        response = client.get("/en/account/my-data/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="my-data-{timezone.localdate().isoformat()}.json"'
    )
    assert response["Cache-Control"].startswith("max-age=0")
    body = json.loads(response.content)
    assert body["account"]["email"] == "ana@example.com"
    assert [o["number"] for o in body["orders"]] == ["W2026-000001"]
    assert [a["city"] for a in body["addresses"]] == ["Ajaccio"]


def test_export_query_count_does_not_grow_with_orders(client, ana):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ana)
    order(ana, "W2026-000001")
    with CaptureQueriesContext(connection) as few:
        client.get("/en/account/my-data/")
    for n in range(2, 8):
        order(ana, f"W2026-{n:06d}", lines=[("A", 1, "1.00"), ("B", 2, "2.00")])
    with CaptureQueriesContext(connection) as many:
        client.get("/en/account/my-data/")

    assert len(many) == len(few)


def test_export_requires_login(client):
    response = client.get("/en/account/my-data/")

    assert response.status_code == 302
    assert response["Location"] == "/en/account/login/?next=/en/account/my-data/"
