"""One look (issue 16): static/css/tokens.css is the only place a colour is written, every page family
loads it first, and the till's manifest takes its colours from it.

Exempt from the "no literal colour" rule: tokens.css itself, the receipts' print stylesheet
(static/pos/print.css, printed on paper) and vendored files; the invoice PDF's CSS lives in
templates/invoicing/ (WeasyPrint renders it offline) and e-mails inline their colours (mail clients
know no CSS variables), so neither is under static/.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image

from accounts.roles import Role, assign_role
from core.look import design_token, design_tokens
from tests.factories import LocationFactory, ProductFactory, UserFactory, cashier
from tests.storefront.storefront_data import Shop

STATIC = Path(settings.STATICFILES_DIRS[0])
EXEMPT = {"css/tokens.css", "pos/print.css"}

TOKENS_LINK = '<link rel="stylesheet" href="/static/css/tokens.css">'
FAVICON_LINK = '<link rel="icon" href="/static/core/icons/favicon.svg" type="image/svg+xml">'

# The public contract (docs/architecture.md, "Look"): a shop theme may override these.
PUBLIC_TOKENS = (
    "brand", "brand-dark", "brand-soft", "on-brand", "accent", "accent-soft", "bg", "surface", "surface-2",
    "border", "border-strong", "text", "muted", "link", "link-hover", "ok", "ok-soft", "warn", "warn-soft",
    "danger", "danger-soft", "danger-dark", "info", "info-soft", "focus", "focus-ring", "font", "mono",
    "text-xs", "text-sm", "text-base", "text-md", "text-lg", "text-xl", "text-2xl",
    "space-1", "space-2", "space-3", "space-4", "space-5", "space-6",
    "radius-sm", "radius", "radius-lg", "radius-pill", "shadow", "shadow-lg",
)  # fmt: skip

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
# A declaration's value: after "property:" up to ";" or "}" (a selector's ":hover {" never matches).
_DECLARATION = re.compile(r"(?P<prop>--[\w-]+|[a-z-]+)\s*:\s*(?P<value>[^;{}]+)(?=[;}])")
_VAR_FALLBACK = re.compile(r"var\(\s*--[\w-]+\s*,[^()]*(?:\([^()]*\)[^()]*)*\)")
_LITERAL = re.compile(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(", re.IGNORECASE)


def literal_colours(css: str) -> list[str]:
    """The literal colours of a stylesheet's declarations, ``var(--x, fallback)`` fallbacks aside.

    ``transparent``, ``currentColor``, ``inherit`` and named keywords other than colours are fine;
    an id selector (``#feed``) is not a declaration value, so it is not a colour."""
    found = []
    for match in _DECLARATION.finditer(_COMMENT.sub("", css)):
        value = _VAR_FALLBACK.sub("var()", match["value"])
        found += [f"{match['prop']}: {match['value'].strip()}" for _ in _LITERAL.findall(value)[:1]]
    return found


def project_stylesheets() -> list[Path]:
    return sorted(path for path in STATIC.rglob("*.css") if "vendor" not in path.parts)


def test_the_scanner_finds_literals_and_lets_tokens_and_fallbacks_pass():
    css = """
    /* a comment may say #fff */
    #feed-list .add:hover { color: var(--text); background: var(--surface, #fff); }
    .a { border: 1px solid #ccc; }
    .b { box-shadow: 0 1px 2px rgba(0, 0, 0, .1); }
    .c { color: hsl(10 50% 50%); }
    .d { background: transparent; color: currentColor; fill: inherit; }
    .e { background: linear-gradient(var(--brand), var(--brand-dark)); }
    """
    assert literal_colours(css) == [
        "border: 1px solid #ccc",
        "box-shadow: 0 1px 2px rgba(0, 0, 0, .1)",
        "color: hsl(10 50% 50%)",
    ]


def test_no_stylesheet_but_tokens_css_writes_a_colour():
    offenders = {
        str(path.relative_to(STATIC)): found
        for path in project_stylesheets()
        if str(path.relative_to(STATIC)) not in EXEMPT
        and (found := literal_colours(path.read_text(encoding="utf-8")))
    }

    assert offenders == {}, "use a token from static/css/tokens.css instead"


def test_only_tokens_css_defines_the_public_tokens():
    """A stylesheet that redeclared --brand would fork the look (and hide a shop's override)."""
    redefined = {
        str(path.relative_to(STATIC)): sorted(names)
        for path in project_stylesheets()
        if path.name != "tokens.css"
        and (
            names := {
                m["prop"][2:]
                for m in _DECLARATION.finditer(_COMMENT.sub("", path.read_text(encoding="utf-8")))
                if m["prop"][2:] in PUBLIC_TOKENS
            }
        )
    }

    assert redefined == {}


def test_tokens_css_defines_the_whole_contract_with_literal_colours():
    tokens = design_tokens()

    assert set(PUBLIC_TOKENS) <= set(tokens)
    colours = ("brand", "brand-dark", "brand-soft", "bg", "surface", "text", "muted", "ok", "warn", "danger")
    for name in colours:
        assert re.fullmatch(r"#[0-9a-f]{6}", tokens[name]), name
    assert design_token("link") == tokens["brand"]  # var(--brand), resolved
    assert [tokens[f"space-{n}"] for n in range(1, 7)] == ["4px", "8px", "12px", "16px", "24px", "32px"]


# --- every page family loads tokens.css first, and the icons -------------------------------------------


def _stylesheets(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)


def _assert_look(html: str, family_css: str) -> None:
    assert TOKENS_LINK in html
    assert FAVICON_LINK in html
    sheets = _stylesheets(html)
    assert family_css in sheets, sheets
    assert sheets.index("/static/css/tokens.css") < sheets.index(family_css), sheets


@pytest.fixture
def manager_user(db):
    LocationFactory(code="AJA")  # somewhere to pick and pack
    return UserFactory(role=Role.MANAGER)


@pytest.mark.django_db
def test_the_shop_loads_the_tokens_for_an_anonymous_visitor(client):
    for url in ("/fr/", reverse("orders:cart"), "/fr/no-such-page/"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        _assert_look(response.content.decode(), "/static/css/shop.css")
        assert _stylesheets(response.content.decode())[0] == "/static/css/tokens.css", url


@pytest.mark.django_db
def test_the_shop_product_page_loads_the_tokens(client):
    product = Shop().tshirt("Calvi tee", aja=3)

    response = client.get(f"/en/p/{product.slug}/")

    assert response.status_code == 200
    _assert_look(response.content.decode(), "/static/css/shop.css")


@pytest.mark.django_db
def test_the_customer_portal_loads_the_tokens(client):
    shopper = UserFactory()
    assign_role(shopper, Role.SHOPPER)
    client.force_login(shopper)

    response = client.get(reverse("accounts:dashboard"))

    assert response.status_code == 200
    _assert_look(response.content.decode(), "/static/css/shop.css")


@pytest.mark.django_db
def test_the_till_loads_the_tokens_for_a_cashier(client):
    store = LocationFactory(code="AJA")
    client.force_login(cashier(store))

    response = client.get("/pos/")

    assert response.status_code == 200
    html = response.content.decode()
    _assert_look(html, "/static/pos/pos.css")
    assert '<link rel="manifest" href="/pos/manifest.webmanifest">' in html
    assert f'<meta name="theme-color" content="{design_token("brand")}">' in html
    client.logout()
    _assert_look(client.get("/pos/login/").content.decode(), "/static/pos/pos.css")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "family_css"),
    [
        ("/stock/", "/static/css/app.css"),  # the stock grid
        ("/backoffice/orders/", "/static/logistics/orders.css"),  # back office
        ("/backoffice/picking/", "/static/logistics/fulfilment.css"),
        ("/dashboard/", "/static/css/dashboard.css"),  # reporting
        ("/platform/", "/static/css/app.css"),
    ],
)
def test_the_staff_screens_load_the_tokens(client, manager_user, url, family_css):
    client.force_login(manager_user)

    response = client.get(url)

    assert response.status_code == 200, url
    _assert_look(response.content.decode(), family_css)
    assert _stylesheets(response.content.decode())[0] == "/static/css/tokens.css"


