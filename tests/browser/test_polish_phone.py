"""On a phone (390x844), in a real browser: the portal's "confirm your e-mail address" banner sends a
new link and refuses a second one with a clear message; the cart shows the products' photos (loaded
renditions) and the letter tile for a product without one (issue 16). Screenshots of both go to
docs/screenshots/polish-*.png."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from catalog import images
from catalog.models import ProductImage
from inventory import services as stock
from tests.accounts.portal_support import PASSWORD, shopper
from tests.factories import LocationFactory, VariantFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.real_passwords,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
EMAIL = "lea.verify@example.com"


def photo_bytes(colour: tuple[int, int, int]) -> bytes:
    img = Image.new("RGB", (800, 800), (243, 236, 226))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((180, 160, 620, 700), radius=60, fill=colour)
    draw.ellipse((320, 110, 480, 230), fill=(243, 236, 226))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def seed() -> None:
    aja = LocationFactory(code="AJA", name="Ajaccio", sells_online=True)
    shopper(email=EMAIL, first_name="Léa", last_name="Casanova", preferred_language="fr")
    for sku, name, colour in [
        ("LIN-NAVY", "Chemise en lin marine", (38, 56, 92)),
        ("TEE-TERRA", "T-shirt terracotta", (176, 88, 56)),
    ]:
        variant = VariantFactory(sku=sku, product__name=name, product__base_price_ht=Decimal("32.50"))
        stock.receive_stock(variant=variant, location=aja, quantity=5)
        photo = ProductImage.objects.create(
            product=variant.product,
            image=ContentFile(photo_bytes(colour), name=f"{sku.lower()}.png"),
            alt_fr=f"{name}, à plat",
            alt_en=f"{name}, laid flat",
            alt_it=f"{name}, in piano",
        )
        images.make_renditions(photo.pk)
    jam = VariantFactory(
        sku="CONF-FIGUE", product__name="Confiture de figues", product__base_price_ht=Decimal("6")
    )
    stock.receive_stock(variant=jam, location=aja, quantity=5)


@pytest.fixture
def server(transactional_db, settings, tmp_path):
    from bench._common import AsgiServer, child_env, database_url

    settings.MEDIA_ROOT = str(tmp_path / "media")
    env = child_env(
        DATABASE_URL=database_url(settings.DATABASES["default"]),
        REDIS_URL=settings.REDIS_URL,
        DB_CONN_MAX_AGE="0",
        DJANGO_ALLOW_ASYNC_UNSAFE=None,
        MEDIA_ROOT=settings.MEDIA_ROOT,
        SERVE_MEDIA="1",
    )
    with AsgiServer(env=env) as running:
        yield running


@pytest.fixture
def phone(chromium_browser):
    context = chromium_browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    try:
        yield page, errors
    finally:
        context.close()


def test_the_banner_resends_the_link_and_the_cart_shows_photos(server, phone, in_thread):
    in_thread(seed)
    page, errors = phone
    base = server.base_url
    SHOTS.mkdir(parents=True, exist_ok=True)

    for sku in ("LIN-NAVY", "TEE-TERRA", "CONF-FIGUE"):
        page.goto(f"{base}/fr/cart/")
        page.evaluate(
            """([sku]) => fetch('/fr/cart/add/', {method: 'POST', credentials: 'same-origin',
                 headers: {'X-CSRFToken': document.querySelector('[name=csrfmiddlewaretoken]').value,
                           'Content-Type': 'application/x-www-form-urlencoded'},
                 body: 'sku=' + sku + '&quantity=1'})""",
            [sku],
        )
    page.goto(f"{base}/fr/cart/")
    pictures = page.locator(".cart-line__image img")
    expect(pictures).to_have_count(2)
    for n in range(2):
        image = pictures.nth(n)
        expect(image).to_have_attribute("loading", "lazy")
        image.scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        assert "-320." in image.evaluate("(img) => img.currentSrc")  # the 96 px box gets the 320 px rendition
    expect(page.locator(".cart-line__noimage")).to_have_text("C")
    page.screenshot(path=str(SHOTS / "polish-cart-photos-phone.png"), full_page=True)

    page.goto(f"{base}/fr/account/login/")
    page.locator("#id_username").fill(EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    page.locator('form[action$="/account/login/"] button[type=submit]').click()
    page.wait_for_url(f"{base}/fr/account/**")
    page.goto(f"{base}/fr/account/")
    banner = page.locator(".verify-banner")
    expect(banner).to_contain_text("Merci de confirmer votre adresse e-mail.")
    page.screenshot(path=str(SHOTS / "polish-verify-banner-phone.png"))

    banner.get_by_role("button", name="Renvoyer le lien").click()
    expect(page.locator(".message--success")).to_contain_text(f"Nous avons envoyé un nouveau lien à {EMAIL}.")
    page.screenshot(path=str(SHOTS / "polish-verify-banner-sent-phone.png"))

    assert errors == []
    page.locator(".verify-banner").get_by_role("button", name="Renvoyer le lien").click()
    expect(page.locator(".message--error")).to_contain_text(
        "Vous pourrez en demander un nouveau dans 5 minutes."
    )
    page.screenshot(path=str(SHOTS / "polish-verify-too-soon-phone.png"))
