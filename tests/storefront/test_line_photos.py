"""Product photos where a shopper sees their items (issue 16): the cart, the checkout summary, the
wishlist and the order confirmation e-mail show the product's photo as a rendition of the right size
(<picture> with srcset and sizes, width/height, lazy, alt text in the shopper's language; absolute URLs
in the e-mail), the placeholder tile when a product has none, and no query per line."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from catalog import images
from catalog.models import ProductImage
from inventory import services as inventory
from orders import services as orders
from orders.models import OrderStatus
from tests.accounts.portal_support import shopper
from tests.factories import VariantFactory
from tests.orders.cart_support import make_shop
from tests.orders.pickup_support import place
from tests.storefront.storefront_data import _fresh_cache  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MEDIA_URL = "/media/"


def png(width=800, height=600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 90, 40)).save(out, "PNG")
    return out.getvalue()


def photograph(variant, name: str = "Tee") -> ProductImage:
    photo = ProductImage.objects.create(
        product=variant.product,
        image=ContentFile(png(), name=f"{variant.sku.lower()}.png"),
        alt_en=f"{name} on a hanger",
        alt_fr=f"{name} sur un cintre",
        alt_it=f"{name} su una gruccia",
    )
    images.make_renditions(photo.pk)
    return photo


def pictures(html: str) -> list[str]:
    return re.findall(r"<picture>.*?</picture>", html, re.S)


def query_count(client, path: str) -> int:
    client.get(path)  # warm: the caches a first visit fills (menu, currencies, footer) are not per line
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def shop():
    aja, tee, mug = make_shop()
    photograph(tee)
    return aja, tee, mug


@pytest.mark.parametrize(("language", "alt"), [("fr", "Tee sur un cintre"), ("it", "Tee su una gruccia")])
def test_the_cart_shows_the_photo_rendition_and_the_tile_without_one(client, shop, language, alt):
    client.post(f"/{language}/cart/add/", {"sku": "TEE", "quantity": "1"})
    client.post(f"/{language}/cart/add/", {"sku": "MUG", "quantity": "1"})

    html = client.get(f"/{language}/cart/").content.decode()

    [pic] = pictures(html)
    assert 'type="image/webp"' in pic and re.search(r"/media/products/r/\w+-320\.webp 320w", pic)
    assert 'sizes="96px"' in pic and 'loading="lazy"' in pic
    assert 'width="800" height="600"' in pic and f'alt="{alt}"' in pic
    assert '<span class="cart-line__noimage">M</span>' in html  # the mug has no photo: its tile


def test_the_cart_runs_no_query_per_line(client, shop):
    client.post("/en/cart/add/", {"sku": "TEE", "quantity": "1"})
    one = query_count(client, "/en/cart/")
    aja = shop[0]
    for n in range(4):
        variant = VariantFactory(
            sku=f"JAM-{n}", product__name=f"Jam {n}", product__base_price_ht=Decimal("4")
        )
        inventory.receive_stock(variant=variant, location=aja, quantity=5)
        photograph(variant, f"Jam {n}")
        client.post("/en/cart/add/", {"sku": variant.sku, "quantity": "1"})

    five = query_count(client, "/en/cart/")

    assert len(pictures(client.get("/en/cart/").content.decode())) == 5
    assert five == one


def test_the_checkout_summary_shows_small_photos(client, shop):
    client.post("/en/cart/add/", {"sku": "TEE", "quantity": "2"})
    client.post("/en/cart/add/", {"sku": "MUG", "quantity": "1"})

    html = client.get("/en/checkout/").content.decode()

    summary = html[html.index('class="summary-lines"') :]
    [pic] = pictures(summary)
    assert 'sizes="48px"' in pic and 'alt="Tee on a hanger"' in pic and 'loading="lazy"' in pic
    assert '<span class="summary-lines__none">M</span>' in summary


def test_the_wishlist_shows_photos_without_a_query_per_row(client, shop):
    _aja, tee, mug = shop
    ana = shopper(email="ana@example.com")
    client.force_login(ana)
    client.post("/en/account/wishlist/add/", {"product": tee.product_id})
    one = query_count(client, "/en/account/wishlist/")
    for n in range(4):
        variant = VariantFactory(sku=f"JAM-{n}", product__name=f"Jam {n}")
        photograph(variant, f"Jam {n}")
        client.post("/en/account/wishlist/add/", {"product": variant.product_id})
    client.post("/en/account/wishlist/add/", {"product": mug.product_id})

    assert query_count(client, "/en/account/wishlist/") == one
    html = client.get("/en/account/wishlist/").content.decode()
    assert len(pictures(html)) == 5 and 'sizes="72px"' in html
    assert '<span class="wishlist-row__none">M</span>' in html


class Shop:
    def __init__(self, aja, tee, mug):
        self.aja, self.tee, self.mug = aja, tee, mug


@pytest.mark.parametrize(("language", "alt"), [("fr", "Tee sur un cintre"), ("en", "Tee on a hanger")])
def test_the_confirmation_email_shows_absolute_photo_urls(
    shop, settings, django_capture_on_commit_callbacks, language, alt
):
    settings.PAYMENTS_SITE_URL = "https://boutique.example"
    order = place(Shop(*shop), tees=1, mugs=1, language=language)

    with django_capture_on_commit_callbacks(execute=True):
        orders.transition_order(order=order, to_status=OrderStatus.PAID, note="test provider")

    [message] = mail.outbox
    html, _mimetype = message.alternatives[0]
    [img] = re.findall(r'<img src="https://boutique\.example/media/products/r/\w+-160\.jpg"[^>]*>', html)
    assert f'alt="{alt}"' in img and 'width="64" height="48"' in img
    assert ">M</span>" in html  # the mug: the tile
