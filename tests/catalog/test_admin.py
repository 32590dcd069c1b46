"""The catalog and accounts admin pages: they render, search by SKU / EAN / name, and keep a
constant number of queries whatever the number of rows (no N+1)."""

import pytest
from django.urls import reverse

from catalog.models import OptionType, OptionValue
from inventory import services
from tests.factories import CategoryFactory, ProductFactory, UserFactory, VariantFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def make_catalog(n: int, store) -> None:
    size, _ = OptionType.objects.get_or_create(code="size", defaults={"name": "Size"})
    m, _ = OptionValue.objects.get_or_create(option_type=size, code="m", defaults={"name": "M"})
    parent = CategoryFactory()
    for _ in range(n):
        product = ProductFactory(category=CategoryFactory(parent=parent))
        for _ in range(2):
            variant = VariantFactory(product=product)
            variant.option_values.add(m)
            services.receive_stock(variant=variant, location=store, quantity=3)


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:catalog_product_changelist",
        "admin:catalog_variant_changelist",
        "admin:catalog_category_changelist",
        "admin:catalog_optiontype_changelist",
        "admin:catalog_vatrate_changelist",
        "admin:accounts_user_changelist",
        "admin:accounts_customerprofile_changelist",
        "admin:accounts_customergroup_changelist",
    ],
)
def test_changelists_have_a_constant_query_count(
    superuser_client, store, url_name, django_assert_max_num_queries
):
    make_catalog(3, store)
    UserFactory.create_batch(3)
    with django_assert_max_num_queries(20) as few:
        assert superuser_client.get(reverse(url_name)).status_code == 200
    make_catalog(15, store)
    UserFactory.create_batch(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert superuser_client.get(reverse(url_name)).status_code == 200


def test_product_search_by_name_sku_and_ean(superuser_client):
    variant = VariantFactory(
        sku="DRESS-PALOMBAGGIA-M", product=ProductFactory(name_fr="Robe en lin", name_en="Linen dress")
    )
    VariantFactory(product=ProductFactory(name_fr="Pull", name_en="Sweater"))
    url = reverse("admin:catalog_product_changelist")
    for query in ("linen", "Robe en lin", "PALOMBAGGIA", variant.ean13):
        body = superuser_client.get(url, {"q": query}).content.decode()
        assert "Linen dress" in body and "Sweater" not in body, query
    body = superuser_client.get(
        reverse("admin:catalog_variant_changelist"), {"q": variant.ean13}
    ).content.decode()
    assert "DRESS-PALOMBAGGIA-M" in body


def test_product_and_variant_change_pages(superuser_client, store, django_assert_max_num_queries):
    make_catalog(1, store)
    variant = VariantFactory(sku="SHOW-ME")
    services.receive_stock(variant=variant, location=store, quantity=4)
    for _ in range(6):
        VariantFactory(product=variant.product)
    with django_assert_max_num_queries(40):
        page = superuser_client.get(reverse("admin:catalog_product_change", args=[variant.product.pk]))
    assert page.status_code == 200
    assert "SHOW-ME" in page.content.decode()
    page = superuser_client.get(reverse("admin:catalog_variant_change", args=[variant.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "tock by location" in body and reverse("admin:inventory_stocklevel_receive") in body


def test_staff_can_use_the_catalog_admin(client):
    client.force_login(staff())
    assert client.get(reverse("admin:catalog_product_changelist")).status_code == 200
    assert client.get(reverse("admin:catalog_product_add")).status_code == 200
