"""Order status changes publish orders.events after commit: the subscription point of the apps above."""

from decimal import Decimal

import pytest

from core import events
from core.errors import ValidationFailed
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


# --- the till: orders records the sale, publishes store_sale.completed and .returned ---------------


def test_a_store_order_is_written_by_orders_and_published(shop, django_capture_on_commit_callbacks):
    from orders.models import OrderStatusChange
    from orders.services.store import StoreOrderLine, record_store_order

    seen = []
    events.subscribe(order_events.StoreSaleCompleted, seen.append)
    cashier = staff()
    line = StoreOrderLine(
        variant=shop.tee,
        sku="TEE",
        name="Tee",
        quantity=2,
        unit_price_net=Decimal("10.4150"),
        vat_rate=Decimal("0.2000"),
        discount_gross=Decimal("0.00"),
        total_net=Decimal("20.83"),
        total_vat=Decimal("4.17"),
        total_gross=Decimal("25.00"),
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            order = record_store_order(
                store=shop.aja,
                cashier=cashier,
                lines=[line],
                customer=None,
                reference="u-1",
                note="sold at R1",
            )
    finally:
        events.unsubscribe(order_events.StoreSaleCompleted, seen.append)
    assert (order.channel, order.status, order.delivery_method) == ("store", "completed", "in_store")
    assert (order.total_gross, order.total_net, order.total_vat) == (
        Decimal("25.00"),
        Decimal("20.83"),
        Decimal("4.17"),
    )
    assert order.number.startswith("S") and order.lines.count() == 1
    assert list(OrderStatusChange.objects.filter(order=order).values_list("to_status", "note")) == [
        ("completed", "sold at R1")
    ]
    assert [(e.name, e.order_id, e.user_id) for e in seen] == [("store_sale.completed", order.pk, cashier.pk)]


def test_a_store_order_line_that_does_not_add_up_is_refused_and_nothing_is_written(shop):
    from orders.models import Order
    from orders.services.store import StoreOrderLine, record_store_order

    bad = StoreOrderLine(
        variant=shop.tee,
        sku="TEE",
        name="Tee",
        quantity=1,
        unit_price_net=Decimal("10.4150"),
        vat_rate=Decimal("0.2000"),
        discount_gross=Decimal("0.00"),
        total_net=Decimal("10.42"),
        total_vat=Decimal("2.00"),
        total_gross=Decimal("12.50"),
    )
    with pytest.raises(services.EmptyOrder):
        record_store_order(store=shop.aja, cashier=staff(), lines=[], customer=None, reference="x", note="")
    with pytest.raises(ValidationFailed):
        record_store_order(
            store=shop.aja, cashier=staff(), lines=[bad], customer=None, reference="y", note=""
        )
    assert not Order.objects.filter(channel="store").exists()
