"""Identifying a customer at the register (loyalty card or its QR code, phone, e-mail) and the loyalty
card with its QR code on the customer portal dashboard."""

import re

import pytest

from accounts import services as account_services
from accounts.models import CustomerProfile
from pos.services import customers
from tests.core.api_helpers import api_client
from tests.factories import UserFactory, staff
from tests.pos.returns_support import *  # noqa: F403

pytestmark = pytest.mark.django_db

URL = "/api/v1/pos/customers/"


def customer(email, card=None, phone="", first="Lucia", last="Costa", active=True):
    user = UserFactory(email=email, first_name=first, last_name=last, phone=phone, is_active=active)
    CustomerProfile.objects.create(user=user, loyalty_card_number=card)
    return user


@pytest.fixture
def people(db):
    return {
        "lucia": customer("lucia@example.com", card="LC0000000042", phone="06 12 34 56 78"),
        "marc": customer(
            "marc@example.com", card="LC0000000043", phone="+33 7.11.22.33.44", first="Marc", last="Albertini"
        ),
        "gone": customer("gone@example.com", card="LC0000000044", phone="06 55 55 55 55", active=False),
        "staff": staff(email="staff@example.com", phone="06 12 34 56 78"),  # no customer profile
    }


def emails(users):
    return [u.email for u in users]


# --- services -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("LC0000000042", ["lucia@example.com"]),
        ("lc0000000042", ["lucia@example.com"]),
        ("  Lucia@Example.com ", ["lucia@example.com"]),
        ("0612345678", ["lucia@example.com"]),
        ("+33 6 12 34 56 78", ["lucia@example.com"]),
        ("07 11 22 33 44", ["marc@example.com"]),
        ("LC0000000044", []),  # closed account
        ("06 55 55 55 55", []),
        ("LC00000000", []),  # no partial card numbers
        ("lucia@", []),
        ("staff@example.com", []),  # not a customer
    ],
)
def test_find_customers(people, q, expected):
    assert emails(customers.find_customers(q=q)) == expected


@pytest.mark.parametrize("q", ["", "  ", "ab", "x" * 255])
def test_a_too_short_or_too_long_query_is_refused(q):
    with pytest.raises(customers.ValidationFailed):
        customers.find_customers(q=q)


def test_a_customer_gets_one_loyalty_card_number_for_good():
    user = customer("new@example.com")

    first = account_services.ensure_loyalty_card(user=user)
    second = account_services.ensure_loyalty_card(user=user)

    assert re.fullmatch(r"LC\d{10}", first)
    assert first == second == CustomerProfile.objects.get(user=user).loyalty_card_number


def test_a_number_already_taken_is_drawn_again(monkeypatch):
    customer("taken@example.com", card="LC1111111111")
    user = customer("new@example.com")
    draws = iter(["LC1111111111", "LC2222222222"])
    monkeypatch.setattr(account_services, "_new_card_number", lambda: next(draws))

    assert account_services.ensure_loyalty_card(user=user) == "LC2222222222"


def test_accounts_without_a_customer_profile_get_no_card():
    user = staff()
    assert account_services.ensure_loyalty_card(user=user) is None
    assert not CustomerProfile.objects.filter(user=user).exists()


# --- API ------------------------------------------------------------------------------------------


def test_api_lookup(pos, people, django_assert_max_num_queries):
    client = api_client(pos.anna)
    client.get(URL, {"q": "warm-up"})  # the token and permission caches

    with django_assert_max_num_queries(5):
        response = client.get(URL, {"q": "LC0000000043"})

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": people["marc"].pk,
            "name": "Marc Albertini",
            "email": "marc@example.com",
            "loyalty_card_number": "LC0000000043",
        }
    ]


def test_api_many_matches_are_one_query(pos, django_assert_max_num_queries):
    for i in range(12):
        customer(f"twin{i}@example.com", phone="06 00 00 00 01", first=f"T{i:02d}", last="Twin")
    client = api_client(pos.anna)
    client.get(URL, {"q": "warm-up"})

    with django_assert_max_num_queries(5):
        response = client.get(URL, {"q": "0600000001"})

    assert len(response.json()) == 10  # at most ten


@pytest.mark.parametrize("q", [None, "", "ab"])
def test_api_bad_query_is_400(pos, q):
    response = api_client(pos.anna).get(URL, {} if q is None else {"q": q})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "loyalty card" in response.json()["message"]


@pytest.mark.parametrize("who", ["anonymous", "shopper"])
def test_api_customers_are_for_register_users_only(people, who):
    client = api_client(None if who == "anonymous" else people["lucia"])
    response = client.get(URL, {"q": "LC0000000042"})
    assert response.status_code == (401 if who == "anonymous" else 403)


# --- the portal dashboard -------------------------------------------------------------------------


def test_the_dashboard_shows_the_loyalty_card_as_a_qr_code(client, django_assert_max_num_queries):
    user = customer("lucia@example.com")
    client.force_login(user)

    response = client.get("/en/account/")

    assert response.status_code == 200
    number = CustomerProfile.objects.get(user=user).loyalty_card_number
    html = response.content.decode()
    assert re.fullmatch(r"LC\d{10}", number)
    assert f"<strong>{number}</strong>" in html
    assert '<svg role="img" focusable="false"' in html
    assert f"<title>Loyalty card {number}</title>" in html
    assert "css/loyalty.css" in html
    # the same number next time, and a constant number of queries
    with django_assert_max_num_queries(12):
        again = client.get("/en/account/")
    assert f"<strong>{number}</strong>" in again.content.decode()


def test_the_qr_code_reads_back_as_the_card_number():
    import segno

    svg = customers.loyalty_qr_svg("LC0123456789", title="Loyalty card LC0123456789")

    assert svg == customers.loyalty_qr_svg("LC0123456789", title="Loyalty card LC0123456789")
    assert segno.make("LC0123456789", error="m", micro=False).svg_inline(
        scale=6, border=4, dark="#111", light="#fff", title="Loyalty card LC0123456789", svgclass="loyalty-qr"
    ) in svg.replace('role="img" focusable="false" ', "")


def test_staff_dashboard_has_no_loyalty_card(client):
    user = staff()
    client.force_login(user)

    response = client.get("/en/account/")

    assert response.status_code == 200
    assert "Loyalty card" not in response.content.decode()
