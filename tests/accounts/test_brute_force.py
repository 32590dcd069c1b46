"""Brute force and floods (issue 8, finding 6): sign-in lockout on every login page (django-axes per
account+address, core.ratelimit per address), password reset and sign-up limits, DRF throttles and
the throttled API token. Limits are off in other tests; ``ratelimits`` turns them on here."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from accounts.models import User
from core.ws_auth import user_for_token
from tests.accounts.portal_support import PASSWORD, shopper
from tests.core.api_helpers import api_client
from tests.factories import LocationFactory, cashier, staff

pytestmark = [pytest.mark.django_db, pytest.mark.ratelimits]

SHOP_LOGIN = "/en/account/login/"
ADMIN_LOGIN = "/admin/login/"
TILL_LOGIN = "/pos/login/"
RESET = "/en/account/password-reset/"
SIGNUP = "/en/account/signup/"
PRODUCTS = "/api/v1/catalog/products/"


def guess(client, url, email, password="wrong-password", ip="203.0.113.7"):
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


# --- sign-in lockout ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "make_user"),
    [
        (SHOP_LOGIN, lambda: shopper("ana@example.com")),
        (ADMIN_LOGIN, lambda: staff(email="ana@example.com", is_superuser=True)),
        (TILL_LOGIN, lambda: cashier(LocationFactory(code="AJA"), email="ana@example.com")),
    ],
    ids=["shop", "admin", "till"],
)
def test_ten_wrong_passwords_lock_the_account_from_that_address_even_with_the_right_one(
    client, url, make_user
):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # /admin/ and /pos/ have no language prefix
    user = make_user()
    if url != SHOP_LOGIN:
        user.set_password(PASSWORD)
        user.save()
    answers = [
        guess(client, url, "Ana@Example.com" if n % 2 else "ana@example.com").status_code for n in range(10)
    ]

    assert answers[:9] == [200 if url != SHOP_LOGIN else 400] * 9
    assert answers[9] == 429
    locked = guess(client, url, "ana@example.com", PASSWORD)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert not signed_in(client)
    assert AccessAttempt.objects.get().username == "ana@example.com"


def test_the_lock_is_per_account_and_address(client):
    shopper("ana@example.com")
    shopper("bob@example.com")
    for _ in range(10):
        guess(client, SHOP_LOGIN, "ana@example.com")

    # Another account from the same address (a store's shared connection) still signs in ...
    bob = guess(client, SHOP_LOGIN, "bob@example.com", PASSWORD)
    assert bob.status_code == 302 and signed_in(client)
    client.logout()
    # ... and so does Ana from her own address: the attacker cannot lock her out of her account.
    ana = guess(client, SHOP_LOGIN, "ana@example.com", PASSWORD, ip="198.51.100.20")
    assert ana.status_code == 302 and signed_in(client)


def test_failures_on_many_accounts_from_one_address_block_that_address(client, settings):
    """Password spraying: ``login_failures`` failed sign-ins per address, whatever the account."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login_failures": "5/hour",
        },
    }
    shopper("ana@example.com")
    answers = [guess(client, SHOP_LOGIN, f"user{n}@example.com").status_code for n in range(5)]
    assert answers == [400] * 5

    blocked = guess(client, SHOP_LOGIN, "ana@example.com", PASSWORD)
    assert blocked.status_code == 429 and 0 < int(blocked["Retry-After"]) <= 3600
    assert not signed_in(client)
    other = guess(client, SHOP_LOGIN, "ana@example.com", PASSWORD, ip="198.51.100.20")
    assert other.status_code == 302


def test_staff_unlock_a_user_with_the_admin_action(client):
    user = shopper("ana@example.com")
    for _ in range(10):
        guess(client, SHOP_LOGIN, "ana@example.com")
    assert guess(client, SHOP_LOGIN, "ana@example.com", PASSWORD).status_code == 429

    admin = staff(email="boss@example.com", is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/", {"action": "unlock_logins", "_selected_action": [user.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "Sign-ins unlocked for 1 user(s); 1 failure record(s) cleared." in response.content.decode()
    assert AccessAttempt.objects.count() == 0
    client.logout()

    assert guess(client, SHOP_LOGIN, "ana@example.com", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_axes_reset_command_unlocks(client):
    shopper("ana@example.com")
    for _ in range(10):
        guess(client, SHOP_LOGIN, "ana@example.com")
    call_command("axes_reset_username", "ana@example.com")
    assert guess(client, SHOP_LOGIN, "ana@example.com", PASSWORD).status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client):
    shopper("ana@example.com")
    for _ in range(9):
        guess(client, SHOP_LOGIN, "ana@example.com")
    assert guess(client, SHOP_LOGIN, "ana@example.com", PASSWORD).status_code == 302
    client.logout()
    assert guess(client, SHOP_LOGIN, "ana@example.com").status_code == 400


def test_the_lockout_page_speaks_french_and_italian(client):
    shopper("ana@example.com")
    for _ in range(10):
        guess(client, "/fr/account/login/", "ana@example.com")
    fr = guess(client, "/fr/account/login/", "ana@example.com", PASSWORD).content.decode()
    it = guess(client, "/it/account/login/", "ana@example.com", PASSWORD).content.decode()
    assert "Trop de tentatives" in fr and "Réessayez dans 15 minutes." in fr
    assert "Troppi tentativi" in it and "Riprovi tra 15 minuti." in it


# --- password reset and sign-up -------------------------------------------------------------------


def test_reset_e_mails_to_one_address_are_capped_without_saying_so(client):
    shopper("ana@example.com")
    answers = [
        client.post(RESET, {"email": "ana@example.com"}, REMOTE_ADDR=f"198.51.100.{n}") for n in range(10)
    ]

    assert len(mail.outbox) == 3  # THROTTLE_PASSWORD_RESET_EMAIL: 3 per address per hour
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, "/en/account/password-reset/sent/")}
    # An unknown address gets the very same answer: the cap tells nothing about who has an account.
    unknown = client.post(RESET, {"email": "nobody@example.com"}, REMOTE_ADDR="198.51.100.99")
    assert (unknown.status_code, unknown["Location"]) == (302, "/en/account/password-reset/sent/")


