"""The 404 and 500 pages: the shop's look, in the page's language, served with DEBUG off (make demo
runs with DEBUG off since issue 16)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation

from core.views import server_error

pytestmark = pytest.mark.django_db

NOT_FOUND = {"fr": "Page introuvable", "en": "Page not found", "it": "Pagina non trovata"}
SERVER_ERROR = {
    "fr": "Une erreur est survenue",
    "en": "Something went wrong",
    "it": "Si è verificato un errore",
}


@pytest.mark.parametrize("language", ["fr", "en", "it"])
def test_an_unknown_address_gets_the_shops_404_page(client, language):
    assert not settings.DEBUG
    response = client.get(f"/{language}/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'class="shop-header"' in html and "/static/css/shop.css" in html  # the shop's look
    assert f'<h1 id="error-title">{NOT_FOUND[language]}</h1>' in html
    assert f'href="/{language}/"' in html  # back to the shop
    assert '<meta name="robots" content="noindex">' in html


def test_the_api_keeps_its_json_404(client):
    response = client.get("/api/v1/no-such-endpoint/")

    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("language", ["fr", "en", "it"])
def test_the_500_page_is_the_shops_and_needs_nothing_but_the_stylesheet(language, django_assert_num_queries):
    request = RequestFactory().get(f"/{language}/cart/")
    with translation.override(language), django_assert_num_queries(0):
        response = server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert f'<html lang="{language}">' in html and "/static/css/shop.css" in html
    assert f'<h1 id="error-title">{SERVER_ERROR[language]}</h1>' in html
    assert f'href="/{language}/"' in html


def test_make_demo_serves_with_debug_off():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    serve = next(line for line in makefile.splitlines() if "uvicorn" in line and "DJANGO_DEMO=1" in line)
    assert "DJANGO_DEBUG=0" in serve
