"""Sales breakdowns against hand-computed figures: a till sale at Ajaccio with a return, a web order
with a 10 % coupon, a plain web order and a click & collect at Ajaccio, through the real services.

Prices: TEE 12.50 TTC (10.415 HT), MUG 6.00 TTC (5.00 HT); costs TEE 4.00, MUG 2.00 HT.

======================  =====  ==========  =========  ============================
order                   chan.  sold TTC    net HT     lines
======================  =====  ==========  =========  ============================
till (AJA)              store  31.00       15.41      2 TEE + 1 MUG, 1 TEE returned
web + coupon TEN        web    10.80       9.00       2 MUG (12.00 - 10 %)
web                     web    25.00       20.83      2 TEE
click & collect (AJA)   c&c    6.00        5.00       1 MUG
======================  =====  ==========  =========  ============================
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from catalog.models import Category
from inventory.models import StockLevel
from orders.models import DeliveryMethod, Order
from orders.services import checkout
from payments import services as payments
from reporting import facts
from reporting.access import Scope
from reporting.periods import Period
from reporting.selectors import sales
from tests.factories import UserFactory
from tests.logistics.shop import make_cart, make_coupon

from .conftest import till_return, till_sale, web_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


D = Decimal


def click_and_collect(*lines) -> Order:
    order, start = checkout.start_checkout(
        cart=make_cart(*lines),
        user=None,
        email="cc@example.com",
        delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
        location_code="AJA",
        provider="test",
        return_url="/done/",
        cancel_url="/done/",
    )
    assert start is not None
    payments.confirm_test_payment(payment_id=start.payment_id, succeed=True)
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def sold(shop):
    shop.tee.cost_price_ht = D("4.00")
    shop.tee.save()
    shop.mug.cost_price_ht = D("2.00")
    shop.mug.save()
    root = Category.objects.create(name="Boutique", slug="boutique")
    wear = Category.objects.create(name="Wear", slug="wear", parent=root)
    home = Category.objects.create(name="Home", slug="home", parent=root)
    type(shop.tee.product).objects.filter(pk=shop.tee.product_id).update(category=wear)
    type(shop.mug.product).objects.filter(pk=shop.mug.product_id).update(category=home)
    make_coupon("TEN", "10")
    till = till_sale(shop, [("TEE", 2), ("MUG", 1)], [("cash", "40.00")])
    till_return(shop, till, [("TEE", 1)])
    coupon = web_order((shop.mug, 2), coupon_code="TEN")
    plain = web_order((shop.tee, 2))
    collect = click_and_collect((shop.mug, 1))
    orders = [till, coupon, plain, collect]
    facts.refresh_orders([o.pk for o in orders])
    shop.categories = (root, wear, home)
    shop.orders = orders
    return shop


def today() -> Period:
    day = timezone.localdate()
    return Period(day, day)


def by_key(rows):
    return {row["key"]: row for row in rows}


def pick(row, *names):
    return tuple(row[name] for name in names)


FIG = (
    "orders",
    "sales_ttc",
    "revenue_ttc",
    "revenue_ht",
    "units",
    "units_returned",
    "average_basket",
    "margin_ht",
)


def test_by_channel_and_store(sold):
    rows = by_key(sales.sales_rows(today(), Scope(), "channel"))
    assert pick(rows["store"], *FIG) == (1, D("31.00"), D("18.50"), D("15.41"), 2, 1, D("31.00"), D("9.41"))
    assert pick(rows["web"], *FIG) == (2, D("35.80"), D("35.80"), D("29.83"), 4, 0, D("17.90"), D("17.83"))
    assert pick(rows["click_collect"], *FIG) == (
        1,
        D("6.00"),
        D("6.00"),
        D("5.00"),
        1,
        0,
        D("6.00"),
        D("3.00"),
    )
    assert rows["store"]["margin_rate"] == D("0.6106")  # 9.41 / 15.41
    stores = by_key(sales.sales_rows(today(), Scope(), "store"))
    assert pick(stores[sold.aja.pk], *FIG) == (
        2,
        D("37.00"),
        D("24.50"),
        D("20.41"),
        3,
        1,
        D("18.50"),
        D("12.41"),
    )
    assert stores[sold.aja.pk]["label"] == "Ajaccio (AJA)"
    assert pick(stores[sold.warehouse.pk], "orders", "revenue_ttc") == (2, D("35.80"))
    assert [row["revenue_ttc"] for row in stores.values()] == [D("35.80"), D("24.50")]  # highest first


def test_by_time(sold):
    for group in ("day", "week", "month"):
        (row,) = sales.sales_rows(today(), Scope(), group)
        assert pick(row, "orders", "revenue_ttc", "sales_ttc", "units") == (4, D("60.30"), D("72.80"), 7)
    (day,) = sales.sales_rows(today(), Scope(), "day")
    assert day["key"] == timezone.localdate()


def test_by_product_variant_and_sell_through(sold):
    rows = by_key(sales.sales_rows(today(), Scope(), "product"))
    tee, mug = rows[sold.tee.product_id], rows[sold.mug.product_id]
    # TEE: 2 + 2 sold, 1 returned: 25.00 - 12.50 + 25.00; HT 20.83 - 10.42 + 20.83
    assert pick(tee, "orders", "units", "revenue_ttc", "revenue_ht", "units_returned") == (
        2,
        3,
        D("37.50"),
        D("31.24"),
        1,
    )
    assert pick(mug, "orders", "units", "revenue_ttc", "revenue_ht") == (3, 4, D("22.80"), D("19.00"))
    assert mug["margin_ht"] == D("11.00")  # 19.00 - 4 x 2.00
    variants = by_key(sales.sales_rows(today(), Scope(), "variant"))
    assert variants[sold.tee.pk]["label"].startswith("TEE")
    ranking = sales.product_ranking(today(), Scope(), limit=1)
    assert [r["key"] for r in ranking["top"]] == [sold.tee.product_id]
    assert [r["key"] for r in ranking["bottom"]] == [sold.mug.product_id]
    stock = sum(StockLevel.objects.filter(variant=sold.tee).values_list("on_hand", flat=True))
    assert ranking["top"][0]["stock"] == stock
    assert ranking["top"][0]["sell_through"] == (D(3) / D(3 + stock)).quantize(D("0.0001"))
    aja = by_key(sales.product_ranking(today(), Scope(location_id=sold.aja.pk), limit=5)["top"])
    assert (
        aja[sold.tee.product_id]["stock"]
        == StockLevel.objects.get(variant=sold.tee, location=sold.aja).on_hand
    )


def test_by_category_is_a_tree_whose_orders_are_counted_once(sold):
    root, wear, home = sold.categories
    rows = sales.category_rows(today(), Scope())
    assert [(row["key"], row["depth"]) for row in rows] == [(root.pk, 0), (home.pk, 1), (wear.pk, 1)]
    by = by_key(rows)
    assert pick(by[wear.pk], "orders", "revenue_ttc", "units") == (2, D("37.50"), 3)
    assert pick(by[home.pk], "orders", "revenue_ttc", "units") == (3, D("22.80"), 4)
    # the till sale bought in both: 4 orders, not 2 + 3
    assert pick(by[root.pk], "orders", "revenue_ttc", "units", "margin_ht") == (
        4,
        D("60.30"),
        7,
        D("30.24"),
    )  # 9.41 + 17.83 + 3.00
    assert by[wear.pk]["path"] == "Boutique › Wear"


def test_by_cashier_payment_coupon_and_hours(sold):
    (cashier,) = sales.sales_rows(today(), Scope(), "cashier")
    assert cashier["key"] == sold.cashier.pk
    assert pick(cashier, "orders", "revenue_ttc", "units") == (1, D("18.50"), 2)
    pay = by_key(sales.sales_rows(today(), Scope(), "payment_method"))
    assert pick(pay["cash"], "orders", "revenue_ttc") == (1, D("31.00"))  # 40.00 tendered, 9.00 change
    web_total = sum(o.total_gross for o in sold.orders[1:])  # shipping included
    assert pick(pay["test"], "orders", "revenue_ttc") == (3, web_total)
    (coupon,) = sales.sales_rows(today(), Scope(), "coupon")
    assert pick(coupon, "key", "orders", "revenue_ttc", "discount_ttc") == ("TEN", 1, D("10.80"), D("1.20"))
    uplift = sales.coupon_uplift(today(), Scope())
    # without: (31.00 + 25.00 + 6.00) / 3 = 20.67; 10.80 / 20.67 - 1
    assert pick(uplift, "basket_with", "basket_without", "uplift") == (D("10.80"), D("20.67"), D("-0.4775"))
    matrix = sales.hour_weekday_matrix(today(), Scope())
    assert len(matrix) == 7 and all(len(row) == 24 for row in matrix)
    assert sum(sum(row) for row in matrix) == D("72.80")
    assert sum(row["orders"] for row in sales.sales_rows(today(), Scope(), "weekday")) == 4
    assert sum(row["revenue_ttc"] for row in sales.sales_rows(today(), Scope(), "hour")) == D("60.30")


def test_a_store_scope_sees_its_store_only(sold):
    scope = Scope(location_id=sold.aja.pk)
    channels = by_key(sales.sales_rows(today(), scope, "channel"))
    assert set(channels) == {"store", "click_collect"}
    assert [row["key"] for row in sales.sales_rows(today(), scope, "store")] == [sold.aja.pk]
    assert sales.sales_rows(today(), scope, "coupon") == []  # the coupon order shipped from the warehouse


def test_unknown_group_by():
    with pytest.raises(sales.UnknownGroupBy):
        sales.sales_rows(today(), Scope(), "planet")


# --- the API -----------------------------------------------------------------------------------------


URL = "/api/v1/reports/sales/"


def q(group_by: str, **extra: str) -> str:
    day = timezone.localdate().isoformat()
    params = {"date_from": day, "date_to": day, "group_by": group_by, **extra}
    return URL + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def test_api_rows_and_scoping(sold, client):
    client.force_login(UserFactory(role=Role.MANAGER))
    response = client.get(q("channel"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["store"] is None and body["group_by"] == "channel"
    rows = {row["key"]: row for row in body["rows"]}
    assert rows["store"] == {
        "key": "store", "label": "Store", "revenue_ht": "15.41", "revenue_ttc": "18.50", "orders": 1,
        "units": 2, "units_returned": 1, "units_cancelled": 0, "average_basket": "31.00",
        "margin_ht": "9.41", "margin_rate": "0.6106", "discount_ttc": "0.00",
    }  # fmt: skip
    for group in sales.GROUP_BYS:
        assert client.get(q(group)).status_code == 200, group

    client.force_login(UserFactory(role=Role.STORE_MANAGER, store=sold.aja))
    body = client.get(q("store")).json()
    assert body["store"] == sold.aja.pk
    assert [(row["key"], row["revenue_ttc"]) for row in body["rows"]] == [(str(sold.aja.pk), "24.50")]

    for role in (Role.STAFF, Role.CASHIER, Role.SHOPPER):
        client.force_login(UserFactory(role=role))
        response = client.get(q("store"))
        assert response.status_code == 403 and response.json()["code"] == "reports_forbidden"
    client.logout()
    assert client.get(q("store")).status_code == 401


def test_api_refuses_bad_input(client):
    client.force_login(UserFactory(role=Role.MANAGER))
    response = client.get(q("planet"))
    assert response.status_code == 400 and "group_by" in response.json()["detail"]
    assert "planet" in response.json()["message"]
    response = client.get(URL + "?group_by=day&date_from=2020-01-01&date_to=2025-06-01")
    assert response.status_code == 400 and "date_to" in response.json()["detail"]
    response = client.get(URL + "?group_by=day&date_from=2026-02-30&date_to=2026-03-01")
    assert response.status_code == 400 and "date_from" in response.json()["detail"]
    assert client.get(URL + "?group_by=day&period=month").status_code == 200


# --- the page --------------------------------------------------------------------------------------------


def page(by: str, **extra: str) -> str:
    day = timezone.localdate().isoformat()
    params = {"period": "custom", "date_from": day, "date_to": day, "by": by, **extra}
    return "/dashboard/sales/?" + "&".join(f"{k}={v}" for k, v in params.items())


def test_the_page_tabs_and_exports(sold, client, django_assert_max_num_queries):
    from openpyxl import load_workbook

    from reporting.views_sales import TABS

    client.force_login(UserFactory(role=Role.MANAGER))
    for by in TABS:
        with django_assert_max_num_queries(20):
            response = client.get(page(by))
        assert response.status_code == 200, by
        html = response.content.decode()
        assert "<svg" in html and " style=" not in html.split("<main", 1)[-1], by
    html = client.get(page("category")).content.decode()
    assert "Boutique" in html and "Wear" in html
    response = client.get(page("store", export="xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:3] == ("Store", "Revenue HT", "Revenue TTC")
    assert values[1][0] == "Warehouse (WEB)" and values[1][2] == 35.8
    assert values[-1][0] == "Total" and values[-1][2] == 60.3
    response = client.get(page("product", export="csv", table="bottom"))
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[1].startswith("Mug;")


@pytest.mark.parametrize(
    ("role", "expected"), [(Role.STORE_MANAGER, 200), (Role.STAFF, 403), (Role.CASHIER, 403)]
)
def test_the_page_by_role(sold, client, role, expected):
    client.force_login(UserFactory(role=role, store=sold.aja))
    response = client.get(page("channel"))
    assert response.status_code == expected
    if expected == 200:
        html = response.content.decode()
        assert "Click &amp; collect" in html and "Web (delivery)" not in html.split("report-table")[-1]
