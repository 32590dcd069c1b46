"""Order status changes publish orders.events after commit: the subscription point of the apps above."""

import pytest

from core import events
from orders import events as order_events
from orders import services
from orders.models import DeliveryMethod, OrderStatus
from orders.services.status_effects import STATUS_EFFECTS, StockEffect, effects_for
from tests.factories import staff
from tests.orders.pickup_support import *  # noqa: F403
from tests.orders.pickup_support import place

pytestmark = pytest.mark.django_db

C_AND_C = DeliveryMethod.CLICK_AND_COLLECT
HOME = DeliveryMethod.HOME


@pytest.fixture
def delivered():
    """Subscribers that record what reached them after commit."""
    seen: list = []

    def record(event):
        seen.append(event)

    kinds = [
        order_events.OrderPaid,
        order_events.OrderReadyForPickup,
        order_events.OrderShipped,
        order_events.OrderDelivered,
        order_events.OrderCollected,
        order_events.OrderCancelled,
        order_events.OrderRefunded,
    ]
    for kind in kinds:
        events.subscribe(kind, record)
    yield seen
    for kind in kinds:
        events.unsubscribe(kind, record)


def names(seen) -> list[str]:
    return [event.name for event in seen]


def test_a_home_order_publishes_paid_shipped_delivered_after_each_commit(
    shop, delivered, django_capture_on_commit_callbacks
):
    clerk = staff()
    order = place(shop, method=HOME, tees=1)
    for status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED):
        with django_capture_on_commit_callbacks(execute=True):
            services.transition_order(order=order, to_status=status, user=clerk)
    assert names(delivered) == ["order.paid", "order.shipped", "order.delivered"]
    paid = delivered[0]
    assert (paid.order_id, paid.number, paid.channel, paid.delivery_method) == (
        order.pk,
        order.number,
        "web",
        HOME,
    )
    assert (paid.from_status, paid.to_status, paid.user_id) == ("pending_payment", "paid", clerk.pk)


def test_a_click_and_collect_order_publishes_ready_then_collected(
    shop, delivered, django_capture_on_commit_callbacks
):
    order = place(shop, method=C_AND_C, tees=1)
    with django_capture_on_commit_callbacks(execute=True):
        for status in (OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP, OrderStatus.COMPLETED):
            services.transition_order(order=order, to_status=status)
    assert names(delivered) == ["order.paid", "order.ready_for_pickup", "order.collected"]


def test_a_refused_move_publishes_nothing(shop, delivered, django_capture_on_commit_callbacks):
    order = place(shop, method=HOME, tees=1)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.InvalidTransition):
        services.transition_order(order=order, to_status=OrderStatus.SHIPPED)
    assert delivered == []


def test_cancelling_an_unpaid_order_publishes_cancelled(shop, delivered, django_capture_on_commit_callbacks):
    order = place(shop, method=HOME, tees=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition_order(order=order, to_status=OrderStatus.CANCELLED)
    assert names(delivered) == ["order.cancelled"]


def test_the_table_declares_an_event_for_every_status_an_order_can_reach():
    reachable = {s for targets in services.ALLOWED_TRANSITIONS.values() for s in targets}
    for status in reachable:
        for method in (HOME, C_AND_C):
            if status in services.placing.STATUSES_NOT_FOR_METHOD[method]:
                continue
            assert effects_for(to_status=status, delivery_method=method).event is not None, (status, method)
    # The stock effects are the ones transition_order documents.
    assert STATUS_EFFECTS[(OrderStatus.PAID, HOME)].stock is StockEffect.COMMIT
    assert STATUS_EFFECTS[(OrderStatus.PAID, C_AND_C)].stock is StockEffect.HOLD
    assert effects_for(to_status=OrderStatus.REFUNDED, delivery_method=HOME).stock is StockEffect.RELEASE
