"""The product page's gallery on a phone (390x844): the chosen colour's photos, the next button and
thumbnails, a photo enlarged in a dialog that Escape closes, and picking another colour showing its
photo. Photos are the demo's drawings (``demo.images``) with their real renditions, served by the
uvicorn child from MEDIA_ROOT (``core.media``).

Set ``UPDATE_SCREENSHOTS=1`` to copy the screenshot into docs/screenshots/.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from catalog import images
from catalog.models import ProductImage
from demo.images import draw
from tests.storefront.storefront_data import Shop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def seed() -> str:
    shop = Shop()
    product = shop.tshirt("Calvi linen tee", aja=2)  # S/Red in stock: the page opens on red
    photos = [
        ("WTS", "red", shop.opts["red"]),
        ("MSH", "red", shop.opts["red"]),
        ("WTS", "navy", shop.opts["blue"]),
    ]
    for position, (shape, colour, value) in enumerate(photos):
        photo = ProductImage.objects.create(
            product=product,
            image=ContentFile(draw(shape, colour), name=f"gallery-{shape}-{colour}.jpg"),
            colour=value,
            position=position,
            alt_en=f"Calvi linen tee, {value.name_en} {position}",
            alt_fr=f"Tee-shirt Calvi, {value.name_fr} {position}",
        )
        images.make_renditions(photo.pk)
    return product.slug


def test_gallery_swipes_zooms_and_follows_the_colour(asgi_server, chromium_browser, in_thread, tmp_path):
    slug = in_thread(seed)
    context = chromium_browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{asgi_server.base_url}/en/c/women-t-shirts/")  # the card shows the first photo
        card = page.locator(".pcard img").first
        expect(card).to_have_attribute("fetchpriority", "high")
        assert card.evaluate("img => img.complete && img.naturalWidth > 0")
        page.screenshot(path=str(tmp_path / "listing.png"))
        if os.environ.get("UPDATE_SCREENSHOTS"):
            shutil.copyfile(tmp_path / "listing.png", "/tmp/gallery-listing.png")
        page.goto(f"{asgi_server.base_url}/en/p/{slug}/")
        gallery = page.locator("[data-gallery]")
        slides = gallery.locator("[data-gallery-slide]:visible")
        expect(slides).to_have_count(2)  # the red ones; the navy one waits for its colour
        first = slides.nth(0).locator("img")
        expect(first).to_have_attribute("fetchpriority", "high")
        assert first.evaluate("img => img.complete && img.naturalWidth > 0")
        assert first.evaluate("img => img.currentSrc").endswith((".avif", ".webp"))

        gallery.get_by_role("button", name="Next photo").click()
        expect(gallery.locator("[data-gallery-thumb]").nth(1)).to_have_attribute("aria-current", "true")

        slides.nth(1).locator("[data-gallery-zoom]").click()
        dialog = page.locator("[data-gallery-dialog]")
        expect(dialog).to_be_visible()
        expect(dialog.locator("img")).to_have_attribute("alt", "Calvi linen tee, Red 1")
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()

        page.locator("label.picker__value", has_text="Blue").click()
        expect(slides).to_have_count(1)
        expect(slides.nth(0).locator("img")).to_have_attribute("alt", "Calvi linen tee, Blue 2")
        page.wait_for_timeout(400)  # the smooth scroll settles
        assert slides.nth(0).evaluate("el => Math.abs(el.getBoundingClientRect().left) < 40")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(200)
        path = tmp_path / "shop-product-gallery.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 5_000
        if os.environ.get("UPDATE_SCREENSHOTS"):
            DOCS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS / "shop-product-gallery.png")
    finally:
        context.close()
