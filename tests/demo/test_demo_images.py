"""The demo's product photos (``demo.images``): drawn locally, one per colour, shared files with
their renditions, alt text in every language, and a second run adds nothing."""

import pytest
from PIL import Image

from catalog.models import Product, ProductImage, Variant
from demo.images import COLOUR_RGB, seed_images
from demo.seed import seed_demo

pytestmark = pytest.mark.django_db


def test_every_product_gets_a_photo_per_colour(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    seed_demo(products=25, seed=7)
    photos, drawings, _seconds = seed_images()
    assert photos >= 25 and 0 < drawings <= photos
    assert set(ProductImage.objects.values_list("product_id", flat=True)) == set(
        Product.objects.values_list("pk", flat=True)
    )
    clothing = (
        Variant.objects.filter(option_values__option_type__code="color")
        .values_list("product_id", flat=True)
        .first()
    )
    colours = set(
        Variant.objects.filter(product_id=clothing, option_values__option_type__code="color").values_list(
            "option_values__code", flat=True
        )
    )
    shown = ProductImage.objects.filter(product_id=clothing)
    assert {p.colour.code for p in shown} == colours and colours <= set(COLOUR_RGB)
    assert len({p.image.name for p in shown}) == len(colours)  # a drawing per colour
    photo = shown.first()
    assert photo.alt_fr and photo.alt_en and photo.alt_it and photo.alt_fr != photo.alt_it
    with Image.open(tmp_path / photo.image.name) as img:
        assert img.size == (photo.width, photo.height) == (960, 960)
    for kind, names in photo.renditions.items():
        assert sorted(names, key=int) == (["160"] if kind == "jpg" else ["320", "640", "960"])  # jpg: e-mails
        assert all((tmp_path / name).exists() for name in names.values()), kind
    assert seed_images()[0] == 0  # re-run: every product has its photos
