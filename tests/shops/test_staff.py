"""Staff limited to some shops (shops.StaffShopAccess) see only those shops' orders and carts."""

from __future__ import annotations

import pytest

from orders.models import Cart, Channel, DeliveryMethod, Order, OrderStatus
from shops import selectors as shop_selectors
from shops import services as shop_services
from tests.factories import LocationFactory, staff

pytestmark = pytest.mark.django_db


def order(number: str, *, shop_id, location) -> Order:
    return Order.objects.create(
        number=number,
        channel=Channel.WEB,
        status=OrderStatus.PAID,
        delivery_method=DeliveryMethod.HOME,
        location=location,
        currency="EUR",
        shop_id=shop_id,
    )


@pytest.fixture
def setup(db):
    warehouse = LocationFactory(code="WEB", name="Warehouse")
    pro = shop_services.create_shop(code="pro", name="Maison Corse Pro", hosts=["pro.localhost"])
    main_id = shop_selectors.default_shop().id
    order("W-MAIN", shop_id=main_id, location=warehouse)
    order("W-OLD", shop_id=None, location=warehouse)  # before shops: the default shop's
    order("W-PRO", shop_id=pro.pk, location=warehouse)
    Cart.objects.create(currency="EUR", shop_id=pro.pk)
    Cart.objects.create(currency="EUR", shop_id=main_id)
    return pro


def numbers(response) -> list[str]:
    return sorted(o.number for o in response.context["cl"].result_list)


def test_staff_limited_to_a_shop_see_only_its_orders_and_carts(client, setup):
    member = staff()
    shop_services.limit_staff_to_shops(user=member, shops=[setup])
    client.force_login(member)
    assert numbers(client.get("/admin/orders/order/")) == ["W-PRO"]
    carts = client.get("/admin/orders/cart/").context["cl"].result_list
    assert [c.shop_id for c in carts] == [setup.pk]


def test_staff_without_a_limit_see_every_shop_and_can_filter_by_shop(client, setup):
    client.force_login(staff())
    assert numbers(client.get("/admin/orders/order/")) == ["W-MAIN", "W-OLD", "W-PRO"]
    assert numbers(client.get(f"/admin/orders/order/?shop__id__exact={setup.pk}")) == ["W-PRO"]


def test_the_default_shop_staff_also_see_the_orders_from_before_shops(client, setup):
    member = staff()
    main = shop_selectors.default_shop()
    from shops.models import Shop

    shop_services.limit_staff_to_shops(user=member, shops=[Shop.objects.get(pk=main.id)])
    client.force_login(member)
    assert numbers(client.get("/admin/orders/order/")) == ["W-MAIN", "W-OLD"]
