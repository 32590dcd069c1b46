"""/api/v1/erp/: upserts by the ERP's codes (idempotent, Idempotency-Key honoured, bad input written
nowhere), orders read after a cursor, and only the integration role's token gets in — and nowhere else."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import CustomerGroup, CustomerProfile, Role, User
from catalog.models import Product, Variant
from pricing.models import PriceList, PriceListEntry
from tests.factories import CategoryFactory, UserFactory, VatRateFactory, make_ean13, staff

from .conftest import token_client

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/erp/products/"
CUSTOMERS = "/api/v1/erp/customers/"
PRICES = "/api/v1/erp/prices/"
ORDERS = "/api/v1/erp/orders/"


@pytest.fixture
def catalog_setup(db):
    VatRateFactory()  # 20 %
    return CategoryFactory(slug="t-shirts", name="T-shirts")


def product_body(**overrides):
    body = {
        "product_ref": "AR-100",
        "name_fr": "Tee-shirt coton",
        "name_en": "Cotton tee",
        "category": "t-shirts",
        "vat_rate": "20.00",
        "variants": [
            {"sku": "AR-100-M", "ean": make_ean13(100), "size": "M", "color": "Rouge", "price_ttc": "29.90"},
            {"sku": "AR-100-L", "ean": make_ean13(101), "size": "L", "color": "Rouge", "price_ttc": "31.90"},
        ],
    }
    body.update(overrides)
    return body


def test_product_created_then_unchanged_then_updated(erp, catalog_setup):
    response = erp.post(PRODUCTS, product_body(), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["outcome"] == "created"
    assert response.json()["variants"] == {"AR-100-M": "created", "AR-100-L": "created"}
    product = Product.objects.get(slug="ar-100")
    assert (product.name_fr, product.name_en, product.name_it) == (
        "Tee-shirt coton",
        "Cotton tee",
        "Tee-shirt coton",
    )
    medium, large = Variant.objects.get(sku="AR-100-M"), Variant.objects.get(sku="AR-100-L")
    assert (medium.price_ttc, large.price_ttc) == (Decimal("29.90"), Decimal("31.90"))
    assert sorted(v.code for v in medium.option_values.all()) == ["m", "rouge"]

    again = erp.post(PRODUCTS, product_body(), format="json")
    assert again.status_code == 200
    assert again.json()["outcome"] == "unchanged"
    assert set(again.json()["variants"].values()) == {"unchanged"}

    changed = product_body()
    changed["variants"][1]["price_ttc"] = "33.90"
    response = erp.post(PRODUCTS, changed, format="json")
    assert response.status_code == 200
    assert response.json()["outcome"] == "updated"
    assert response.json()["variants"] == {"AR-100-M": "unchanged", "AR-100-L": "updated"}
    assert Variant.objects.get(sku="AR-100-L").price_ttc == Decimal("33.90")
    assert Product.objects.count() == 1 and Variant.objects.count() == 2

    costed = product_body()
    costed["variants"][0]["cost_price_ht"] = "8.40"
    response = erp.post(PRODUCTS, costed, format="json")
    assert response.json()["variants"]["AR-100-M"] == "updated"
    assert Variant.objects.get(sku="AR-100-M").cost_price_ht == Decimal("8.4000")
    response = erp.post(PRODUCTS, product_body(), format="json")  # no cost sent: the cost stays
    assert response.json()["variants"]["AR-100-M"] == "unchanged"
    assert Variant.objects.get(sku="AR-100-M").cost_price_ht == Decimal("8.4000")


def test_idempotency_key_replays_the_first_answer(erp, catalog_setup):
    headers = {"HTTP_IDEMPOTENCY_KEY": "erp-run-1"}
    first = erp.post(PRODUCTS, product_body(), format="json", **headers)
    second = erp.post(PRODUCTS, product_body(), format="json", **headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    other = erp.post(PRODUCTS, product_body(name_fr="Autre"), format="json", **headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Product.objects.get().name_fr == "Tee-shirt coton"


def test_bad_product_is_refused_field_by_field_and_nothing_written(erp, catalog_setup):
    body = product_body(category="unknown")
    body["variants"][0]["ean"] = "1234567890123"  # wrong check digit
    body["variants"][1]["sku"] = "AR-100-M"  # twice
    response = erp.post(PRODUCTS, body, format="json")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert set(detail) == {"category", "variants"}
    assert set(detail["variants"]) == {"0", "1"}
    assert "ean" in detail["variants"]["0"] and "sku" in detail["variants"]["1"]
    negative = product_body()
    negative["variants"][0]["price_ttc"] = "-1.00"
    response = erp.post(PRODUCTS, negative, format="json")
    assert response.status_code == 400
    assert "price_ttc" in response.json()["detail"]["variants"]["0"]
    assert Product.objects.count() == 0 and Variant.objects.count() == 0


def test_customer_upsert_by_code(erp):
    CustomerGroup.objects.create(code="pro", name="Professionnels", is_b2b=True)
    body = {
        "customer_code": "C0042",
        "email": "Achats@Textiles.example",
        "first_name": "Paul",
        "last_name": "Santoni",
        "company": "Corsica Textiles SARL",
        "siret": "303 265 045 00011",
        "customer_group": "pro",
    }
    created = erp.post(CUSTOMERS, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["outcome"] == "created"
    profile = CustomerProfile.objects.select_related("user", "group").get(erp_code="C0042")
    assert (profile.user.email, profile.siren, profile.group.code) == (
        "achats@textiles.example",
        "303265045",
        "pro",
    )
    assert not profile.user.has_usable_password()
    assert erp.post(CUSTOMERS, body, format="json").json()["outcome"] == "unchanged"
    updated = erp.post(CUSTOMERS, {**body, "phone": "+33 4 95 00 00 00"}, format="json")
    assert (updated.status_code, updated.json()["outcome"]) == (200, "updated")
    assert User.objects.filter(email="achats@textiles.example").count() == 1

    address = {"address": "4 cours Napoléon", "postcode": "20000", "city": "Ajaccio", "country": "fr"}
    moved = erp.post(CUSTOMERS, {**body, **address}, format="json")
    assert (moved.status_code, moved.json()["outcome"]) == (200, "updated")
    billing = profile.user.addresses.get(label="ERP")
    assert (billing.line1, billing.postal_code, billing.city, billing.country) == (
        "4 cours Napoléon", "20000", "Ajaccio", "FR",
    )  # fmt: skip
    assert billing.is_default_billing
    assert erp.post(CUSTOMERS, {**body, **address}, format="json").json()["outcome"] == "unchanged"
    half = erp.post(CUSTOMERS, {**body, "address": "1 rue Fesch", "city": ""}, format="json")
    assert half.status_code == 400 and set(half.json()["detail"]) == {"postcode", "city"}
    assert profile.user.addresses.get(label="ERP").line1 == "4 cours Napoléon"  # nothing written


def test_bad_customer_writes_nothing(erp):
    UserFactory(email="taken@example.com", role=Role.SHOPPER)
    CustomerProfile.objects.create(user=User.objects.get(email="taken@example.com"), erp_code="C1")
    users = User.objects.count()
    bad = erp.post(
        CUSTOMERS,
        {"customer_code": "C2", "email": "x@example.com", "customer_group": "nope", "siret": "12"},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["detail"]) == {"customer_group", "siret"}
    not_email = erp.post(CUSTOMERS, {"customer_code": "C2", "email": "not-an-email"}, format="json")
    assert not_email.status_code == 400 and "email" in not_email.json()["detail"]
    taken = erp.post(CUSTOMERS, {"customer_code": "C2", "email": "taken@example.com"}, format="json")
    assert (taken.status_code, taken.json()["code"]) == (409, "email_taken")
    assert bad.json()["code"] == "invalid_customer"
    assert User.objects.count() == users
    assert not CustomerProfile.objects.filter(erp_code="C2").exists()


def test_group_prices_ht(erp, catalog_setup):
    erp.post(PRODUCTS, product_body(), format="json")
    CustomerGroup.objects.create(code="pro", name="Pro", is_b2b=True)
    rows = [
        {"sku": "AR-100-M", "customer_group": "pro", "price_ht": "20.0000"},
        {"sku": "AR-100-L", "customer_group": "pro", "discount_percent": "10"},
    ]
    response = erp.post(PRICES, {"prices": rows}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    entries = dict(PriceListEntry.objects.values_list("variant__sku", "price_ht"))
    large = Variant.objects.get(sku="AR-100-L")
    assert entries == {
        "AR-100-M": Decimal("20.0000"),
        "AR-100-L": (large.price_ht * Decimal("0.9")).quantize(Decimal("0.0001")),
    }
    assert PriceList.objects.get().code == "erp-pro"
    assert erp.post(PRICES, {"prices": rows}, format="json").json() == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }
    bad = erp.post(
        PRICES,
        {
            "prices": [
                rows[0] | {"price_ht": "21"},
                {"sku": "NOPE", "customer_group": "pro", "price_ht": "1", "discount_percent": "5"},
            ]
        },
        format="json",
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_prices")
    assert set(bad.json()["detail"]) == {"1"}
    assert set(bad.json()["detail"]["1"]) == {"sku", "price_ht"}
    assert PriceListEntry.objects.get(variant__sku="AR-100-M").price_ht == Decimal(
        "20.0000"
    )  # row 0 not applied


def test_orders_since_a_cursor(erp, shop, customer, till_sale, django_assert_max_num_queries):
    CustomerProfile.objects.update_or_create(user=customer, defaults={"erp_code": "C7"})
    orders = [
        till_sale(customer if i == 0 else None, [("TEE", 1 + i)], [("cash", "100.00")]) for i in range(3)
    ]
    with django_assert_max_num_queries(8):
        first = erp.get(ORDERS, {"limit": 2})
    assert first.status_code == 200
    page = first.json()
    assert [o["number"] for o in page["results"]] == [o.number for o in orders[:2]]
    assert page["has_more"] is True and page["next_cursor"] == orders[1].pk
    assert page["results"][0]["customer_code"] == "C7"
    assert page["results"][0]["lines"][0]["sku"] == "TEE"
    second = erp.get(ORDERS, {"limit": 2, "after": page["next_cursor"]}).json()
    assert [o["number"] for o in second["results"]] == [orders[2].number]
    assert second["has_more"] is False
    empty = erp.get(ORDERS, {"after": second["next_cursor"]}).json()
    assert empty == {"results": [], "next_cursor": orders[2].pk, "has_more": False}
    assert erp.get(ORDERS, {"after": "x"}).status_code == 400


def test_only_the_integration_role_and_its_token_only_here(erp, catalog_setup, store):
    office = token_client(staff(email="office@example.com"))
    assert office.post(PRODUCTS, product_body(), format="json").status_code == 403
    assert office.get(ORDERS).status_code == 403
    boss = token_client(UserFactory(email="boss@example.com", role=Role.MANAGER))
    assert (
        boss.post(CUSTOMERS, {"customer_code": "C", "email": "c@example.com"}, format="json").status_code
        == 403
    )
    shopper = token_client(UserFactory(email="shopper@example.com", role=Role.SHOPPER))
    assert shopper.get(ORDERS).status_code == 403
    # The integration token elsewhere in the API: 403, whatever that endpoint would allow.
    for path in ("/api/v1/loyalty/", "/api/v1/stock/", "/api/v1/orders/"):
        response = erp.get(path)
        assert response.status_code == 403, path
        assert response.json()["code"] == "permission_denied"
    assert Product.objects.count() == 0
