"""The site's icons: a favicon (SVG, PNG fallback) linked from every base template, /favicon.ico,
and the till's web app manifest with its 192 and 512 px icons (installable as an app)."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ICON_LINKS = (
    '<link rel="icon" href="/static/core/icons/favicon.svg" type="image/svg+xml">',
    '<link rel="icon" href="/static/core/icons/favicon-32.png" type="image/png" sizes="32x32">',
    '<link rel="apple-touch-icon" href="/static/core/icons/apple-touch-icon.png">',
)


@pytest.mark.parametrize(
    "url",
    [
        "/fr/",  # the shop (shop/base.html)
        "/it/account/login/",
        "/platform/",  # staff pages (base.html)
        "/pos/login/",  # the till
        "/admin/login/",  # the admin (admin/base_site.html)
    ],
)
def test_every_base_template_links_the_icons(client, url):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    for link in ICON_LINKS:
        assert link in html


def test_the_staff_pages_link_the_icons_when_signed_in(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    for url in ("/admin/", "/stock/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert ICON_LINKS[0] in response.content.decode(), url


def test_icons_exist_at_their_sizes():
    sizes = {
        "favicon-32.png": (32, 32),
        "apple-touch-icon.png": (180, 180),
        "icon-192.png": (192, 192),
        "icon-512.png": (512, 512),
        "icon-maskable-512.png": (512, 512),
    }
    for name, size in sizes.items():
        with Image.open(finders.find(f"core/icons/{name}")) as image:
            assert image.size == size, name
    svg = Path(finders.find("core/icons/favicon.svg")).read_text()
    assert svg.startswith("<svg") and 'viewBox="0 0 64 64"' in svg


def test_favicon_ico_redirects_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/core/icons/favicon.ico"
    assert finders.find("core/icons/favicon.ico")


def test_till_manifest_makes_the_register_installable(client):
    data = client.get("/pos/manifest.webmanifest").json()

    assert data["name"] and data["start_url"] == "/pos/" and data["display"] == "standalone"
    icons = {(icon["sizes"], icon.get("purpose", "any")): icon["src"] for icon in data["icons"]}
    assert icons[("192x192", "any")] == "/static/core/icons/icon-192.png"
    assert icons[("512x512", "any")] == "/static/core/icons/icon-512.png"
    assert icons[("512x512", "maskable")] == "/static/core/icons/icon-maskable-512.png"
    for src in icons.values():
        assert finders.find(src.removeprefix("/static/"))
