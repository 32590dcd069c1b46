"""Order admin: the pickup actions call the services and report refusals; lists stay cheap."""

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from orders import services
from orders.models import DeliveryMethod, Order, OrderStatus
from orders.services import pickup
from tests.factories import store_manager
from tests.orders.pickup_support import *  # noqa: F403
from tests.orders.pickup_support import level, place

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:orders_order_changelist"


@pytest.fixture(autouse=True)
def _english(client, admin_client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def paid(shop, **kwargs):
    return services.transition_order(order=place(shop, **kwargs), to_status=OrderStatus.PAID)


def run_action(client, action, orders):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [o.pk for o in orders], "index": 0},
    )


def test_mark_ready_for_pickup_action_moves_the_pickups_and_reports_the_rest(admin_client, shop):
    pickup_order = paid(shop, tees=1, mugs=0)
    parcel = paid(shop, method=DeliveryMethod.HOME, tees=1, mugs=0)
    unpaid = place(shop, tees=1, mugs=0)

    response = run_action(admin_client, "mark_ready_for_pickup", [pickup_order, parcel, unpaid])

    assert response.status_code == 302
    assert messages_of(response) == [
        f"Ready for pickup: 1 order ({pickup_order.number}).",
        f"Refused: {parcel.number}: Order {parcel.number} is not a click & collect order.",
        f"Refused: {unpaid.number}: Order {unpaid.number} is awaiting payment; "
        "it cannot become ready_for_pickup.",
    ]
    assert dict(Order.objects.values_list("number", "status")) == {
        pickup_order.number: OrderStatus.READY_FOR_PICKUP,
        parcel.number: OrderStatus.PAID,
        unpaid.number: OrderStatus.PENDING_PAYMENT,
    }


def test_mark_collected_action_sells_the_units(admin_client, admin_user, shop):
    ready = pickup.mark_ready_for_pickup(order=paid(shop, tees=2, mugs=0), user=admin_user)
    not_ready = paid(shop, tees=1, mugs=0)

    response = run_action(admin_client, "mark_collected", [ready, not_ready])

    assert messages_of(response) == [
        f"Collected: 1 order ({ready.number}).",
        f"Refused: {not_ready.number}: Order {not_ready.number} is paid, not ready for pickup.",
    ]
    assert Order.objects.get(pk=ready.pk).status == OrderStatus.COMPLETED
    assert level(shop.tee, shop.aja) == (3, 1)  # 2 sold, 1 still held for the paid order


def test_a_store_manager_may_not_hand_over_another_stores_order(client, shop):
    bastia_manager = store_manager(shop.bas)
    bastia_manager.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(bastia_manager)
    order = paid(shop, tees=1, mugs=0)

    response = run_action(client, "mark_ready_for_pickup", [order])

    # another store's order is not in a store manager's list (accounts.admin_scope): the action gets none
    assert messages_of(response) == []
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert order.status_changes.count() == 2


def test_the_order_list_filters_by_status_method_and_location_in_constant_queries(
    admin_client, shop, django_assert_max_num_queries
):
    paid(shop, tees=1, mugs=0)
    page = admin_client.get(reverse(CHANGELIST), {"status": "paid"})
    assert page.status_code == 200
    for _ in range(3):
        paid(shop, tees=0, mugs=1, method=DeliveryMethod.HOME)
    with django_assert_max_num_queries(10):
        page = admin_client.get(
            reverse(CHANGELIST),
            {"status__exact": "paid", "delivery_method__exact": "home", "location__id__exact": shop.aja.pk},
        )
    assert page.status_code == 200
    assert page.context["cl"].result_count == 3
    actions = [choice[0] for choice in page.context["action_form"].fields["action"].choices]
    assert "mark_ready_for_pickup" in actions and "mark_collected" in actions


@pytest.mark.parametrize("mugs", [0, 3])
def test_the_order_page_shows_the_notification_log(admin_client, shop, django_assert_max_num_queries, mugs):
    order = paid(shop, tees=1, mugs=mugs)  # one line or two: the same number of queries
    from orders import notifications

    notifications.send_order_email(order_id=order.pk, kind="confirmation")
    with django_assert_max_num_queries(10):
        page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert page.status_code == 200
    assert "Order confirmation" in page.content.decode()
