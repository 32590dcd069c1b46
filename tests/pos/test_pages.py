"""The register's pages (pos.views): the app shell, sign-in, the service worker and the manifest."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import Role
from tests.factories import UserFactory, cashier, store_manager

pytestmark = pytest.mark.django_db

APP_MODULES = Path(settings.BASE_DIR) / "static" / "pos" / "js"


def app_config(response) -> dict:
    match = re.search(
        r'<script id="pos-config" type="application/json">(.*?)</script>', response.content.decode()
    )
    return json.loads(match.group(1))


def app_strings(response) -> dict:
    match = re.search(
        r'<script id="pos-strings" type="application/json">(.*?)</script>', response.content.decode()
    )
    return json.loads(match.group(1))


def test_anonymous_is_sent_to_the_register_sign_in(client):
    response = client.get("/pos/")

    assert response.status_code == 302
    assert response["Location"] == "/pos/login/?next=/pos/"


def test_sign_in_page_and_sign_in_lead_to_the_register(client, store):
    user = cashier(store, email="anna@aja.example")
    page = client.get("/pos/login/?next=/pos/")
    assert page.status_code == 200
    assert b'name="username"' in page.content and b'name="password"' in page.content

    response = client.post(
        "/pos/login/", {"username": "anna@aja.example", "password": "pass-1234-word", "next": "/pos/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/pos/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_password_stays_on_the_sign_in_page(client, store):
    cashier(store, email="anna@aja.example")

    response = client.post(
        "/pos/login/", {"username": "anna@aja.example", "password": "nope", "next": "/pos/"}
    )

    assert response.status_code == 200
    assert b'class="form-error"' in response.content
    assert "_auth_user_id" not in client.session


def test_cashier_gets_the_app_shell_of_their_store(client, store, other_store, django_assert_max_num_queries):
    client.force_login(cashier(store, email="anna@aja.example", first_name="Anna", preferred_language="en"))

    with django_assert_max_num_queries(8):
        response = client.get("/pos/")

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert "csrftoken" in response.cookies
    config = app_config(response)
    assert config["store"] == {"id": store.pk, "code": "AJA", "name": "Ajaccio"}
    assert config["user"]["name"] == "Anna"
    assert config["perms"] == {"give_discount": False}
    assert config["urls"]["api"] == "/api/v1/pos/"
    assert config["urls"]["ws"] == "/ws/stock/"
    assert config["urls"]["sw"] == "/pos/sw.js"
    assert config["denominations"][0] == "500.00" and config["denominations"][-1] == "0.01"
    assert config["stores"] == {"AJA": "Ajaccio", "BAS": "Bastia"}
    strings = app_strings(response)
    assert strings["offline_waiting_one"] == "Offline — {n} sale waiting"
    assert strings["offline_waiting_other"] == "Offline — {n} sales waiting"
    assert strings["n_here"] == "{n} here"
    html = response.content.decode()
    assert 'id="scan"' in html and '<script type="module" src="/static/pos/js/main.js"></script>' in html
    assert '<html lang="en">' in html


def test_store_manager_may_give_discounts(client, store):
    client.force_login(store_manager(store, email="boss@aja.example"))

    response = client.get("/pos/")

    assert response.status_code == 200
    assert app_config(response)["perms"] == {"give_discount": True}


def test_the_register_speaks_the_cashiers_language_unless_the_switch_says_otherwise(client, store):
    client.force_login(cashier(store, email="anna@aja.example", preferred_language="it"))

    assert '<html lang="it">' in client.get("/pos/").content.decode()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="fr">' in client.get("/pos/").content.decode()


def test_an_account_without_a_store_cannot_use_a_register(client):
    client.force_login(UserFactory(role=Role.SHOPPER, email="shopper@example.com", preferred_language="en"))

    response = client.get("/pos/")

    assert response.status_code == 403
    assert b"does not belong to a store" in response.content
    assert b'id="pos-config"' not in response.content


def test_the_app_shell_is_read_only(client, store):
    client.force_login(cashier(store))

    assert client.post("/pos/").status_code == 405


def test_service_worker_is_served_under_pos_with_its_scope(client):
    response = client.get("/pos/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/pos/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert re.search(r'^const SHELL_VERSION = "pos-shell-[0-9a-f]{12}";$', body, re.M)
    shell = json.loads(re.search(r"const SHELL_URLS = (\[.*?\]);", body).group(1))
    modules = sorted(path.name for path in APP_MODULES.glob("*.js"))
    assert {"main.js", "store.js", "api.js"} <= set(modules)
    assert shell == [
        "/pos/",
        *[f"/static/pos/js/{name}" for name in modules],
        "/static/css/tokens.css",  # the design tokens pos.css uses: offline too
        "/static/pos/pos.css",
        "/pos/manifest.webmanifest",
    ]
    assert 'addEventListener("fetch"' in body


def test_manifest_pins_the_register_full_screen(client):
    response = client.get("/pos/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert (data["start_url"], data["scope"], data["display"]) == ("/pos/", "/pos/", "standalone")


def test_logout_returns_to_the_sign_in_page(client, store):
    client.force_login(cashier(store))

    response = client.post("/pos/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/pos/login/"
    assert "_auth_user_id" not in client.session
