"""The change stamps the till's catalog delta reads: set by the admin's bulk and delete paths, and
given to the rows that existed before the migration."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product, RemovedVariant, Variant
from pricing.models import PriceList, PriceListEntry
from tests.factories import UserFactory, VariantFactory

pytestmark = pytest.mark.django_db
LONG_AGO = timezone.now() - dt.timedelta(days=3)


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def age(*variants):
    Variant.objects.filter(pk__in=[v.pk for v in variants]).update(updated_at=LONG_AGO)
    Product.objects.filter(pk__in=[v.product_id for v in variants]).update(updated_at=LONG_AGO)


def test_the_unpublish_action_stamps_the_products(superuser_client):
    variant = VariantFactory()
    age(variant)
    response = superuser_client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "unpublish", "_selected_action": [variant.product_id]},
    )
    assert response.status_code == 302
    product = Product.objects.get(pk=variant.product_id)
    assert (product.is_published, product.updated_at > LONG_AGO) == (False, True)


def test_deleting_variants_in_the_admin_leaves_tombstones(superuser_client):
    kept, deleted = VariantFactory(sku="KEEP-1"), VariantFactory(sku="DROP-1")
    response = superuser_client.post(
        reverse("admin:catalog_variant_changelist"),
        {"action": "delete_selected", "_selected_action": [deleted.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(Variant.objects.filter(sku__in=["KEEP-1", "DROP-1"]).values_list("sku", flat=True)) == [
        "KEEP-1"
    ]
    assert list(RemovedVariant.objects.values_list("sku", flat=True)) == ["DROP-1"]
    assert kept.pk


def test_deleting_a_price_list_stamps_its_variants(superuser_client):
    variant = VariantFactory()
    prices = PriceList.objects.create(code="sale", name="Sale")
    PriceListEntry.objects.create(price_list=prices, variant=variant, price_ht=Decimal("1"))
    age(variant)
    response = superuser_client.post(
        reverse("admin:pricing_pricelist_delete", args=[prices.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not PriceList.objects.exists()
    assert Variant.objects.get(pk=variant.pk).updated_at > LONG_AGO


@pytest.mark.django_db(transaction=True)
def test_rows_that_existed_before_the_migration_get_a_stamp():
    """Migrating back before the stamps, writing a variant and a price entry the old way, then
    forward: both get the migration's time (a till's older cursor sees them once more)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("catalog", "0004_variant_cost_price"), ("pricing", "0003_customer_benefit_label")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # back to every app's last migration, later ones too
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        category = apps.get_model("catalog", "Category").objects.create(name="C", slug="c")
        vat = apps.get_model("catalog", "VatRate").objects.create(code="std", name="Std", rate=Decimal("0.2"))
        product = apps.get_model("catalog", "Product").objects.create(
            name="Old", slug="old", category=category, vat_rate=vat, base_price_ht=Decimal("1")
        )
        variant = apps.get_model("catalog", "Variant").objects.create(
            product=product, sku="OLD-1", ean13="2000000000015"
        )
        prices = apps.get_model("pricing", "PriceList").objects.create(code="old", name="Old")
        apps.get_model("pricing", "PriceListEntry").objects.create(
            price_list=prices, variant_id=variant.pk, price_ht=Decimal("1")
        )
        started = timezone.now()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    assert Variant.objects.get(sku="OLD-1").updated_at >= started - dt.timedelta(seconds=1)
    assert PriceListEntry.objects.get(price_list__code="old").updated_at >= started - dt.timedelta(seconds=1)
    assert PriceList.objects.get(code="old").updated_at >= started - dt.timedelta(seconds=1)


def test_deleting_a_product_in_the_admin_leaves_a_tombstone_per_variant(superuser_client):
    first = VariantFactory(sku="PROD-S")
    VariantFactory(sku="PROD-M", product=first.product)
    url = reverse("admin:catalog_product_delete", args=[first.product_id])
    response = superuser_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Product.objects.filter(pk=first.product_id).exists()
    assert sorted(RemovedVariant.objects.values_list("sku", flat=True)) == ["PROD-M", "PROD-S"]


def test_a_sku_changed_in_the_admin_leaves_the_old_one_as_a_tombstone(superuser_client):
    variant = VariantFactory(sku="OLD-SKU")
    url = reverse("admin:catalog_variant_change", args=[variant.pk])
    form = {
        "product": variant.product_id,
        "sku": "NEW-SKU",
        "ean13": variant.ean13,
        "price_ht_override": "",
        "weight_grams": "0",
        "is_active": "on",
        "position": "0",
    }
    # the stock levels inline (read only): its management form
    prefix = "stock_levels"
    form |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "0"}
    response = superuser_client.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Variant.objects.get(pk=variant.pk).sku == "NEW-SKU"
    assert list(RemovedVariant.objects.values_list("sku", flat=True)) == ["OLD-SKU"]
