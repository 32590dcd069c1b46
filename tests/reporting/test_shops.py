"""Reports by shop (issue 17): two shops with web orders each and a till sale, through the real services.

Prices: TEE 12.50 TTC, MUG 6.00 TTC.

=====================  ============  ==========  ============================
order                  shop          sold TTC    lines
=====================  ============  ==========  ============================
web, before shops      main (deflt)  25.00       2 TEE (the cart had no shop)
web on pro             pro           12.00       2 MUG
till (AJA)             (stores)      12.50       1 TEE
=====================  ============  ==========  ============================
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import types
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Role
from orders.models import Cart, DeliveryMethod, Order
from orders.services import checkout
from payments import services as payments
from reporting import cube, facts, tasks, weekly
from reporting.access import STORES, Scope, ShopForbidden, UnknownShop, scope_for
from reporting.models import (
    CubeDimension,
    CubeGrain,
    PaymentFact,
    PickupFact,
    SalesCube,
    SalesDay,
    SalesFact,
)
from reporting.periods import Period
from reporting.selectors import overview, sales
from shops import services as shop_services
from shops.models import Shop
from tests.factories import UserFactory
from tests.logistics.shop import ADDRESS, make_cart

from .conftest import till_sale, web_order

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/reports/sales/"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def shop_order(on: Shop, *lines) -> Order:
    """A paid home-delivery checkout from a cart of shop ``on``."""
    cart = make_cart(*lines)
    Cart.objects.filter(pk=cart.pk).update(shop=on)
    cart.refresh_from_db()
    order, start = checkout.start_checkout(
        cart=cart,
        user=None,
        email="pro@example.com",
        delivery_method=DeliveryMethod.HOME,
        shipping_address=ADDRESS,
        carrier="colissimo",
        provider="test",
        return_url="/done/",
        cancel_url="/done/",
    )
    assert start is not None
    payments.confirm_test_payment(payment_id=start.payment_id, succeed=True)
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def sold(shop):
    shop.pro = shop_services.create_shop(code="pro", name="Maison Corse Pro", hosts=["pro.localhost"])
    shop.main = Shop.objects.get(is_default=True)
    shop.old = web_order((shop.tee, 2))  # no shop on its cart: the default shop's
    shop.pro_order = shop_order(shop.pro, (shop.mug, 2))
    shop.till = till_sale(shop, [("TEE", 1)], [("cash", "20.00")])
    assert shop.old.shop_id is None and shop.pro_order.shop_id == shop.pro.pk
    facts.refresh_orders([shop.old.pk, shop.pro_order.pk, shop.till.pk])
    return shop


def today() -> Period:
    day = timezone.localdate()
    return Period(day, day)


def fact_revenue(**where) -> Decimal:
    return SalesFact.objects.filter(**where).aggregate(s=Sum("revenue_ttc"))["s"] or D("0")


def manager_of(*shops: Shop, **kwargs):
    user = UserFactory(role=kwargs.pop("role", Role.MANAGER), **kwargs)
    shop_services.limit_staff_to_shops(user=user, shops=shops)
    return user


def test_facts_carry_the_shop_and_the_stores_have_none(sold):
    assert set(SalesFact.objects.filter(order=sold.old).values_list("shop_id", flat=True)) == {sold.main.pk}
    assert set(SalesFact.objects.filter(order=sold.pro_order).values_list("shop_id", flat=True)) == {
        sold.pro.pk
    }
    assert set(SalesFact.objects.filter(order=sold.till).values_list("shop_id", flat=True)) == {None}
    assert set(PaymentFact.objects.filter(order=sold.pro_order).values_list("shop_id", flat=True)) == {
        sold.pro.pk
    }
    assert sorted(SalesDay.objects.values_list("shop_id", "channel", "revenue_ttc"), key=str) == sorted(
        [(sold.main.pk, "web", D("25.00")), (sold.pro.pk, "web", D("12.00")), (None, "store", D("12.50"))],
        key=str,
    )


@pytest.mark.parametrize("rebuilt", [False, True])
def test_totals_per_shop_and_overall_equal_the_facts(sold, rebuilt):
    if rebuilt:  # the SQL definition (rebuild) gives what the refreshes wrote
        facts.rebuild()
    assert facts.check().ok, facts.check().problems
    period = today()
    scopes = {
        "all": (Scope(), {}),
        "main": (Scope(shops=(sold.main.pk,)), {"shop": sold.main}),
        "pro": (Scope(shops=(sold.pro.pk,)), {"shop": sold.pro}),
        "stores": (Scope(shops=(STORES,)), {"shop__isnull": True}),
    }
    expected = {"all": D("49.50"), "main": D("25.00"), "pro": D("12.00"), "stores": D("12.50")}
    for name, (scope, where) in scopes.items():
        assert fact_revenue(**where) == expected[name], name
        assert overview.figures(period, scope).revenue_ttc == expected[name], name
        for group_by in ("channel", "product", "category", "hour", "coupon", "payment_method"):
            rows = sales.sales_rows(period, scope, group_by)
            if group_by == "payment_method":  # money taken, shipping included: the payment facts
                taken = PaymentFact.objects.filter(**where).aggregate(s=Sum("amount"))["s"] or D("0")
                assert sum((row["revenue_ttc"] for row in rows), D("0")) == taken, name
            elif group_by in ("channel", "product", "hour"):
                assert sum((row["revenue_ttc"] for row in rows), D("0")) == expected[name], (name, group_by)
    pro_products = {row["key"] for row in sales.sales_rows(period, scopes["pro"][0], "product")}
    assert pro_products == {sold.mug.product_id}
    both = Scope(shops=(sold.main.pk, sold.pro.pk))  # a member of staff with two shops
    assert overview.figures(period, both).revenue_ttc == D("37.00")
    assert overview.figures(period, Scope(location_id=sold.aja.pk, shops=(STORES,))).revenue_ttc == D("12.50")
    assert overview.figures(period, Scope(location_id=sold.aja.pk, shops=(sold.pro.pk,))).orders == 0


def test_a_new_order_rolls_up_into_its_shop(sold, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the order's events queue its refresh
        order = shop_order(sold.pro, (sold.tee, 1))
    tasks.refresh_order_facts(order_ids=[order.pk])  # what the worker runs (eager Celery ran it already)
    assert set(SalesFact.objects.filter(order=order).values_list("shop_id", flat=True)) == {sold.pro.pk}
    day = SalesDay.objects.get(shop=sold.pro, channel="web")
    assert (day.orders, day.revenue_ttc) == (2, D("24.50"))  # 2 MUG + 1 TEE
    assert SalesDay.objects.get(shop=sold.main).revenue_ttc == D("25.00")  # untouched
    month = timezone.localdate().replace(day=1)
    tee_rows = SalesCube.objects.filter(
        dimension=CubeDimension.PRODUCT, ref=sold.tee.product_id, grain=CubeGrain.MONTH, start=month
    )
    by_place = {(row.location_key, row.shop_key): row.revenue_ttc for row in tee_rows}
    assert by_place[(cube.EVERYWHERE, sold.pro.pk)] == D("12.50")
    assert by_place[(cube.EVERYWHERE, sold.main.pk)] == D("25.00")
    assert by_place[(cube.EVERYWHERE, cube.STORES)] == D("12.50")
    assert by_place[(cube.EVERYWHERE, cube.ALL_SHOPS)] == D("50.00")
    assert facts.check().ok, facts.check().problems
    assert overview.figures(today(), Scope(shops=(sold.pro.pk,))).revenue_ttc == D("24.50")
    assert overview.figures(today(), Scope()).revenue_ttc == D("62.00")


def test_scope_for_a_limited_member_of_staff(sold):
    limited = manager_of(sold.pro)
    assert scope_for(limited).shops == (sold.pro.pk,)  # a chain manager limited to pro: no till sale
    with pytest.raises(ShopForbidden):
        scope_for(limited, "main")
    with pytest.raises(ShopForbidden):
        scope_for(limited, "stores")
    store_manager = manager_of(sold.pro, role=Role.STORE_MANAGER, store=sold.aja)
    assert scope_for(store_manager).shops == (STORES, sold.pro.pk)  # their store's till sales too
    assert scope_for(store_manager).location_id == sold.aja.pk
    unlimited = UserFactory(role=Role.MANAGER)
    assert scope_for(unlimited).shops is None
    assert scope_for(unlimited, "pro").shops == (sold.pro.pk,)
    assert scope_for(unlimited, "stores").shops == (STORES,)
    with pytest.raises(UnknownShop):
        scope_for(unlimited, "nope")


def test_a_limited_member_of_staff_reads_only_their_shop_on_the_pages(sold, client):
    client.force_login(manager_of(sold.pro))
    response = client.get("/dashboard/?period=today")
    assert response.status_code == 200
    assert response.context["data"].current.revenue_ttc == D("12.00")
    assert client.get("/dashboard/?period=today&shop=main").status_code == 403
    assert client.get("/dashboard/?period=today&shop=stores").status_code == 403
    assert client.get("/dashboard/sales/?by=product&period=today&shop=main").status_code == 403
    assert client.get("/dashboard/sales/?by=channel&period=today&shop=main&export=csv").status_code == 403
    text = client.get("/dashboard/sales/?by=channel&period=today&export=csv").content.decode("utf-8-sig")
    lines = text.splitlines()
    assert (
        len(lines) == 3 and lines[1].startswith("Web (delivery);") and "12" in lines[1]
    )  # header, web, total
    assert "25" not in text and "49" not in text
    assert client.get("/dashboard/customers/").status_code == 403  # not split by shop: refused
    assert client.get("/dashboard/conversion/").status_code == 403


def test_a_limited_member_of_staff_reads_only_their_shop_on_the_api(sold, client):
    client.force_login(manager_of(sold.pro))
    body = client.get(API, {"group_by": "channel", "period": "today"}).json()
    assert [(row["key"], row["revenue_ttc"]) for row in body["rows"]] == [("web", "12.00")]
    response = client.get(API, {"group_by": "channel", "period": "today", "shop": "main"})
    assert response.status_code == 403 and response.json()["code"] == "shop_forbidden"
    response = client.get(API, {"group_by": "product", "period": "today", "shop": "stores"})
    assert response.status_code == 403
    assert client.get("/api/v1/reports/customers/").status_code == 403


def test_a_manager_picks_a_shop_and_a_bad_code_is_a_400(sold, client):
    client.force_login(UserFactory(role=Role.MANAGER))
    html = client.get("/dashboard/?period=today").content.decode()
    assert 'name="shop"' in html and "Maison Corse Pro" in html and 'value="stores"' in html
    assert 'name="shop"' not in client.get("/dashboard/conversion/").content.decode()  # not split by shop
    response = client.get("/dashboard/?period=today&shop=pro")
    assert response.context["data"].current.revenue_ttc == D("12.00")
    assert client.get("/dashboard/?period=today").context["data"].current.revenue_ttc == D("49.50")
    body = client.get(API, {"group_by": "channel", "period": "today", "shop": "stores"}).json()
    assert body["shop"] == "stores" and [(r["key"], r["revenue_ttc"]) for r in body["rows"]] == [
        ("store", "12.50")
    ]
    response = client.get(API, {"group_by": "channel", "period": "today", "shop": "nope"})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_shop" and "nope" in response.json()["message"]
    page = client.get("/dashboard/sales/?by=store&shop=nope")
    assert page.status_code == 400 and "nope" in page.content.decode()
    exported = client.get("/dashboard/sales/?by=channel&period=today&shop=pro&export=xlsx")
    from openpyxl import load_workbook

    values = list(load_workbook(io.BytesIO(exported.content)).active.values)
    assert values[1][0] == "Web (delivery)" and values[1][2] == 12 and len(values) == 3


def test_no_shop_selector_with_one_shop(shop, client):
    client.force_login(UserFactory(role=Role.MANAGER))
    assert 'name="shop"' not in client.get("/dashboard/").content.decode()


def test_the_weekly_summary_of_a_limited_member_of_staff(sold):
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    period = Period(monday, monday + dt.timedelta(days=6))
    found = weekly.summary(period, scope_for(manager_of(sold.pro)))
    assert found.data.current.revenue_ttc == D("12.00")
    assert [(row["channel"], row["revenue_ttc"]) for row in found.by_location] == [("web", D("12.00"))]
    assert [row["product__name"] for row in found.top_products] == [sold.mug.product.name]
    assert weekly.summary(period, scope_for(UserFactory(role=Role.MANAGER))).data.current.revenue_ttc == D(
        "49.50"
    )


def test_the_migration_fills_the_shops_of_existing_facts_and_regroups_the_roll_ups(sold):
    """``0009_shop``'s data step on facts written before shops (no shop anywhere, one roll-up row per
    day, location and channel): the same figures as a refresh writes."""
    from django.apps import apps
    from django.db import connection

    step = importlib.import_module("reporting.migrations.0009_shop")
    wanted = sorted(SalesDay.objects.values_list("day", "location_id", "channel", "shop_id", "revenue_ttc"))
    cube_rows = sorted(SalesCube.objects.values_list("dimension", "location_key", "shop_key", "grain", "ref"))
    for model in (SalesFact, PaymentFact, PickupFact):
        model.objects.update(shop=None)
    SalesDay.objects.all().delete()  # the step regroups them all (before: one row per day, place, channel)
    SalesCube.objects.all().delete()
    step.fill_shops(apps, types.SimpleNamespace(connection=connection))  # it uses the editor's connection
    assert (
        sorted(SalesDay.objects.values_list("day", "location_id", "channel", "shop_id", "revenue_ttc"))
        == wanted
    )
    assert (
        sorted(SalesCube.objects.values_list("dimension", "location_key", "shop_key", "grain", "ref"))
        == cube_rows
    )
    assert set(PaymentFact.objects.filter(order=sold.pro_order).values_list("shop_id", flat=True)) == {
        sold.pro.pk
    }
    assert facts.check().ok, facts.check().problems
