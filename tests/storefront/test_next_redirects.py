"""``next=`` after signing in, out or changing language never leaves the site (issue 8, finding 5)."""

import pytest

from tests.accounts.portal_support import PASSWORD, shopper
from tests.factories import LocationFactory, cashier

pytestmark = pytest.mark.django_db

EVIL = [
    "https://evil.example/",
    "//evil.example/",
    "https:evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "HTTPS://EVIL.EXAMPLE",
]


def off_site(location: str) -> bool:
    return "evil" in location.lower() or "javascript" in location.lower()


@pytest.mark.parametrize("target", EVIL)
def test_shop_login_ignores_an_off_site_next(client, target):
    shopper("ana@example.com")
    response = client.post(
        "/en/account/login/", {"username": "ana@example.com", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302 and response["Location"] == "/en/account/"


@pytest.mark.parametrize("target", EVIL)
def test_till_login_ignores_an_off_site_next(client, target):
    user = cashier(LocationFactory(code="AJA"), email="cash@example.com")
    user.set_password(PASSWORD)
    user.save()
    response = client.post(
        "/pos/login/", {"username": "cash@example.com", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302 and response["Location"] == "/pos/"


@pytest.mark.parametrize("target", EVIL)
def test_logout_ignores_an_off_site_next(client, target):
    client.force_login(shopper("ana@example.com"))
    response = client.post("/en/account/logout/", {"next": target})
    assert response.status_code == 302 and not off_site(response["Location"])


@pytest.mark.parametrize("target", EVIL)
def test_set_language_ignores_an_off_site_next(client, target):
    response = client.post("/i18n/setlang/", {"language": "it", "next": target})
    assert response.status_code == 302 and not off_site(response["Location"])


@pytest.mark.parametrize("target", EVIL)
def test_signup_ignores_an_off_site_next(client, target):
    response = client.post(
        "/en/account/signup/",
        {
            "email": "new@example.com",
            "first_name": "Ana",
            "last_name": "Rossi",
            "password1": "corsica-2026-sea",
            "password2": "corsica-2026-sea",
            "preferred_language": "en",
            "next": target,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/en/account/"


def test_a_same_site_next_is_followed(client):
    shopper("ana@example.com")
    response = client.post(
        "/en/account/login/", {"username": "ana@example.com", "password": PASSWORD, "next": "/en/cart/"}
    )
    assert response["Location"] == "/en/cart/"
