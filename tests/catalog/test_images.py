"""Product photos (issue 16): uploaded in the admin (validated: nothing stored when refused),
resized after commit into WebP (and AVIF) renditions with content-hashed names (idempotent), shown
as <picture> with srcset/sizes/width/height/lazy, served with long cache headers, and a new photo
bumps the product's page-cache version."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image

from catalog import images
from catalog.models import OptionType, OptionValue, ProductImage
from catalog.validators import IMAGE_MAX_BYTES
from storefront import cache as page_cache
from tests.factories import UserFactory, VariantFactory
from tests.storefront.storefront_data import _fresh_cache  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, eager_celery):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SERVE_MEDIA = True


@pytest.fixture
def superuser_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def png(width=1000, height=800, colour=(200, 60, 50), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, fmt)
    return out.getvalue()


def change_form_data(response) -> dict:
    """The product change form as the browser would post it back unchanged."""
    data: dict = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif hasattr(value, "name") and not isinstance(value, str):  # a stored file: leave it
                continue
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, field in formset.management_form.fields.items():
            data[formset.management_form.add_prefix(name)] = str(
                formset.management_form[name].value() or field.initial or 0
            )
        for form in formset.initial_forms:
            add(form)
        data[formset.management_form.add_prefix("TOTAL_FORMS")] = str(len(formset.initial_forms))
    return data


def product_with_colours():
    colour, _ = OptionType.objects.get_or_create(code="color", defaults={"name": "Colour"})
    red = OptionValue.objects.create(option_type=colour, code="red", name_en="Red", name_fr="Rouge")
    navy = OptionValue.objects.create(option_type=colour, code="navy", name_en="Navy", name_fr="Marine")
    variant = VariantFactory(sku="TEE-RED", product__name_fr="T-shirt rouge", product__name_en="Red tee")
    variant.option_values.add(red)
    VariantFactory(sku="TEE-NAVY", product=variant.product).option_values.add(navy)
    return variant.product, red, navy


def upload(superuser_client, product, files: dict, **extra):
    url = reverse("admin:catalog_product_change", args=[product.pk])
    data = change_form_data(superuser_client.get(url))
    total = int(data["images-TOTAL_FORMS"])
    for offset, (name, content) in enumerate(files.items()):
        i = total + offset
        data[f"images-{i}-image"] = SimpleUploadedFile(name, content)
        data[f"images-{i}-position"] = str(i * 10)
        data[f"images-{i}-alt_fr"] = f"Photo {i} FR"
        data[f"images-{i}-alt_en"] = f"Photo {i} EN"
        data[f"images-{i}-alt_it"] = f"Photo {i} IT"
        for key, value in extra.items():
            data[f"images-{i}-{key}"] = value
    data["images-TOTAL_FORMS"] = str(total + len(files))
    return superuser_client.post(url, data)


def test_upload_in_the_admin_stores_the_photo_and_makes_its_renditions(
    superuser_client, django_capture_on_commit_callbacks
):
    product, red, _navy = product_with_colours()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(superuser_client, product, {"tee.png": png()}, colour=str(red.pk))
    assert response.status_code == 302, response.context and (
        response.context["adminform"].form.errors,
        [(i.formset.prefix, i.formset.errors) for i in response.context["inline_admin_formsets"]],
    )
    photo = ProductImage.objects.get(product=product)
    assert (photo.width, photo.height, photo.colour_id) == (1000, 800, red.pk)
    assert (photo.alt_fr, photo.alt_en, photo.alt_it) == ("Photo 0 FR", "Photo 0 EN", "Photo 0 IT")
    assert photo.image.storage.exists(photo.image.name)
    formats = images.rendition_formats()
    assert "webp" in formats
    assert set(photo.renditions) == {*formats, "jpg"}
    [(email_width, email_name)] = photo.renditions["jpg"].items()  # e-mails: one small JPEG
    with photo.image.storage.open(email_name) as f, Image.open(f) as img:
        assert (img.format, img.mode, email_width, img.size) == ("JPEG", "RGB", "160", (160, 128))
    for kind in formats:
        assert sorted(photo.renditions[kind], key=int) == ["320", "640", "960"]  # never wider than 1000
        for width, name in photo.renditions[kind].items():
            with photo.image.storage.open(name) as f, Image.open(f) as img:
                assert img.format == kind.upper() and img.width == int(width)
                assert img.height == round(800 * int(width) / 1000)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "notes.jpg",
            b"these are not the pixels you are looking for",
            "Upload a valid image",
        ),  # Django's ImageField says it first
        ("anim.gif", png(fmt="GIF"), "GIF images are not accepted"),
        ("huge.png", png(width=8100, height=10), "at most 8000 px"),
    ],
)
def test_a_bad_upload_is_refused_with_a_message_and_nothing_is_stored(
    superuser_client, settings, tmp_path, name, content, message
):
    product, _red, _navy = product_with_colours()
    response = upload(superuser_client, product, {name: content})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProductImage.objects.exists()
    assert not (tmp_path / "media" / "products").exists()


def test_a_photo_over_15_mb_is_refused(superuser_client, tmp_path):
    product, _red, _navy = product_with_colours()
    big = png() + b"\0" * (IMAGE_MAX_BYTES + 1)
    response = upload(superuser_client, product, {"big.png": big})
    assert response.status_code == 200
    assert "at most 15 MB" in response.content.decode()
    assert not ProductImage.objects.exists()


def test_renditions_are_idempotent_and_content_named():
    product, _red, _navy = product_with_colours()
    photo = ProductImage.objects.create(product=product, image=ContentFile(png(700, 700), name="a.png"))
    first = images.make_renditions(photo.pk)
    assert first.written == len(images.rendition_formats()) * 2 + 1  # 320 and 640 (not 960), the e-mail JPEG
    again = images.make_renditions(photo.pk)
    assert again.written == 0 and again.renditions == first.renditions
    # The same pixels uploaded for another product share the files.
    other = ProductImage.objects.create(product=product, image=ContentFile(png(700, 700), name="b.png"))
    assert images.make_renditions(other.pk).written == 0
    name = first.renditions["webp"]["320"]
    assert name.startswith("products/r/") and name.endswith("-320.webp")


def test_a_new_photo_bumps_the_products_page_cache_version(django_capture_on_commit_callbacks):
    product, _red, _navy = product_with_colours()
    key = f"product:{product.pk}"
    before = page_cache._get_versions([key])[key]
    photo = ProductImage.objects.create(product=product, image=ContentFile(png(400, 400), name="c.png"))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        images.schedule_renditions(images=[photo])
    assert page_cache._get_versions([key])[key] >= before + 2  # the upload, then its renditions
    assert ProductImage.objects.get(pk=photo.pk).renditions


def test_the_product_page_and_cards_show_pictures(client):
    product, red, navy = product_with_colours()
    for position, colour in enumerate((red, navy)):
        photo = ProductImage.objects.create(
            product=product,
            image=ContentFile(png(1200, 1200, colour=(10 * position, 50, 90)), name=f"p{position}.png"),
            colour=colour,
            position=position,
            alt_fr=f"T-shirt {colour.code} FR",
            alt_en=f"T-shirt {colour.code} EN",
        )
        images.make_renditions(photo.pk)
    body = client.get(f"/en/p/{product.slug}/?sku=TEE-NAVY").content.decode()
    assert "<picture>" in body and 'type="image/webp"' in body and " 960w" in body and "sizes=" in body
    assert 'width="1200" height="1200"' in body
    assert 'fetchpriority="high"' in body and 'loading="lazy"' in body
    assert 'alt="T-shirt navy EN"' in body
    assert 'data-colour="navy"' in body and "data-gallery-zoom" in body
    # the navy variant is chosen: its photo first, the red one hidden until red is picked
    assert body.index('alt="T-shirt navy EN"') < body.index('alt="T-shirt red EN"')
    fr = client.get(f"/fr/p/{product.slug}/").content.decode()
    assert 'alt="T-shirt red FR"' in fr


def test_a_product_without_photo_keeps_its_letter_tile(client):
    variant = VariantFactory(sku="NOPIC", product__name_en="Zebra mug")
    body = client.get(f"/en/p/{variant.product.slug}/").content.decode()
    assert "gallery__none" in body and "<picture>" not in body


def test_renditions_are_served_with_immutable_cache_headers_and_other_media_not_at_all(client, settings):
    product, _red, _navy = product_with_colours()
    photo = ProductImage.objects.create(product=product, image=ContentFile(png(400, 300), name="d.png"))
    name = images.make_renditions(photo.pk).renditions["webp"]["320"]
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["Content-Type"] == "image/webp"
    assert client.get("/media/invoices/secret.pdf").status_code == 404
    assert client.get("/media/products/../invoices/x.pdf").status_code == 404