@pytest.mark.django_db
def test_the_admin_loads_the_tokens_and_its_theme_without_dark_mode(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    product = ProductFactory()

    for url in ("/admin/", f"/admin/catalog/product/{product.pk}/change/", "/admin/login/"):
        response = client.get(url, follow=url.endswith("login/"))
        assert response.status_code == 200, url
        html = response.content.decode()
        _assert_look(html, "/static/admin/css/theme.css")
        assert "dark_mode.css" not in html and "admin/js/theme.js" not in html, url
        assert 'class="admin-brand__mark"' in html, url


def test_the_error_pages_load_the_tokens():
    for html in (
        render_to_string("500.html"),
        render_to_string("503.html"),
        render_to_string("core/throttled.html", {"message": "Too many", "minutes": 2}),
    ):
        _assert_look(html, "/static/css/shop.css")


# --- the till as an installable app ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_till_manifest_is_valid_and_takes_the_brand_colour(client):
    response = client.get("/pos/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] and data["short_name"]
    assert (data["start_url"], data["scope"], data["display"]) == ("/pos/", "/pos/", "standalone")
    assert data["theme_color"] == design_token("brand") == design_tokens()["brand"]
    assert data["background_color"] == design_token("bg")
    sizes = {icon["sizes"]: icon for icon in data["icons"] if icon.get("purpose", "any") == "any"}
    for size in ("192x192", "512x512"):
        assert sizes[size]["type"] == "image/png"
        with Image.open(finders.find(sizes[size]["src"].removeprefix("/static/"))) as image:
            assert f"{image.width}x{image.height}" == size and image.format == "PNG"
    assert any(icon.get("purpose") == "maskable" for icon in data["icons"])
