"""The sale screen's tiles (issue 16): GET /api/v1/pos/favourites/ lists the store's favourite items
(goods without a barcode) in position order, for the register to keep offline."""

import pytest
from django.db import IntegrityError

from pos.models import FavouriteItem
from tests.core.api_helpers import api_client
from tests.factories import ProductFactory, VariantFactory, cashier, staff

pytestmark = pytest.mark.django_db
URL = "/api/v1/pos/favourites/"


def test_the_tiles_in_position_order_with_their_label(store, other_store, cashier_user, tshirt, mug):
    bread = VariantFactory(sku="BREAD", product=ProductFactory(name="Pain de campagne"))
    FavouriteItem.objects.create(store=store, variant=mug, position=2, label="Mug")
    FavouriteItem.objects.create(store=store, variant=bread, position=1)  # no label: the product's name
    FavouriteItem.objects.create(store=other_store, variant=tshirt, position=0, label="Elsewhere")

    response = api_client(cashier_user).get(URL)

    assert response.status_code == 200
    assert response.json() == [
        {"sku": "BREAD", "label": "Pain de campagne", "position": 1},
        {"sku": "MUG-1", "label": "Mug", "position": 2},
    ]


def test_switched_off_or_unpublished_items_have_no_tile(store, cashier_user, tshirt, mug):
    FavouriteItem.objects.create(store=store, variant=tshirt, position=1, label="Tee")
    FavouriteItem.objects.create(store=store, variant=mug, position=2, label="Mug")
    tshirt.is_active = False
    tshirt.save(update_fields=["is_active"])
    mug.product.is_published = False
    mug.product.save(update_fields=["is_published"])

    assert api_client(cashier_user).get(URL).json() == []


def test_another_stores_code_is_404_for_a_cashier_and_fine_for_staff(store, other_store, tshirt):
    FavouriteItem.objects.create(store=other_store, variant=tshirt, position=1, label="Tee")
    paul = cashier(store, email="paul@aja.example")

    refused = api_client(paul).get(URL, {"store": other_store.code})
    assert refused.status_code == 404 and refused.json()["message"]
    seen = api_client(staff(store=store)).get(URL, {"store": other_store.code})
    assert [row["sku"] for row in seen.json()] == ["TSHIRT-M-RED"]


def test_a_variant_is_a_favourite_once_per_store(store, tshirt):
    FavouriteItem.objects.create(store=store, variant=tshirt, position=1)
    with pytest.raises(IntegrityError):
        FavouriteItem.objects.create(store=store, variant=tshirt, position=2)


def test_signed_out_is_refused(store):
    assert api_client().get(URL).status_code in (401, 403)


def test_staff_edit_the_tiles_in_the_admin(client, store, tshirt, mug):
    from django.urls import reverse

    boss = staff(store=store, is_staff=True, is_superuser=True)
    client.force_login(boss)
    add = client.post(
        reverse("admin:pos_favouriteitem_add"),
        {"store": store.pk, "variant": tshirt.pk, "position": 3, "label": "Tee"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert add.status_code == 302, add.content.decode()[:2000]
    FavouriteItem.objects.create(store=store, variant=mug, position=1, label="Mug")

    listing = client.get(reverse("admin:pos_favouriteitem_changelist"), HTTP_ACCEPT_LANGUAGE="en")

    assert listing.status_code == 200
    assert [(f.variant.sku, f.position, f.label) for f in FavouriteItem.objects.all()] == [
        ("MUG-1", 1, "Mug"),
        ("TSHIRT-M-RED", 3, "Tee"),
    ]
