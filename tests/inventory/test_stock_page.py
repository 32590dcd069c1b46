"""The staff stock grid at /stock/: who may see it, what each cell says, filters, pages, query count."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from inventory import services
from tests.factories import (
    CategoryFactory,
    LocationFactory,
    ProductFactory,
    VariantFactory,
    cashier,
    make_ean13,
    staff,
)
from tests.factories import store_manager as make_store_manager

pytestmark = pytest.mark.django_db

URL = "/stock/"


@pytest.fixture
def warehouse(db):
    return LocationFactory(code="WH", name="Entrepôt", kind="warehouse")


@pytest.fixture
def grid(store, other_store, warehouse, variant, django_capture_on_commit_callbacks):
    """TSHIRT-M-RED: AJA 10 on hand / 3 reserved, threshold 8 (low); BAS 4; nothing at WH."""
    with django_capture_on_commit_callbacks(execute=True):
        services.receive_stock(variant=variant, location=store, quantity=10)
        services.reserve_stock(variant=variant, location=store, quantity=3)
        services.receive_stock(variant=variant, location=other_store, quantity=4)
    services.set_low_stock_threshold(variant=variant, location=store, threshold=8)
    return variant


def cell(html: str, sku: str, location: str) -> str:
    """The <td> of one (sku, location), as HTML."""
    match = re.search(
        rf'<td class="([^"]*)"\s+data-sku="{re.escape(sku)}" data-location="{location}".*?</td>', html, re.S
    )
    assert match, f"no cell for {sku}@{location}"
    return match.group(0)


def test_url_name_resolves():
    assert reverse("inventory:stock-grid") == URL


def test_anonymous_is_sent_to_the_admin_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/stock/"


def test_cashier_may_not_see_the_grid(client, store):
    client.force_login(cashier(store))

    assert client.get(URL).status_code == 403


def test_staff_sees_available_with_on_hand_and_reserved_on_hover(client, grid):
    client.force_login(staff())

    response = client.get(URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert [loc.code for loc in response.context["locations"]] == ["AJA", "BAS", "WH"]
    aja = cell(html, "TSHIRT-M-RED", "AJA")
    assert '<span class="cell__qty">7</span>' in aja
    assert 'data-version="2"' in aja and 'data-threshold="8"' in aja
    assert 'data-on-hand="10" data-reserved="3"' in aja
    assert "is-low" in aja  # 7 available <= threshold 8
    bas = cell(html, "TSHIRT-M-RED", "BAS")
    assert '<span class="cell__qty">4</span>' in bas and "is-low" not in bas
    assert "is-empty" in cell(html, "TSHIRT-M-RED", "WH")
    assert grid.ean13 in html and grid.product.name in html


def test_page_hands_its_locations_and_skus_to_the_live_script(client, grid):
    client.force_login(staff())

    html = client.get(URL).content.decode()

    assert 'data-locations="AJA,BAS,WH"' in html
    assert 'data-skus="TSHIRT-M-RED"' in html
    # the socket's first snapshot asks only for what changed after the page read its cells
    since = dt.datetime.fromisoformat(re.search(r'data-since="([^"]+)"', html).group(1))
    assert since < timezone.now() - dt.timedelta(seconds=settings.STOCK_WS_CURSOR_MARGIN_SECONDS - 5)
    assert "inventory/stock_grid.js" in html
    assert 'id="live-status"' in html


def test_hover_text_gives_on_hand_and_reserved(client, grid, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(staff())

    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'title="On hand: 10 · Reserved: 3"' in cell(html, "TSHIRT-M-RED", "AJA")


def test_store_manager_sees_only_their_store(client, store, grid):
    client.force_login(make_store_manager(store))

    response = client.get(URL)

    assert response.status_code == 200
    assert [loc.code for loc in response.context["locations"]] == ["AJA"]
    assert 'data-locations="AJA"' in response.content.decode()


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("tshirt-m", ["TSHIRT-M-RED", "TSHIRT-M-RED-2"]),  # SKU, any case
        ("200987654", ["TSHIRT-M-RED-2"]),  # EAN prefix
        ("linen", ["TSHIRT-M-RED-2"]),  # product name
    ],
)
def test_search_by_sku_ean_or_name(client, grid, q, expected):
    VariantFactory(
        sku="TSHIRT-M-RED-2", ean13=make_ean13(987654321), product=ProductFactory(name="Linen shirt")
    )
    VariantFactory(sku="MUG-BLUE", product=ProductFactory(name="Mug"))
    client.force_login(staff())

    skus = [row["variant"].sku for row in client.get(URL, {"q": q}).context["rows"]]

    assert sorted(skus) == expected


def test_search_by_exact_ean(client, grid):
    other = VariantFactory(sku="MUG-BLUE")
    client.force_login(staff())

    skus = [row["variant"].sku for row in client.get(URL, {"q": other.ean13}).context["rows"]]

    assert skus == ["MUG-BLUE"]


def test_category_filter_includes_subcategories(client, grid):
    clothing = CategoryFactory(name="Clothing")
    shoes = CategoryFactory(name="Shoes", parent=clothing)
    VariantFactory(sku="SNEAKER-42", product=ProductFactory(category=shoes))
    VariantFactory(sku="SHIRT-L", product=ProductFactory(category=clothing))
    client.force_login(staff())

    parent = client.get(URL, {"category": clothing.pk}).context["rows"]
    child = client.get(URL, {"category": shoes.pk}).context["rows"]

    assert sorted(r["variant"].sku for r in parent) == ["SHIRT-L", "SNEAKER-42"]
    assert [r["variant"].sku for r in child] == ["SNEAKER-42"]


def test_location_filter_shows_one_column(client, grid):
    client.force_login(staff())

    response = client.get(URL, {"location": "BAS"})

    assert [loc.code for loc in response.context["locations"]] == ["BAS"]
    assert [[loc.code for loc, _ in row["cells"]] for row in response.context["rows"]] == [["BAS"]]


def test_low_stock_only(client, grid):
    VariantFactory(sku="MUG-BLUE")
    client.force_login(staff())

    everywhere = [r["variant"].sku for r in client.get(URL, {"low": "1"}).context["rows"]]
    at_bastia = [r["variant"].sku for r in client.get(URL, {"low": "1", "location": "BAS"}).context["rows"]]

    assert everywhere == ["TSHIRT-M-RED"]
    assert at_bastia == []


def test_bad_filter_values_are_ignored_not_an_error(client, grid):
    client.force_login(staff())

    response = client.get(URL, {"category": "abc", "location": "NOPE", "page": "999"})

    assert response.status_code == 200
    assert [r["variant"].sku for r in response.context["rows"]] == ["TSHIRT-M-RED"]


def test_fifty_rows_per_page_and_filters_kept_in_page_links(client, store):
    category = CategoryFactory(name="Gifts")
    for n in range(60):
        VariantFactory(sku=f"GIFT-{n:03d}", product=ProductFactory(name=f"Gift {n:03d}", category=category))
    client.force_login(staff())

    first = client.get(URL, {"q": "GIFT"})
    second = client.get(URL, {"q": "GIFT", "page": 2})

    assert len(first.context["rows"]) == 50
    assert [r["variant"].sku for r in second.context["rows"]] == [f"GIFT-{n:03d}" for n in range(50, 60)]
    assert 'href="?q=GIFT&amp;page=2"' in first.content.decode()


def _grid_queries(client, django_assert_num_queries, params, expected_rows):
    from django.conf import settings

    # With Redis the session is read from the cache (core.sessions): one query fewer.
    cached_session = settings.SESSION_ENGINE != "django.contrib.sessions.backends.db"
    with django_assert_num_queries(GRID_QUERIES - cached_session):
        response = client.get(URL, params)
    assert response.status_code == 200
    assert len(response.context["rows"]) == expected_rows


# session, user, the user's permissions (2), locations, categories, count, variants, cells
GRID_QUERIES = 9


def test_query_count_does_not_grow_with_rows_or_locations(client, django_assert_num_queries):
    client.force_login(staff())
    small = LocationFactory(code="S0")
    services.receive_stock(variant=VariantFactory(sku="V-000"), location=small, quantity=1)
    _grid_queries(client, django_assert_num_queries, {}, 1)

    locations = [small, *(LocationFactory(code=f"S{n}") for n in range(1, 6))]
    for n in range(1, 60):
        variant = VariantFactory(sku=f"V-{n:03d}")
        for location in locations[: 1 + n % 6]:
            services.receive_stock(variant=variant, location=location, quantity=1 + n)
    services.set_low_stock_threshold(variant=variant, location=small, threshold=100)

    _grid_queries(client, django_assert_num_queries, {}, 50)
    _grid_queries(client, django_assert_num_queries, {"q": "V-", "page": 2}, 10)
    _grid_queries(client, django_assert_num_queries, {"low": "1", "location": "S0"}, 1)
