"""The storefront's page cache learns of changes in lower layers through events, after they commit.

Inventory publishes ``StockLevelChanged``, pricing ``PricesChanged``, the catalog ``ProductsChanged`` and
``CatalogChanged``; ``storefront.subscribers`` bumps the cache versions once the transaction commits.
"""

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.db import transaction

from catalog.admin import CategoryAdmin
from catalog.events import CatalogChanged, ProductsChanged
from catalog.models import Category, Review, ReviewStatus
from catalog.services import moderate_reviews
from core import events
from inventory import services as stock
from inventory.events import StockLevelChanged
from inventory.models import StockLevel
from inventory.services import levels
from pricing.events import PricesChanged
from pricing.services import set_currency_rate
from storefront import cache as page_cache
from storefront import subscribers
from tests.factories import LocationFactory, UserFactory, VariantFactory, staff
from tests.storefront.storefront_data import _fresh_cache  # noqa: F401

pytestmark = pytest.mark.django_db


def versions(product_id: int) -> dict[str, int]:
    found = page_cache._get_versions(["global", "listing", f"product:{product_id}"])
    return {"global": found["global"], "listing": found["listing"], "product": found[f"product:{product_id}"]}


@pytest.fixture
def variant():
    return VariantFactory(sku="TEE-S-RED")


@pytest.fixture
def aja():
    return LocationFactory(code="AJA")


@pytest.fixture
def spy():
    """A second after-commit subscriber of every event the storefront listens to."""
    received = []
    kinds = (StockLevelChanged, ProductsChanged, CatalogChanged, PricesChanged)
    for kind in kinds:
        events.subscribe(kind, received.append)
    yield received
    for kind in kinds:
        events.unsubscribe(kind, received.append)


def test_the_storefront_subscribes_its_cache_to_the_four_events_after_commit():
    expected = {
        StockLevelChanged: subscribers.stock_level_changed,
        ProductsChanged: subscribers.products_changed,
        CatalogChanged: subscribers.catalog_changed,
        PricesChanged: subscribers.prices_changed,
    }
    for kind, handler in expected.items():
        assert events.Subscription(kind, handler, events.AFTER_COMMIT) in events.subscribers_of(kind)
    assert StockLevelChanged.name == "stock.level_changed"
    assert (ProductsChanged.name, CatalogChanged.name, PricesChanged.name) == (
        "catalog.products_changed",
        "catalog.changed",
        "pricing.prices_changed",
    )


def test_a_stock_change_publishes_its_figures_and_moves_the_product_version_after_commit(
    variant, aja, spy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        stock.receive_stock(variant=variant, location=aja, quantity=5)
    stock.reserve_stock(variant=variant, location=aja, quantity=2, reference="web-1")
    before = versions(variant.product_id)
    spy.clear()

    with django_capture_on_commit_callbacks(execute=True):
        with events.recorded() as published:
            stock.sell_stock(variant=variant, location=aja, quantity=1, reference="till-1")
        assert versions(variant.product_id) == before  # nothing before the commit
        assert spy == []

    expected = StockLevelChanged(
        variant_id=variant.pk,
        product_id=variant.product_id,
        location_id=aja.pk,
        on_hand=4,
        reserved=2,
        available=2,
        crossed_zero=False,
    )
    assert published == [expected] and spy == [expected]
    assert versions(variant.product_id) == {**before, "product": before["product"] + 1}  # listings kept


def test_a_stock_level_crossing_zero_also_moves_the_listing_version(
    variant, aja, django_capture_on_commit_callbacks
):
    before = versions(variant.product_id)

    with django_capture_on_commit_callbacks(execute=True), events.recorded() as published:
        stock.receive_stock(variant=variant, location=aja, quantity=3)

    assert [(e.on_hand, e.available, e.crossed_zero) for e in published] == [(3, 3, True)]
    assert versions(variant.product_id) == {
        "global": before["global"],
        "listing": before["listing"] + 1,
        "product": before["product"] + 1,
    }


def test_a_rolled_back_stock_change_reaches_no_subscriber(
    variant, aja, spy, django_capture_on_commit_callbacks
):
    before = versions(variant.product_id)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        stock.receive_stock(variant=variant, location=aja, quantity=3)
        raise RuntimeError("the caller's transaction fails after the stock change")

    assert callbacks == [] and spy == []
    assert versions(variant.product_id) == before
    assert not StockLevel.objects.filter(variant=variant, on_hand__gt=0).exists()


def test_the_event_knows_the_product_without_a_query_when_the_variant_is_loaded(
    variant, aja, django_assert_num_queries
):
    stock.receive_stock(variant=variant, location=aja, quantity=1)
    loaded = StockLevel.objects.select_related("variant").get(variant=variant, location=aja)
    bare = StockLevel.objects.get(variant=variant, location=aja)

    with django_assert_num_queries(0):
        assert levels._product_id(loaded) == variant.product_id
    with django_assert_num_queries(1):  # only the product id, not the variant row
        assert levels._product_id(bare) == variant.product_id


def test_a_price_change_publishes_prices_changed_and_empties_every_page(
    variant, spy, django_capture_on_commit_callbacks
):
    before = versions(variant.product_id)

    with django_capture_on_commit_callbacks(execute=True):
        with events.recorded() as published:
            set_currency_rate(currency="GBP", rate=Decimal("0.85"))
        assert versions(variant.product_id) == before

    assert published == [PricesChanged()] and spy == [PricesChanged()]
    assert versions(variant.product_id) == {**before, "global": before["global"] + 1}


def test_a_refused_price_change_publishes_nothing(variant, spy, django_capture_on_commit_callbacks):
    from pricing.errors import UnsupportedCurrency

    before = versions(variant.product_id)

    with (
        django_capture_on_commit_callbacks(execute=True),
        events.recorded() as published,
        pytest.raises(UnsupportedCurrency),
    ):
        set_currency_rate(currency="GBP", rate=Decimal("0"))

    assert published == [] and spy == []
    assert versions(variant.product_id) == before


def test_moderating_reviews_refreshes_the_products_and_listings(
    variant, spy, django_capture_on_commit_callbacks
):
    review = Review.objects.create(
        product=variant.product, user=UserFactory(), author_name="Ana", rating=5, text="Lovely, fits well."
    )
    before = versions(variant.product_id)

    with django_capture_on_commit_callbacks(execute=True):
        moderate_reviews(review_ids=[review.pk], status=ReviewStatus.APPROVED)

    assert spy == [ProductsChanged(product_ids=(variant.product_id,))]
    assert versions(variant.product_id) == {
        "global": before["global"],
        "listing": before["listing"] + 1,
        "product": before["product"] + 1,
    }


def test_a_category_saved_in_the_admin_empties_every_page(rf, spy, django_capture_on_commit_callbacks):
    category = Category.objects.create(slug="gifts", name_en="Gifts", name_fr="Cadeaux", name_it="Regali")
    request = rf.post("/admin/catalog/category/")
    request.user = staff()
    before = page_cache._get_versions(["global"])["global"]

    with django_capture_on_commit_callbacks(execute=True):
        category.name_en = "Gift ideas"
        CategoryAdmin(Category, site).save_model(request, category, form=None, change=True)

    assert spy == [CatalogChanged()]
    assert page_cache._get_versions(["global"])["global"] == before + 1
