"""Customer portal pages: dashboard, profile, addresses, order history and order detail."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services
from accounts.models import Address, CustomerProfile
from orders.models import Channel, DeliveryMethod, OrderStatus
from tests.accounts.portal_support import address, order, shopper
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(db):
    return shopper(email="ana@example.com", first_name="Ana", last_name="Rossi")


@pytest.fixture
def bo(db):
    return shopper(email="bo@example.com", first_name="Bo", last_name="Lind")


@pytest.fixture
def signed_in(client, ana):
    client.force_login(ana)
    return client


def address_body(**overrides):
    body = {
        "label": "Home",
        "first_name": "Ana",
        "last_name": "Rossi",
        "line1": "3 rue Fesch",
        "line2": "",
        "postal_code": "20000",
        "city": "Ajaccio",
        "country": "FR",
        "phone": "+33 6 12 34 56 78",
    }
    body.update(overrides)
    return body


def address_rows(user):
    return list(
        Address.objects.filter(user=user)
        .order_by("id")
        .values_list("label", "city", "is_default_shipping", "is_default_billing")
    )


def query_count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


# --- dashboard ----------------------------------------------------------------------------------


def test_dashboard_greets_and_lists_the_three_latest_orders(
    signed_in, ana, bo, django_assert_max_num_queries
):
    for n in range(1, 5):
        order(ana, f"W2026-00000{n}", days_ago=10 - n)
    order(bo, "W2026-000009")

    signed_in.get("/en/account/")  # the first visit gives Ana her loyalty card number
    # session, user, recent orders, default address, loyalty card + the layout's cart and currencies
    with django_assert_max_num_queries(11):  # +3: the "For you" block (marketing.recommendations)
        response = signed_in.get("/en/account/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Hello, Ana" in html
    assert [o.number for o in response.context["recent_orders"]] == [
        "W2026-000004",
        "W2026-000003",
        "W2026-000002",
    ]
    assert "W2026-000009" not in html
    assert 'href="/en/account/my-data/"' in html


def test_dashboard_without_orders_invites_to_shop(signed_in):
    html = signed_in.get("/en/account/").content.decode()

    assert "You have no orders yet." in html


# --- profile ------------------------------------------------------------------------------------


def test_profile_edit_saves_name_phone_language_and_consent(signed_in, ana):
    page = signed_in.get("/en/account/profile/")
    assert page.status_code == 200
    assert page.context["form"].initial["first_name"] == "Ana"

    response = signed_in.post(
        "/en/account/profile/",
        {
            "first_name": "Anna",
            "last_name": "Rossi-Costa",
            "phone": "+33 6 11 22 33 44",
            "preferred_language": "it",
            "marketing_opt_in": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/it/account/profile/"  # the page follows the new language
    ana.refresh_from_db()
    assert (ana.first_name, ana.last_name, ana.phone, ana.preferred_language) == (
        "Anna",
        "Rossi-Costa",
        "+33 6 11 22 33 44",
        "it",
    )
    assert CustomerProfile.objects.get(user=ana).marketing_opt_in is True


def test_profile_edit_refuses_a_bad_phone_and_a_blank_name_and_changes_nothing(signed_in, ana):
    response = signed_in.post(
        "/en/account/profile/",
        {"first_name": "", "last_name": "Rossi", "phone": "call me", "preferred_language": "xx"},
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"first_name", "phone", "preferred_language"}
    assert "Enter a phone number, e.g. +33 6 12 34 56 78." in response.content.decode()
    ana.refresh_from_db()
    assert (ana.first_name, ana.phone, ana.preferred_language) == ("Ana", "", "fr")


def test_update_profile_creates_a_missing_profile():
    from tests.factories import UserFactory

    user = UserFactory(first_name="X", last_name="Y")

    services.update_profile(
        user=user,
        first_name="Zoe",
        last_name="Marchetti",
        phone="",
        preferred_language="en",
        marketing_opt_in=False,
    )

    assert CustomerProfile.objects.get(user=user).marketing_opt_in is False
    with pytest.raises(services.ValidationFailed):
        services.update_profile(
            user=user,
            first_name="Zoe",
            last_name="M",
            phone="",
            preferred_language="de",
            marketing_opt_in=True,
        )
    user.refresh_from_db()
    assert (user.first_name, user.preferred_language) == ("Zoe", "en")


# --- addresses ----------------------------------------------------------------------------------


def test_first_address_becomes_the_default_for_both(signed_in, ana):
    response = signed_in.post("/en/account/addresses/add/", address_body())

    assert response.status_code == 302 and response["Location"] == "/en/account/addresses/"
    saved = Address.objects.get(user=ana)
    assert (saved.label, saved.line1, saved.postal_code, saved.city, saved.country, saved.phone) == (
        "Home",
        "3 rue Fesch",
        "20000",
        "Ajaccio",
        "FR",
        "+33 6 12 34 56 78",
    )
    assert (saved.is_default_shipping, saved.is_default_billing) == (True, True)


def test_adding_a_second_default_address_moves_the_default(signed_in, ana):
    signed_in.post("/en/account/addresses/add/", address_body())
    signed_in.post(
        "/en/account/addresses/add/",
        address_body(label="Office", city="Bastia", postal_code="20200", default_shipping="on"),
    )

    assert address_rows(ana) == [("Home", "Ajaccio", False, True), ("Office", "Bastia", True, False)]


def test_address_list_shows_defaults_first(signed_in, ana, django_assert_max_num_queries):
    address(ana, label="Office", city="Bastia")
    address(ana, label="Home", is_default_shipping=True)

    with django_assert_max_num_queries(6):
        response = signed_in.get("/en/account/addresses/")

    assert [a.label for a in response.context["addresses"]] == ["Home", "Office"]
    assert "Default delivery" in response.content.decode()


def test_add_address_refuses_missing_fields_and_an_unknown_country(signed_in, ana):
    response = signed_in.post("/en/account/addresses/add/", address_body(line1="", city="", country="ZZ"))

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"line1", "city", "country"}
    assert Address.objects.count() == 0


def test_edit_address(signed_in, ana):
    home = address(ana, label="Home", is_default_shipping=True, is_default_billing=True)

    page = signed_in.get(f"/en/account/addresses/{home.pk}/")
    assert page.status_code == 200 and page.context["form"].initial["line1"] == "3 rue Fesch"
    response = signed_in.post(
        f"/en/account/addresses/{home.pk}/", address_body(line1="8 cours Napoléon", default_shipping="on")
    )

    assert response.status_code == 302
    home.refresh_from_db()
    assert (home.line1, home.is_default_shipping, home.is_default_billing) == ("8 cours Napoléon", True, True)


def test_edit_address_refuses_bad_input_and_changes_nothing(signed_in, ana):
    home = address(ana)

    response = signed_in.post(f"/en/account/addresses/{home.pk}/", address_body(postal_code="", phone="abc"))

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"postal_code", "phone"}
    home.refresh_from_db()
    assert (home.postal_code, home.phone) == ("20000", "")


def test_delete_address_passes_its_defaults_to_the_oldest_remaining(signed_in, ana):
    home = address(ana, label="Home", is_default_shipping=True, is_default_billing=True)
    address(ana, label="Office")
    address(ana, label="Cabin")

    confirm = signed_in.get(f"/en/account/addresses/{home.pk}/delete/")
    assert confirm.status_code == 200 and "Delete this address?" in confirm.content.decode()
    response = signed_in.post(f"/en/account/addresses/{home.pk}/delete/")

    assert response.status_code == 302
    assert [(label, s, b) for label, _c, s, b in address_rows(ana)] == [
        ("Office", True, True),
        ("Cabin", False, False),
    ]


def test_set_default_billing_and_shipping(signed_in, ana):
    home = address(ana, label="Home", is_default_shipping=True, is_default_billing=True)
    office = address(ana, label="Office", city="Bastia")

    response = signed_in.post(f"/en/account/addresses/{office.pk}/default/", {"kind": "billing"})

    assert response.status_code == 302
    assert address_rows(ana) == [("Home", "Ajaccio", True, False), ("Office", "Bastia", False, True)]
    assert home.pk


def test_set_default_refuses_an_unknown_kind_and_a_get(signed_in, ana):
    home = address(ana, label="Home", is_default_shipping=True)

    bad = signed_in.post(f"/en/account/addresses/{home.pk}/default/", {"kind": "gift"})
    get = signed_in.get(f"/en/account/addresses/{home.pk}/default/")

    assert bad.status_code == 400
    assert "Unknown default &#x27;gift&#x27;: use shipping or billing." in bad.content.decode()
    assert get.status_code == 405
    assert address_rows(ana) == [("Home", "Ajaccio", True, False)]


def test_another_customers_address_is_not_found_for_every_action(signed_in, ana, bo):
    theirs = address(bo, label="Bo's", is_default_shipping=True, is_default_billing=True)
    before = address_rows(bo)

    assert signed_in.get(f"/en/account/addresses/{theirs.pk}/").status_code == 404
    assert (
        signed_in.post(f"/en/account/addresses/{theirs.pk}/", address_body(city="Hacked")).status_code == 404
    )
    assert signed_in.get(f"/en/account/addresses/{theirs.pk}/delete/").status_code == 404
    assert signed_in.post(f"/en/account/addresses/{theirs.pk}/delete/").status_code == 404
    assert (
        signed_in.post(f"/en/account/addresses/{theirs.pk}/default/", {"kind": "billing"}).status_code == 404
    )
    assert signed_in.get("/en/account/addresses/999999/").status_code == 404
    assert address_rows(bo) == before


def test_address_services_validate():
    user = shopper()

    with pytest.raises(services.ValidationFailed) as missing:
        services.create_address(
            user=user,
            data=services.AddressData(first_name="A", last_name="", line1="x", postal_code="1", city="c"),
        )
    with pytest.raises(services.ValidationFailed) as country:
        services.create_address(
            user=user,
            data=services.AddressData(
                first_name="A", last_name="B", line1="x", postal_code="1", city="c", country="zz"
            ),
        )

    assert missing.value.detail == {"last_name": ["This field is required."]}
    assert country.value.detail == {"country": ["We do not deliver to this country."]}
    assert Address.objects.count() == 0


# --- order history ------------------------------------------------------------------------------


def test_order_history_lists_web_and_store_orders_newest_first_with_badges(signed_in, ana, bo):
    aja = LocationFactory(code="AJA", name="Ajaccio")
    bas = LocationFactory(code="BAS", name="Bastia")
    order(ana, "W2026-000001", days_ago=5, location=aja, lines=[("TEE", 2, "25.00")])
    order(
        ana,
        "S-BAS-000007",
        channel=Channel.STORE,
        status=OrderStatus.COMPLETED,
        days_ago=2,
        location=bas,
        lines=[("HONEY", 1, "9.90"), ("JAM", 3, "18.00")],
    )
    order(ana, "W2026-000003", status=OrderStatus.PENDING_PAYMENT, days_ago=1)
    order(bo, "W2026-000002", days_ago=3)

    response = signed_in.get("/en/account/orders/")

    assert response.status_code == 200
    rows = [
        (o.number, o.channel, o.status, o.item_count, str(o.total_gross)) for o in response.context["orders"]
    ]
    assert rows == [
        ("W2026-000003", "web", "pending_payment", 2, "25.00"),
        ("S-BAS-000007", "store", "completed", 4, "27.90"),
        ("W2026-000001", "web", "paid", 2, "25.00"),
    ]
    html = response.content.decode()
    assert "In store, Bastia" in html
    assert '<span class="badge badge--completed">Completed</span>' in html
    assert '<span class="badge badge--pending_payment">Awaiting payment</span>' in html
    assert "€27.90" in html
    assert "W2026-000002" not in html


def test_order_history_is_paginated_by_ten(signed_in, ana):
    for n in range(1, 13):
        order(ana, f"W2026-{n:06d}", days_ago=20 - n)

    first = signed_in.get("/en/account/orders/")
    second = signed_in.get("/en/account/orders/?page=2")
    beyond = signed_in.get("/en/account/orders/?page=99")
    junk = signed_in.get("/en/account/orders/?page=abc")

    assert [o.number for o in first.context["orders"]][:2] == ["W2026-000012", "W2026-000011"]
    assert len(first.context["orders"]) == 10
    assert [o.number for o in second.context["orders"]] == ["W2026-000002", "W2026-000001"]
    assert "Page 2 of 2" in second.content.decode()
    assert [o.number for o in beyond.context["orders"]] == ["W2026-000002", "W2026-000001"]
    assert junk.context["page"].number == 1


def test_order_history_query_count_is_constant(signed_in, ana, django_assert_max_num_queries):
    order(ana, "W2026-000001")
    few = query_count(signed_in, "/en/account/orders/")
    for n in range(2, 13):
        order(ana, f"W2026-{n:06d}", lines=[("A", 1, "5.00"), ("B", 2, "7.00"), ("C", 1, "1.00")])

    many = query_count(signed_in, "/en/account/orders/")
    # session, user, COUNT, the page of orders + the layout's cart and currencies (+ categories)
    with django_assert_max_num_queries(7):
        signed_in.get("/en/account/orders/?page=2")

    assert many == few


def test_order_detail_shows_lines_totals_delivery_and_status_trail(
    signed_in, ana, django_assert_max_num_queries
):
    made = order(
        ana,
        "W2026-000042",
        lines=[("TEE", 2, "25.00"), ("MUG", 1, "6.00")],
        shipping_gross="4.90",
        discount_gross="2.00",
        phone="+33 6 12 34 56 78",
        shipping_address={
            "first_name": "Ana",
            "last_name": "Rossi",
            "line1": "3 rue Fesch",
            "line2": "",
            "postal_code": "20000",
            "city": "Ajaccio",
            "country": "FR",
        },
    )

    # session, user, order, lines, status trail, shipments (none yet) + the layout's cart and currencies
    # (+ categories)
    with django_assert_max_num_queries(9):
        response = signed_in.get(f"/en/account/orders/{made.number}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert [(line.sku, line.quantity) for line in response.context["lines"]] == [("TEE", 2), ("MUG", 1)]
    assert response.context["shipping_lines"] == ["Ana Rossi", "3 rue Fesch", "20000 Ajaccio", "France"]
    assert [(c.from_status, c.to_status) for c in response.context["status_changes"]] == [
        ("", "pending_payment"),
        ("pending_payment", "paid"),
    ]
    for text in ("Order W2026-000042", "€31.00", "€4.90", "−€2.00", "Home delivery", "3 rue Fesch"):
        assert text in html, text


def test_click_and_collect_detail_shows_the_pickup_store(signed_in, ana):
    store = LocationFactory(
        code="PRO",
        name="Porto-Vecchio",
        address_line="12 rue du Port",
        postal_code="20137",
        city="Porto-Vecchio",
        opening_hours={"mon": "10:00-19:00"},
    )
    made = order(
        ana,
        "W2026-000050",
        delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
        location=store,
        status=OrderStatus.READY_FOR_PICKUP,
    )

    html = signed_in.get(f"/en/account/orders/{made.number}/").content.decode()

    for text in (
        "Click &amp; collect",
        "12 rue du Port",
        "20137 Porto-Vecchio",
        "10:00–19:00",
        "Your order is ready",
    ):
        assert text in html, text


def test_order_detail_query_count_does_not_grow_with_lines(signed_in, ana):
    small = order(ana, "W2026-000001")
    big = order(ana, "W2026-000002", lines=[(f"SKU{n}", n, f"{n}.00") for n in range(1, 16)])

    assert query_count(signed_in, f"/en/account/orders/{big.number}/") == query_count(
        signed_in, f"/en/account/orders/{small.number}/"
    )


def test_order_selectors_run_a_fixed_number_of_queries(ana, django_assert_num_queries):
    from orders import selectors

    for n in range(1, 6):
        order(ana, f"W2026-{n:06d}", lines=[("A", 1, "5.00"), ("B", n, "7.00")])

    with django_assert_num_queries(1):
        rows = list(selectors.orders_for_customer(ana))
        assert [(o.number, o.line_count, o.item_count, o.location.code) for o in rows][:2] == [
            ("W2026-000005", 2, 6, "AJA"),
            ("W2026-000004", 2, 5, "AJA"),
        ]
    with django_assert_num_queries(3):
        detail = selectors.order_for_customer(user=ana, number="W2026-000003")
        assert [(line.sku, line.variant.product.name) for line in detail.lines.all()] == [
            ("A", "Product A"),
            ("B", "Product B"),
        ]
        assert [c.to_status for c in detail.status_changes.all()] == ["pending_payment", "paid"]
        assert detail.location.name == "Ajaccio"


def test_another_customers_order_and_an_unknown_number_are_not_found(signed_in, bo):
    theirs = order(bo, "W2026-000077")

    assert signed_in.get(f"/en/account/orders/{theirs.number}/").status_code == 404
    assert signed_in.get("/en/account/orders/W2026-999999/").status_code == 404


def test_an_order_without_customer_is_not_shown(signed_in):
    order(None, "W2026-000088", email="ana@example.com")

    assert signed_in.get("/en/account/orders/W2026-000088/").status_code == 404
    assert list(signed_in.get("/en/account/orders/").context["orders"]) == []


def test_pages_render_in_every_language(signed_in, ana):
    made = order(ana, "W2026-000001")
    for lang in ("fr", "en", "it"):
        for path in (
            "",
            "profile/",
            "addresses/",
            "addresses/add/",
            "orders/",
            f"orders/{made.number}/",
            "close/",
        ):
            response = signed_in.get(f"/{lang}/account/{path}")
            assert response.status_code == 200, (lang, path)
            assert f'<html lang="{lang}">' in response.content.decode()


@pytest.mark.parametrize(
    ("path", "signed", "most"),
    [
        # anonymous: session + the layout's currencies (+ categories)
        ("/en/account/login/", False, 4),
        ("/en/account/signup/", False, 4),
        ("/en/account/password-reset/", False, 4),
        # signed in: session, user, the page's own reads + the layout's cart and currencies (+ categories)
        ("/en/account/profile/", True, 6),
        ("/en/account/addresses/add/", True, 5),
        ("/en/account/close/", True, 5),
    ],
)
def test_form_pages_have_a_small_fixed_query_count(
    client, ana, path, signed, most, django_assert_max_num_queries
):
    if signed:
        client.force_login(ana)

    with django_assert_max_num_queries(most):
        response = client.get(path)

    assert response.status_code == 200


def test_address_edit_and_delete_pages_query_count(signed_in, ana, django_assert_max_num_queries):
    home = address(ana)

    with django_assert_max_num_queries(6):
        assert signed_in.get(f"/en/account/addresses/{home.pk}/").status_code == 200
    with django_assert_max_num_queries(6):
        assert signed_in.get(f"/en/account/addresses/{home.pk}/delete/").status_code == 200
