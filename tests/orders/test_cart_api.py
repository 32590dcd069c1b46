"""Store API v1 /api/v1/cart/: every endpoint, every bad input (nothing changes), ownership, idempotency."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from orders.models import Cart, CartStatus
from pricing.services import set_currency_rate
from tests.core.api_helpers import api_client
from tests.factories import UserFactory
from tests.orders.cart_support import coupon, lines_of, make_shop, stocked_variant

pytestmark = pytest.mark.django_db

CART = "/api/v1/cart/"


@pytest.fixture
def shop():
    return make_shop()


@pytest.fixture
def anon():
    return api_client()


def create(client, **body) -> dict:
    response = client.post(CART, body, format="json")
    assert response.status_code in (200, 201), response.json()
    return response.json()


def lines_url(token, sku=None):
    return f"{CART}{token}/lines/" + (f"{sku}/" if sku else "")


EMPTY_TOTALS = {
    "subtotal_gross": "0.00",
    "promotion_discount": "0.00",
    "member_discount": "0.00",
    "member_label": "",
    "coupon_discount": "0.00",
    "free_shipping": False,
    "total_gross": "0.00",
    "total_net": "0.00",
    "prices_ht": False,
    "currency": "EUR",
    "total_gross_in_currency": "0.00",
}


def test_anonymous_create_returns_an_empty_cart(anon):
    response = anon.post(CART, {}, format="json")

    body = response.json()
    assert response.status_code == 201
    cart = Cart.objects.get()
    assert body == {
        "token": str(cart.token),
        "status": "open",
        "currency": "EUR",
        "coupon_code": "",
        "coupon_error": "",
        "count": 0,
        "lines": [],
        "totals": EMPTY_TOTALS,
        "applied_promotions": [],
    }
    assert cart.user_id is None


def test_create_in_another_currency_and_refuse_one_not_offered(anon):
    set_currency_rate(currency="GBP", rate=Decimal("0.86"))

    gbp = anon.post(CART, {"currency": "gbp"}, format="json")
    jpy = anon.post(CART, {"currency": "JPY"}, format="json")

    assert (gbp.status_code, gbp.json()["currency"]) == (201, "GBP")
    assert jpy.status_code == 400
    assert jpy.json() == {
        "code": "unsupported_currency",
        "message": "JPY is not offered.",
        "detail": {"currency": "JPY"},
    }
    assert Cart.objects.count() == 1


def test_signed_in_create_returns_the_users_open_cart(db):
    user = UserFactory()
    client = api_client(user)

    first = client.post(CART, {}, format="json")
    second = client.post(CART, {}, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["token"] == second.json()["token"]
    assert Cart.objects.get().user_id == user.pk


def test_add_lines_and_read_the_priced_cart(anon, shop):
    token = create(anon)["token"]

    added = anon.post(lines_url(token), {"sku": "TEE", "quantity": 3}, format="json")
    anon.post(lines_url(token), {"sku": "MUG"}, format="json")
    got = anon.get(f"{CART}{token}/")

    assert added.status_code == 201
    assert added.json()["lines"] == [
        {
            "sku": "TEE",
            "name": "Tee",
            "quantity": 3,
            "unit_gross": "12.50",
            "unit_net": "10.4150",
            "vat_rate": "0.2000",
            "line_gross": "37.50",
            "discount_gross": "0.00",
            "weight_grams": 0,
        }
    ]
    body = got.json()
    assert got.status_code == 200
    assert [(ln["sku"], ln["quantity"]) for ln in body["lines"]] == [("TEE", 3), ("MUG", 1)]
    assert body["totals"]["total_gross"] == "43.50" and body["count"] == 4


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"sku": "NOPE", "quantity": 1}, 404, "unknown_sku"),
        ({"sku": "TEE", "quantity": 0}, 400, "invalid"),
        ({"sku": "TEE", "quantity": -3}, 400, "invalid"),
        ({"sku": "TEE", "quantity": 100}, 400, "invalid"),
        ({"sku": "TEE", "quantity": 10**12}, 400, "invalid"),
        ({"sku": "TEE", "quantity": "many"}, 400, "invalid"),
        ({"quantity": 1}, 400, "invalid"),
        ({"sku": "TEE", "quantity": 6}, 409, "insufficient_stock"),
    ],
)
def test_add_line_refusals_change_nothing(anon, shop, body, status, code):
    token = create(anon)["token"]
    anon.post(lines_url(token), {"sku": "TEE", "quantity": 1}, format="json")

    response = anon.post(lines_url(token), body, format="json")

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert lines_of(Cart.objects.get()) == [("TEE", 1)]


def test_add_line_messages_are_clear(anon, shop):
    token = create(anon)["token"]
    over = anon.post(lines_url(token), {"sku": "TEE", "quantity": 6}, format="json").json()
    unknown = anon.post(lines_url(token), {"sku": "NOPE"}, format="json").json()
    assert over == {
        "code": "insufficient_stock",
        "message": "Only 5 of TEE can be ordered online.",
        "detail": {"sku": "TEE", "requested": 6, "available": 5},
    }
    assert unknown == {
        "code": "unknown_sku",
        "message": "No product variant has the SKU 'NOPE'.",
        "detail": {"sku": "NOPE"},
    }


def test_a_line_over_99_in_total_is_refused(anon, db):
    from tests.factories import LocationFactory

    aja = LocationFactory(code="AJA", sells_online=True)
    stocked_variant("WATER", location=aja, quantity=500)
    token = create(anon)["token"]
    anon.post(lines_url(token), {"sku": "WATER", "quantity": 90}, format="json")

    response = anon.post(lines_url(token), {"sku": "WATER", "quantity": 10}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_quantity")
    assert lines_of(Cart.objects.get()) == [("WATER", 90)]


def test_patch_and_delete_lines(anon, shop):
    token = create(anon)["token"]
    anon.post(lines_url(token), {"sku": "TEE", "quantity": 1}, format="json")
    anon.post(lines_url(token), {"sku": "MUG", "quantity": 1}, format="json")

    patched = anon.patch(lines_url(token, "TEE"), {"quantity": 4}, format="json")
    zeroed = anon.patch(lines_url(token, "MUG"), {"quantity": 0}, format="json")
    anon.post(lines_url(token), {"sku": "MUG", "quantity": 2}, format="json")
    deleted = anon.delete(lines_url(token, "MUG"))

    assert patched.status_code == 200 and patched.json()["totals"]["total_gross"] == "56.00"
    assert [ln["sku"] for ln in zeroed.json()["lines"]] == ["TEE"]
    assert (deleted.status_code, [ln["sku"] for ln in deleted.json()["lines"]]) == (200, ["TEE"])


@pytest.mark.parametrize(
    ("method", "sku", "body", "status", "code"),
    [
        ("patch", "MUG", {"quantity": 1}, 404, "not_in_cart"),
        ("patch", "NOPE", {"quantity": 1}, 404, "unknown_sku"),
        ("patch", "TEE", {"quantity": -1}, 400, "invalid"),
        ("patch", "TEE", {"quantity": 100}, 400, "invalid"),
        ("patch", "TEE", {}, 400, "invalid"),
        ("patch", "TEE", {"quantity": 9}, 409, "insufficient_stock"),
        ("delete", "MUG", None, 404, "not_in_cart"),
        ("delete", "NOPE", None, 404, "unknown_sku"),
    ],
)
def test_line_change_refusals_change_nothing(anon, shop, method, sku, body, status, code):
    token = create(anon)["token"]
    anon.post(lines_url(token), {"sku": "TEE", "quantity": 2}, format="json")

    response = getattr(anon, method)(lines_url(token, sku), body, format="json")

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert lines_of(Cart.objects.get()) == [("TEE", 2)]


def test_coupon_apply_and_remove(anon, shop):
    coupon("BIENVENUE10")
    token = create(anon)["token"]
    anon.post(lines_url(token), {"sku": "TEE", "quantity": 3}, format="json")

    applied = anon.post(f"{CART}{token}/coupon/", {"code": "bienvenue10"}, format="json")
    removed = anon.delete(f"{CART}{token}/coupon/")

    assert applied.status_code == 200
    assert applied.json()["coupon_code"] == "BIENVENUE10"
    assert applied.json()["totals"] == {
        "subtotal_gross": "37.50",
        "promotion_discount": "0.00",
        "member_discount": "0.00",
        "member_label": "",
        "coupon_discount": "3.75",
        "free_shipping": False,
        "total_gross": "33.75",
        "total_net": "28.13",  # 33.75 / 1.20, as the order line will store it
        "prices_ht": False,
        "currency": "EUR",
        "total_gross_in_currency": "33.75",
    }
    assert [ln["discount_gross"] for ln in applied.json()["lines"]] == ["3.75"]
    assert (removed.status_code, removed.json()["coupon_code"]) == (200, "")


@pytest.mark.parametrize(
    ("code", "status", "reason"),
    [
        ("NOPE", 400, "unknown"),
        ("OLD", 400, "expired"),
        ("BIG", 400, "min_basket"),
        ("ONCE", 409, "used_up"),
    ],
)
def test_coupon_refusals(anon, shop, code, status, reason):
    import datetime as dt

    from django.utils import timezone

    coupon("OLD", promotion_kwargs={"ends_at": timezone.now() - dt.timedelta(minutes=1)})
    coupon("BIG", promotion_kwargs={"min_basket_ttc": Decimal("100.00")})
    coupon("ONCE", max_uses=1, times_used=1)
    token = create(anon)["token"]
    anon.post(lines_url(token), {"sku": "TEE", "quantity": 3}, format="json")

    response = anon.post(f"{CART}{token}/coupon/", {"code": code}, format="json")

    assert response.status_code == status
    assert (response.json()["code"], response.json()["detail"]["reason"]) == ("invalid_coupon", reason)
    assert Cart.objects.get().coupon_code == ""


def test_coupon_needs_a_code(anon, shop):
    token = create(anon)["token"]
    response = anon.post(f"{CART}{token}/coupon/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


# --- who may touch a cart -------------------------------------------------------------------------


def test_another_users_cart_is_not_found(shop):
    owner, other = UserFactory(), UserFactory()
    token = create(api_client(owner))["token"]
    intruder, anonymous = api_client(other), api_client()

    for client in (intruder, anonymous):
        assert client.get(f"{CART}{token}/").status_code == 404
        assert client.post(lines_url(token), {"sku": "TEE"}, format="json").status_code == 404
        assert client.patch(lines_url(token, "TEE"), {"quantity": 1}, format="json").status_code == 404
        assert client.delete(lines_url(token, "TEE")).status_code == 404
        assert client.post(f"{CART}{token}/coupon/", {"code": "X"}, format="json").status_code == 404
        assert client.delete(f"{CART}{token}/coupon/").status_code == 404
    assert lines_of(Cart.objects.get()) == []
    assert api_client(owner).get(f"{CART}{token}/").status_code == 200


@pytest.mark.parametrize("token", ["not-a-uuid", "00000000-0000-4000-8000-000000000000"])
def test_unknown_tokens_are_404(anon, token):
    response = anon.get(f"{CART}{token}/")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "No cart has this token.",
        "detail": {"token": token},
    }


def test_a_checked_out_cart_is_read_only(anon, shop):
    token = create(anon)["token"]
    anon.post(lines_url(token), {"sku": "TEE"}, format="json")
    Cart.objects.update(status=CartStatus.CHECKED_OUT)

    refused = anon.post(lines_url(token), {"sku": "MUG"}, format="json")

    assert (refused.status_code, refused.json()["code"]) == (409, "cart_closed")
    assert anon.get(f"{CART}{token}/").json()["status"] == "checked_out"
    assert lines_of(Cart.objects.get()) == [("TEE", 1)]


# --- idempotency ----------------------------------------------------------------------------------


def test_a_replayed_add_adds_once(shop):
    client = api_client(UserFactory())
    token = create(client)["token"]

    first = client.post(
        lines_url(token), {"sku": "TEE", "quantity": 2}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    replay = client.post(
        lines_url(token), {"sku": "TEE", "quantity": 2}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    reused = client.post(
        lines_url(token), {"sku": "MUG", "quantity": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")
    assert lines_of(Cart.objects.get()) == [("TEE", 2)]


def test_idempotency_keys_need_a_signed_in_client(anon, shop):
    response = anon.post(CART, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-anon")
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert Cart.objects.count() == 0


def test_bad_json_is_a_400(anon):
    response = anon.post(CART, "{not json", content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "parse_error")


# --- performance and documentation ----------------------------------------------------------------


def test_get_cart_query_count_does_not_grow(shop, django_assert_max_num_queries):
    aja, _, _ = shop
    user = UserFactory()
    client = api_client(user)
    token = create(client)["token"]
    coupon("BIENVENUE10")
    for n in range(8):
        client.post(lines_url(token), {"sku": stocked_variant(f"X-{n}", location=aja).sku}, format="json")
    client.post(f"{CART}{token}/coupon/", {"code": "BIENVENUE10"}, format="json")

    # 11: one of them asks whether the signed-in owner buys for a company (its prices, issue 17)
    with django_assert_max_num_queries(11):
        response = client.get(f"{CART}{token}/")
    assert response.json()["count"] == 8


def test_the_cart_api_is_documented(tmp_path, capsys):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--file", str(target))
    schema = target.read_text()
    warnings = capsys.readouterr().err
    assert "orders/api/cart.py" not in warnings and "orders.api.cart" not in warnings
    for path in (
        "/api/v1/cart/:",
        "/api/v1/cart/{token}/:",
        "/api/v1/cart/{token}/lines/:",
        "/api/v1/cart/{token}/lines/{sku}/:",
        "/api/v1/cart/{token}/coupon/:",
    ):
        assert path in schema
    for operation in (
        "cart_create",
        "cart_retrieve",
        "cart_line_add",
        "cart_line_update",
        "cart_coupon_apply",
    ):
        assert f"operationId: {operation}" in schema
