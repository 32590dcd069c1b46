"""The till's catalog by delta: GET catalog/?since=<cursor> gives only what changed, plus removals.

The stamps it reads (``Variant.updated_at``, ``Product.updated_at``, ``PriceList(Entry).updated_at``,
``catalog.RemovedVariant``) are set by every write path; these tests write through those paths and
read the delta the till would get.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog import services as catalog
from catalog.models import RemovedVariant, Variant
from pricing import services as pricing
from pricing.models import Channel, PriceList, PriceListEntry
from tests.core.api_helpers import api_client
from tests.factories import ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/pos/catalog/"


@pytest.fixture(autouse=True)
def no_margin(settings):
    # No transaction is left open in these tests: the exact changes, none from the margin.
    settings.POS_CATALOG_CURSOR_MARGIN_SECONDS = 0


def full(client):
    response = client.get(API)
    assert response.status_code == 200
    return response.json()


def delta(client, cursor, **params):
    response = client.get(API, {"since": cursor, **params})
    assert response.status_code == 200, response.json()
    return response.json()


def store_list(store, **kwargs):
    return PriceList.objects.create(
        code=kwargs.pop("code", "aja-sale"), name="Ajaccio sale", channel=Channel.STORE, location=store,
        priority=10, **kwargs,
    )  # fmt: skip


def test_a_full_download_carries_a_cursor_a_margin_before_its_read(store, cashier_user, tshirt, settings):
    settings.POS_CATALOG_CURSOR_MARGIN_SECONDS = 120
    before = timezone.now()
    data = full(api_client(cashier_user))
    cursor = dt.datetime.fromisoformat(data["cursor"])
    assert before - dt.timedelta(seconds=120) <= cursor <= timezone.now() - dt.timedelta(seconds=120)
    assert (data["since"], data["removed"]) == (None, [])


def test_nothing_changed_gives_an_empty_delta(store, cashier_user, tshirt, mug):
    client = api_client(cashier_user)
    data = delta(client, full(client)["cursor"])
    assert (data["results"], data["removed"], data["next_after"]) == ([], [], None)
    assert data["since"] and data["cursor"] >= data["since"]


def test_the_delta_carries_a_price_change_a_new_variant_and_drops_a_deactivated_one(
    store, cashier_user, tshirt, mug
):
    # given a till that downloaded the catalog
    client = api_client(cashier_user)
    cursor = full(client)["cursor"]
    # when a store price list lowers the T-shirt, a scarf is created and the mug is switched off
    entry = PriceListEntry.objects.create(price_list=store_list(store), variant=tshirt, price_ht=D("5"))
    scarf = VariantFactory(sku="SCARF-1", product=ProductFactory(name="Scarf", base_price_ht=D("20")))
    mug.is_active = False
    mug.save()
    # then the delta holds exactly those, with their current data
    data = delta(client, cursor)
    assert [(i["sku"], i["price_gross"], i["name"]) for i in data["results"]] == [
        ("TSHIRT-M-RED", "6.00", "T-shirt"),
        ("SCARF-1", "24.00", "Scarf"),
    ]
    assert data["results"][0]["available_here"] == 5
    assert data["removed"] == ["MUG-1"]
    # and a delta from its cursor: the price edited again (save with update_fields, the ERP's way)
    second = data["cursor"]
    entry.price_ht = D("4")
    entry.save(update_fields=["price_ht", "updated_at"])
    assert [(i["sku"], i["price_gross"]) for i in delta(client, second)["results"]] == [
        ("TSHIRT-M-RED", "4.80")
    ]
    assert scarf.pk


def test_the_erp_price_service_stamps_the_entry_it_updates(store, cashier_user, tshirt):
    from accounts.models import CustomerGroup

    group = CustomerGroup.objects.create(code="vip", name="VIP")
    row = pricing.ErpGroupPrice(sku=tshirt.sku, customer_group="vip", price_ht=D("9"))
    pricing.set_erp_group_prices(prices=[row])
    entry = PriceListEntry.objects.get(variant=tshirt, price_list__customer_group=group)
    stamped = entry.updated_at
    pricing.set_erp_group_prices(
        prices=[pricing.ErpGroupPrice(sku=tshirt.sku, customer_group="vip", price_ht=D("8"))]
    )
    entry.refresh_from_db()
    assert (entry.price_ht, entry.updated_at > stamped) == (D("8"), True)


def test_unpublished_deleted_and_repriced_by_a_deleted_entry(store, cashier_user, tshirt, mug):
    entry = PriceListEntry.objects.create(price_list=store_list(store), variant=mug, price_ht=D("1"))
    gone = VariantFactory(sku="GONE-1")
    client = api_client(cashier_user)
    cursor = full(client)["cursor"]
    assert {i["sku"]: i["price_gross"] for i in full(client)["results"]}["MUG-1"] == "1.20"
    # the T-shirt's product unpublished (the admin action's service), a variant deleted (the admin's
    # delete path records it first), the mug's store price deleted (the admin stamps the variant)
    assert catalog.set_published(product_ids=[tshirt.product_id], published=False) == 1
    catalog.record_removed_variants(variant_ids=[gone.pk])
    gone.delete()
    pricing.note_entries_removed(variant_ids=[entry.variant_id])
    entry.delete()
    data = delta(client, cursor)
    assert data["removed"] == ["GONE-1", "TSHIRT-M-RED"]
    assert [(i["sku"], i["price_gross"]) for i in data["results"]] == [("MUG-1", "7.50")]
    assert RemovedVariant.objects.get().sku == "GONE-1"


def test_a_price_list_that_starts_between_two_downloads_reprices_its_variants(
    store, cashier_user, tshirt, mug
):
    client = api_client(cashier_user)
    prices = store_list(store, starts_at=timezone.now() + dt.timedelta(days=1))
    PriceListEntry.objects.create(price_list=prices, variant=mug, price_ht=D("5"))
    cursor = full(client)["cursor"]  # before the list starts: the mug at its catalog price
    # the list's rows were written before the cursor: only its start brings the mug
    long_ago = timezone.now() - dt.timedelta(hours=1)
    PriceList.objects.filter(pk=prices.pk).update(updated_at=long_ago)
    PriceListEntry.objects.update(updated_at=long_ago)
    assert delta(client, cursor)["results"] == []

    # it starts now, after the cursor (no wall-clock wait: its start is moved, its stamps are not)
    PriceList.objects.filter(pk=prices.pk).update(starts_at=timezone.now(), updated_at=long_ago)
    assert [(i["sku"], i["price_gross"]) for i in delta(client, cursor)["results"]] == [("MUG-1", "6.00")]


def test_the_delta_has_a_constant_query_count(store, cashier_user, django_assert_max_num_queries):
    from catalog.models import OptionType, OptionValue

    size = OptionType.objects.create(code="size", name="Size")
    small = OptionValue.objects.create(option_type=size, code="s", name="S")
    variants = [VariantFactory(sku=f"C-{n:02d}") for n in range(40)]
    for variant in variants:
        variant.option_values.add(small)
    client = api_client(cashier_user)
    cursor = full(client)["cursor"]
    catalog.touch_variants(variant_ids=[variants[0].pk, variants[39].pk])
    Variant.objects.filter(pk=variants[20].pk).update(is_active=False, updated_at=timezone.now())
    # token+user, 2 permissions, store, variants, option names, option links, prices, stock,
    # removed (switched off), removed (deleted), promotions
    with django_assert_max_num_queries(12):
        few = delta(client, cursor)
    assert [i["sku"] for i in few["results"]] == ["C-00", "C-39"]
    assert few["results"][0]["options"] == ["S"]
    assert few["removed"] == ["C-20"]
    catalog.touch_variants(variant_ids=[v.pk for v in variants])
    with django_assert_max_num_queries(12):
        many = delta(client, cursor)
    assert len(many["results"]) == 39
    # pages of a delta: the same keyset paging, the removals on the first page only
    first = delta(client, cursor, limit=25)
    second = delta(client, cursor, limit=25, after=first["next_after"])
    assert (len(first["results"]), len(second["results"]), second["next_after"]) == (25, 14, None)
    assert (first["removed"], second["removed"]) == (["C-20"], [])


@pytest.mark.parametrize(
    ("since", "reason"),
    [
        ("yesterday", "invalid"),
        ("2026-11-29T10:00:00", "invalid"),  # no offset
        ("x" * 64, "invalid"),
        ("2020-01-01T00:00:00+00:00", "too_old"),
        ("2999-01-01T00:00:00+00:00", "future"),  # fixed: xdist workers must collect the same ids
    ],
)
def test_a_bad_or_old_cursor_is_400_with_a_message(store, cashier_user, tshirt, since, reason):
    response = api_client(cashier_user).get(API, {"since": since})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "catalog_cursor_refused"
    assert body["detail"]["reason"] == reason
    assert "download the whole catalog" in body["message"]


def test_a_cursor_just_under_the_maximum_age_still_gives_a_delta(store, cashier_user, tshirt, settings):
    settings.POS_CATALOG_DELTA_MAX_AGE_SECONDS = 3600
    client = api_client(cashier_user)
    recent = delta(client, (timezone.now() - dt.timedelta(seconds=3500)).isoformat())
    assert [i["sku"] for i in recent["results"]] == ["TSHIRT-M-RED"]  # created within the hour
    old = (timezone.now() - dt.timedelta(seconds=3700)).isoformat()
    assert client.get(API, {"since": old}).json()["detail"]["reason"] == "too_old"


def test_a_too_long_since_is_a_field_error(cashier_user):
    response = api_client(cashier_user).get(API, {"since": "2" * 65})
    assert response.status_code == 400 and "since" in response.json()["detail"]


def test_a_full_downloads_first_page_says_how_many_items_its_pages_hold(store, cashier_user):
    for n in range(5):
        VariantFactory(sku=f"T-{n}")
    client = api_client(cashier_user)
    first = client.get(API, {"limit": 2}).json()
    second = client.get(API, {"limit": 2, "after": first["next_after"]}).json()
    assert (first["total"], second["total"], len(first["results"])) == (5, None, 2)
    assert delta(client, first["cursor"])["total"] is None