def test_reset_requests_from_one_address_are_limited(client, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "password_reset": "5/hour"},
    }
    answers = [client.post(RESET, {"email": f"user{n}@example.com"}).status_code for n in range(6)]

    assert answers == [302] * 5 + [429]
    refused = client.post("/it/account/password-reset/", {"email": "x@example.com"})
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert "Troppi tentativi" in refused.content.decode()
    assert mail.outbox == []


def test_sign_ups_from_one_address_are_limited(client, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "signup": "2/hour"},
    }

    def sign_up(n):
        client.logout()
        return client.post(
            SIGNUP,
            {
                "email": f"new{n}@example.com",
                "first_name": "Ana",
                "last_name": "Rossi",
                "password1": "corsica-2026-sea",
                "password2": "corsica-2026-sea",
                "preferred_language": "fr",
            },
        )

    answers = [sign_up(n) for n in range(3)]
    assert [r.status_code for r in answers] == [302, 302, 429]
    assert int(answers[2]["Retry-After"]) > 0
    assert sorted(User.objects.values_list("email", flat=True)) == ["new0@example.com", "new1@example.com"]


# --- the API ----------------------------------------------------------------------------------------


def test_anonymous_api_callers_are_throttled_per_address_with_retry_after(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "anon": "3/minute"},
    }
    client = api_client()
    answers = [client.get(PRODUCTS).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    refused = client.get(PRODUCTS)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "throttled"
    assert refused.json()["detail"]["wait"] == int(refused["Retry-After"])
    assert client.get(PRODUCTS, REMOTE_ADDR="198.51.100.20").status_code == 200


def test_the_checkout_scope_limits_checkouts(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "checkout": "2/minute"},
    }
    client = api_client()
    answers = [client.post("/api/v1/checkout/", {}, format="json").status_code for _ in range(3)]
    assert answers == [400, 400, 429]


def test_guessing_api_tokens_is_throttled_per_address(settings):
    user = staff(email="api@example.com")
    token = Token.objects.create(user=user)
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    answers = [client.get("/api/v1/stock/").status_code for _ in range(21)]

    assert answers == [401] * 20 + [429]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    right = client.get("/api/v1/stock/")
    assert right.status_code == 429 and right.json()["code"] == "throttled"
    assert 0 < int(right["Retry-After"]) <= 60
    # Another address with the right token is served.
    assert client.get("/api/v1/stock/", REMOTE_ADDR="198.51.100.20").status_code != 429


def test_guessing_tokens_on_the_websocket_is_throttled_too():
    # user_for_token.func: the function itself, in the test's transaction (the async wrapper would
    # close the test's connection).
    user = staff(email="api@example.com")
    token = Token.objects.create(user=user)
    for _ in range(20):
        assert isinstance(user_for_token.func("0" * 40, "203.0.113.7"), AnonymousUser)
    assert isinstance(user_for_token.func(token.key, "203.0.113.7"), AnonymousUser)
    assert user_for_token.func(token.key, "198.51.100.20") == user


def test_with_the_cache_unreachable_nothing_is_refused(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    shopper("ana@example.com")
    assert api_client().get(PRODUCTS).status_code == 200
    assert client.post(RESET, {"email": "ana@example.com"}).status_code == 302
    assert len(mail.outbox) == 1
    assert guess(client, SHOP_LOGIN, "ana@example.com", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        ("198.51.100.1", 0, "203.0.113.7"),  # no trusted proxy: the header is the client's own words
        ("198.51.100.1", 1, "198.51.100.1"),
        ("1.1.1.1, 198.51.100.1", 1, "198.51.100.1"),  # the client cannot choose by prepending
        ("garbage, <script>", 1, "203.0.113.7"),  # not an address: REMOTE_ADDR
    ],
)
def test_the_client_address(rf, settings, forwarded, proxies, expected):
    from core.ratelimit import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_forged_forwarded_header_does_not_break_the_login(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    shopper("ana@example.com")
    response = client.post(
        SHOP_LOGIN, {"username": "ana@example.com", "password": "nope"}, HTTP_X_FORWARDED_FOR="not-an-ip"
    )
    assert response.status_code == 400
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"
