"""orders.services.after_sales: cancel before shipping, refund part of a shipped order, goods back,
messages again. Exact figures, the stock and the money of each, and every refusal leaves nothing."""

from decimal import Decimal

import pytest
from django.core import mail

from core import events
from inventory.models import Reservation, ReservationStatus
from orders import services
from orders.errors import (
    ActionKeyReused,
    ExceedsOrdered,
    InvalidLineQuantity,
    InvalidRefundAmount,
    InvalidRefundVia,
    NotCancellable,
    NothingToRefund,
    NotRefundable,
    OrderNotReturnable,
    PartialCancelNotAllowed,
    ReasonRequired,
    RefundExceedsCaptured,
    ReturnExceedsDelivered,
    ShippingAlreadyRefunded,
    UnitsBeyondRecall,
    UnknownNotification,
    UnknownOrderLine,
)
from orders.events import OrderLinesCancelled, OrderPartRefunded
from orders.models import DeliveryMethod, NotificationLog, Order, OrderAction, OrderStatus
from orders.services import LineQuantity, line_refund_amount
from payments.models import Payment, PaymentStatus, Refund, RefundStatus
from tests.factories import staff
from tests.orders.after_sales_support import (
    D,
    FakeFulfilment,
    line_of,
    place_discounted,
    registered,
    snapshot,
)
from tests.orders.pickup_support import *  # noqa: F403
from tests.orders.pickup_support import level, pay_with_test_provider, reasons

pytestmark = pytest.mark.django_db

HOME = DeliveryMethod.HOME
C_AND_C = DeliveryMethod.CLICK_AND_COLLECT


@pytest.fixture
def run_after_commit(eager_celery, django_capture_on_commit_callbacks):
    """After-commit work (outbox tasks: refunds, e-mails) runs in-process when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def refunds() -> list[tuple[Decimal, str, str]]:
    return list(Refund.objects.order_by("created_at", "pk").values_list("amount", "status", "key"))


def shipped(order: Order, user=None) -> Order:
    return services.transition_order(order=order, to_status=OrderStatus.SHIPPED, user=user)


def delivered(order: Order) -> Order:
    return services.transition_order(order=shipped(order), to_status=OrderStatus.COMPLETED)


# --- the rounding rule ------------------------------------------------------------------------------


def test_the_parts_of_a_line_add_up_to_its_total(shop):
    tee = line_of(place_discounted(shop), "TEE")
    assert tee.total_gross == D("36.64") and tee.quantity == 3
    parts = [line_refund_amount(tee, before=n, quantity=1) for n in range(3)]
    assert parts == [D("12.21"), D("12.22"), D("12.21")]
    assert line_refund_amount(tee, before=1, quantity=2) == D("24.43")
    assert sum(parts) == tee.total_gross


# --- cancel -------------------------------------------------------------------------------------------


def test_cancelling_one_unit_of_a_paid_parcel_returns_it_to_stock_and_refunds_exactly_its_price(
    shop, run_after_commit
):
    user = staff()
    order = pay_with_test_provider(place_discounted(shop))
    assert order.total_gross == D("47.40") and level(shop.tee, shop.aja) == (2, 0)
    tee = line_of(order, "TEE")

    with run_after_commit(), events.recorded() as seen:
        action = services.cancel_order(
            order=order, lines=[LineQuantity(tee.pk, 1)], user=user, reason="out of stock colour"
        )

    assert (action.kind, action.amount, action.shipping_amount, action.via) == (
        "cancel",
        D("12.21"),
        D("0"),
        "original",
    )
    assert action.lines == [{"line_id": tee.pk, "sku": "TEE", "quantity": 1, "amount": "12.21"}]
    assert (action.user, action.reason) == (user, "out of stock colour")
    tee.refresh_from_db()
    assert (tee.quantity_cancelled, tee.quantity_refunded, tee.refunded_gross) == (1, 0, D("12.21"))
    order.refresh_from_db()
    assert (order.status, order.refunded_gross, order.shipping_refunded) == (
        OrderStatus.PAID,
        D("12.21"),
        D("0"),
    )
    # The unit was sold at payment: it goes back on the shelf where it was reserved.
    assert level(shop.tee, shop.aja) == (3, 0)
    assert reasons(shop.tee, shop.aja)[-1] == ("return", 1, 0)
    # The money goes back to the payment after commit; the payment stays captured for the rest.
    assert refunds() == [(D("12.21"), RefundStatus.SUCCEEDED, f"order-action-{action.pk}")]
    assert action.refund_ids == [Refund.objects.get().pk]
    assert Payment.objects.get().status == PaymentStatus.CAPTURED
    ours = [e for e in seen if isinstance(e, (OrderPartRefunded, OrderLinesCancelled))]
    assert [type(e) for e in ours] == [OrderPartRefunded, OrderLinesCancelled]
    assert ours[1].lines == ((tee.pk, 1),) and ours[0].amount == "12.21"
    [email] = mail.outbox  # in the order's language (fr): amounts as the French write them
    assert order.number in email.subject and "12,21\u00a0€" in email.body
    assert NotificationLog.objects.get(kind="refund").reference == str(action.pk)


def test_cancelling_the_rest_refunds_the_lines_and_the_shipping_and_cancels_the_order_without_double_refund(
    shop, run_after_commit
):
    order = pay_with_test_provider(place_discounted(shop))
    tee = line_of(order, "TEE")
    with run_after_commit():
        services.cancel_order(order=order, lines=[LineQuantity(tee.pk, 1)], user=None, reason="first")
    mail.outbox.clear()

    with run_after_commit():
        action = services.cancel_order(order=order, lines=None, user=None, reason="shopper asked")

    # 2 tees after the first: 36.64 - 12.21 = 24.43; the mug 5.86; the shipping 4.90.
    assert (action.amount, action.shipping_amount) == (D("35.19"), D("4.90"))
    assert [(row["sku"], row["quantity"], row["amount"]) for row in action.lines] == [
        ("TEE", 2, "24.43"),
        ("MUG", 1, "5.86"),
    ]
    order.refresh_from_db()
    assert (order.status, order.refunded_gross, order.shipping_refunded) == (
        OrderStatus.CANCELLED,
        D("47.40"),
        D("4.90"),
    )
    assert [r[:2] for r in refunds()] == [(D("12.21"), "succeeded"), (D("35.19"), "succeeded")]
    assert sum(r[0] for r in refunds()) == order.total_gross  # the cancellation refunded nothing twice
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
    assert level(shop.tee, shop.aja) == (5, 0) and level(shop.mug, shop.aja) == (3, 0)
    assert [e.subject for e in mail.outbox] == [f"Votre commande {order.number} a été annulée"]


def test_cancelling_part_of_a_held_click_and_collect_order_releases_only_those_units(shop, run_after_commit):
    order = pay_with_test_provider(place_discounted(shop, method=C_AND_C))
    assert order.total_gross == D("42.50") and level(shop.tee, shop.aja) == (5, 3)
    tee = line_of(order, "TEE")

    with run_after_commit():
        action = services.cancel_order(order=order, lines=[LineQuantity(tee.pk, 2)], user=None, reason="r")

    assert action.amount == D("24.43")  # 12.21 + 12.22
    assert level(shop.tee, shop.aja) == (5, 1)
    reservation = Reservation.objects.get(pk=tee.reservation_id)
    assert (reservation.status, reservation.quantity) == (ReservationStatus.ACTIVE, 1)
    assert reasons(shop.tee, shop.aja)[-1] == ("reservation_released", 0, -2)

    with run_after_commit():
        services.cancel_order(order=order, lines=None, user=None, reason="r")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.refunded_gross == D("42.50")
    assert level(shop.tee, shop.aja) == (5, 0) and level(shop.mug, shop.aja) == (3, 0)
    assert sum(r[0] for r in refunds()) == D("42.50")


def test_an_order_awaiting_payment_is_cancelled_whole_with_no_refund(shop, run_after_commit):
    order = place_discounted(shop)
    tee = line_of(order, "TEE")
    before = snapshot(order)
    with pytest.raises(PartialCancelNotAllowed):
        services.cancel_order(order=order, lines=[LineQuantity(tee.pk, 1)], user=None, reason="r")
    assert snapshot(order) == before

    with run_after_commit():
        action = services.cancel_order(order=order, lines=None, user=None, reason="abandoned")

    assert action.amount == D("0") and action.via == ""
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.refunded_gross == D("0")
    assert level(shop.tee, shop.aja) == (5, 0) and refunds() == []


def test_the_same_key_cancels_once(shop, run_after_commit):
    order = pay_with_test_provider(place_discounted(shop))
    tee = line_of(order, "TEE")
    with run_after_commit():
        first = services.cancel_order(
            order=order, lines=[LineQuantity(tee.pk, 1)], user=None, reason="r", key="k"
        )
        again = services.cancel_order(
            order=order, lines=[LineQuantity(tee.pk, 1)], user=None, reason="r", key="k"
        )
    assert first.pk == again.pk and OrderAction.objects.count() == 1
    assert line_of(order, "TEE").quantity_cancelled == 1 and len(refunds()) == 1
    with pytest.raises(ActionKeyReused):
        services.refund_order_part(order=order, amount=D("1.00"), reason="r", user=None, key="k")


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        (lambda o: [LineQuantity(line_of(o, "TEE").pk, 4)], ExceedsOrdered),
        (
            lambda o: [LineQuantity(line_of(o, "TEE").pk, 2), LineQuantity(line_of(o, "TEE").pk, 2)],
            ExceedsOrdered,
        ),
        (lambda o: [LineQuantity(999_999, 1)], UnknownOrderLine),
        (lambda o: [LineQuantity(line_of(o, "TEE").pk, 0)], InvalidLineQuantity),
        (lambda o: [], InvalidLineQuantity),
    ],
)
def test_a_refused_cancellation_writes_nothing(shop, lines, error):
    order = pay_with_test_provider(place_discounted(shop))
    before = snapshot(order)
    with pytest.raises(error) as caught:
        services.cancel_order(order=order, lines=lines(order), user=None, reason="r")
    assert 400 <= caught.value.http_status < 500
    assert snapshot(order) == before


def test_units_packed_or_shipped_cannot_be_cancelled(shop):
    order = pay_with_test_provider(place_discounted(shop))
    tee = line_of(order, "TEE")
    before = snapshot(order)
    with registered(FakeFulfilment(beyond={tee.pk: 2})), pytest.raises(UnitsBeyondRecall) as caught:
        services.cancel_order(order=order, lines=[LineQuantity(tee.pk, 2)], user=None, reason="r")
    assert caught.value.http_status == 409
    assert caught.value.detail["lines"] == [
        {"line_id": tee.pk, "sku": "TEE", "requested": 2, "beyond_recall": 2}
    ]
    assert snapshot(order) == before
    with registered(FakeFulfilment(beyond={tee.pk: 2})), pytest.raises(UnitsBeyondRecall):
        services.cancel_order(order=order, lines=None, user=None, reason="r")
    assert snapshot(order) == before


def test_a_shipped_order_cannot_be_cancelled(shop):
    order = shipped(pay_with_test_provider(place_discounted(shop)))
    before = snapshot(order)
    with pytest.raises(NotCancellable):
        services.cancel_order(order=order, lines=None, user=None, reason="r")
    assert snapshot(order) == before


def test_a_paid_parcel_cannot_be_cancelled_behind_cancel_orders_back(shop):
    """transition_order(CANCELLED) on sold units would lose them: only cancel_order may."""
    order = pay_with_test_provider(place_discounted(shop))
    before = snapshot(order)
    with pytest.raises(services.InvalidTransition):
        services.transition_order(order=order, to_status=OrderStatus.CANCELLED)
    assert snapshot(order) == before


# --- refund part of a shipped order ---------------------------------------------------------------


def test_refunding_a_unit_and_the_shipping_of_a_delivered_order(shop, run_after_commit):
    user = staff()
    order = delivered(pay_with_test_provider(place_discounted(shop)))
    tee = line_of(order, "TEE")
    mail.outbox.clear()

    with run_after_commit(), events.recorded() as seen:
        action = services.refund_order_part(
            order=order, lines=[LineQuantity(tee.pk, 1)], shipping=True, reason="parcel late", user=user
        )

    assert (action.kind, action.amount, action.shipping_amount) == ("refund", D("17.11"), D("4.90"))
    tee.refresh_from_db()
    assert (tee.quantity_refunded, tee.refunded_gross) == (1, D("12.21"))
    order.refresh_from_db()
    assert (order.status, order.refunded_gross, order.shipping_refunded) == (
        OrderStatus.COMPLETED,
        D("17.11"),
        D("4.90"),
    )
    assert refunds() == [(D("17.11"), RefundStatus.SUCCEEDED, f"order-action-{action.pk}")]
    assert [type(e) for e in seen] == [OrderPartRefunded]
    assert (seen[0].amount, seen[0].action_id, seen[0].user_id) == ("17.11", action.pk, user.pk)
    [email] = mail.outbox
    assert "17,11\u00a0€" in email.body and "4,90\u00a0€" in email.body
    assert "1 x TEE: 12,21\u00a0€" in email.body
    assert level(shop.tee, shop.aja) == (2, 0)  # a refund moves no stock

    with pytest.raises(ShippingAlreadyRefunded):
        services.refund_order_part(order=order, shipping=True, reason="again", user=user)


def test_a_free_amount_needs_a_reason_and_fits_what_is_left(shop, run_after_commit):
    order = delivered(pay_with_test_provider(place_discounted(shop)))
    before = snapshot(order)
    with pytest.raises(ReasonRequired):
        services.refund_order_part(order=order, amount=D("5.00"), reason=" ", user=None)
    with pytest.raises(RefundExceedsCaptured) as caught:
        services.refund_order_part(order=order, amount=D("47.41"), reason="goodwill", user=None)
    assert caught.value.http_status == 409
    assert caught.value.detail["refundable"] == "47.40"
    assert snapshot(order) == before

    with run_after_commit():
        action = services.refund_order_part(order=order, amount=D("5.00"), reason="goodwill", user=None)
    assert (action.amount, action.lines) == (D("5.00"), [])
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED


def test_refunding_every_unit_makes_the_order_refunded(shop, run_after_commit):
    order = delivered(pay_with_test_provider(place_discounted(shop)))
    tee, mug = line_of(order, "TEE"), line_of(order, "MUG")
    with run_after_commit():
        services.refund_order_part(order=order, lines=[LineQuantity(tee.pk, 3)], reason="r", user=None)
        services.refund_order_part(
            order=order, lines=[LineQuantity(mug.pk, 1)], shipping=True, reason="r", user=None
        )
    order.refresh_from_db()
    assert (order.status, order.refunded_gross) == (OrderStatus.REFUNDED, D("47.40"))
    assert [r[0] for r in refunds()] == [D("36.64"), D("10.76")]
    assert Payment.objects.get().status == PaymentStatus.REFUNDED


def test_a_shipped_order_refunded_whole_becomes_refunded(shop, run_after_commit):
    order = shipped(pay_with_test_provider(place_discounted(shop, mugs=0)))
    tee = line_of(order, "TEE")
    with run_after_commit():
        services.refund_order_part(
            order=order, lines=[LineQuantity(tee.pk, 3)], reason="lost parcel", user=None
        )
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED


def test_an_external_refund_is_recorded_without_asking_the_provider(shop, run_after_commit):
    order = delivered(pay_with_test_provider(place_discounted(shop)))
    mug = line_of(order, "MUG")
    with run_after_commit():
        action = services.refund_order_part(
            order=order,
            lines=[LineQuantity(mug.pk, 1)],
            reason="store credit",
            user=None,
            via="external",
            external_reference="SC-ABCD",
        )
    assert (action.via, action.external_reference, action.amount, action.refund_ids) == (
        "external",
        "SC-ABCD",
        D("5.86"),
        [],
    )
    assert refunds() == [] and Order.objects.get(pk=order.pk).refunded_gross == D("5.86")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"amount": D("0")}, InvalidRefundAmount),
        ({"amount": D("1.001")}, InvalidRefundAmount),
        ({}, NothingToRefund),
        ({"amount": D("1.00"), "via": "cash"}, InvalidRefundVia),
        ({"lines": "tee4"}, ExceedsOrdered),
    ],
)
def test_a_refused_refund_writes_nothing(shop, kwargs, error):
    order = delivered(pay_with_test_provider(place_discounted(shop)))
    if kwargs.get("lines") == "tee4":
        kwargs = {"lines": [LineQuantity(line_of(order, "TEE").pk, 4)]}
    before = snapshot(order)
    with pytest.raises(error) as caught:
        services.refund_order_part(order=order, reason="r", user=None, **kwargs)
    assert 400 <= caught.value.http_status < 500
    assert snapshot(order) == before


def test_a_paid_order_not_shipped_is_cancelled_not_refunded(shop):
    order = pay_with_test_provider(place_discounted(shop))
    before = snapshot(order)
    with pytest.raises(NotRefundable):
        services.refund_order_part(order=order, amount=D("1.00"), reason="r", user=None)
    assert snapshot(order) == before


def test_the_payments_ceiling_holds_when_the_order_has_less_captured(shop, run_after_commit):
    """The order says 47.40 may go back; the payment has 40.00 left after a refund made elsewhere."""
    from payments import services as payments

    order = delivered(pay_with_test_provider(place_discounted(shop)))
    payments.refund_amount(order=order, amount=D("7.40"), key="elsewhere", reason="by hand")
    before = snapshot(order)
    with pytest.raises(RefundExceedsCaptured):
        services.refund_order_part(order=order, amount=D("45.00"), reason="goodwill", user=None)
    assert snapshot(order) == before


# --- goods back ------------------------------------------------------------------------------------


def test_returned_lines_are_counted_and_more_than_delivered_refused(shop):
    user = staff()
    order = delivered(pay_with_test_provider(place_discounted(shop)))
    tee = line_of(order, "TEE")
    services.record_returned_lines(order=order, lines=[LineQuantity(tee.pk, 2)], reference="RMA-1", user=user)
    tee.refresh_from_db()
    assert tee.quantity_returned == 2
    action = OrderAction.objects.get()
    assert (action.kind, action.external_reference, action.amount, action.user) == (
        "return",
        "RMA-1",
        0,
        user,
    )

    before = snapshot(order)
    with pytest.raises(ReturnExceedsDelivered) as caught:
        services.record_returned_lines(
            order=order, lines=[LineQuantity(tee.pk, 2)], reference="RMA-2", user=user
        )
    assert caught.value.detail["returnable"] == 1
    assert snapshot(order) == before


def test_goods_of_an_order_not_shipped_cannot_come_back(shop):
    order = pay_with_test_provider(place_discounted(shop))
    before = snapshot(order)
    with pytest.raises(OrderNotReturnable):
        services.record_returned_lines(
            order=order, lines=[LineQuantity(line_of(order, "TEE").pk, 1)], reference="x", user=None
        )
    assert snapshot(order) == before


def test_cancelled_units_cannot_come_back(shop, run_after_commit):
    order = pay_with_test_provider(place_discounted(shop))
    tee = line_of(order, "TEE")
    with run_after_commit():
        services.cancel_order(order=order, lines=[LineQuantity(tee.pk, 1)], user=None, reason="r")
    order = delivered(order)
    with pytest.raises(ReturnExceedsDelivered):
        services.record_returned_lines(order=order, lines=[LineQuantity(tee.pk, 3)], reference="x", user=None)


# --- messages again ----------------------------------------------------------------------------------


def test_staff_send_the_confirmation_again(shop, run_after_commit):
    user = staff()
    with run_after_commit():
        order = pay_with_test_provider(place_discounted(shop))
    assert len(mail.outbox) == 1
    with run_after_commit():
        log = services.resend_notification(order=order, kind="confirmation", channel="email", user=user)
    assert log.reference.startswith("resend-") and len(mail.outbox) == 2
    assert mail.outbox[0].subject == mail.outbox[1].subject
    log.refresh_from_db()
    assert log.sent_at is not None
    action = OrderAction.objects.get()
    assert (action.kind, action.reason, action.user) == ("notification", "confirmation by email", user)


def test_a_resend_replayed_with_its_key_sends_nothing_more(shop, run_after_commit):
    user = staff()
    with run_after_commit():
        order = pay_with_test_provider(place_discounted(shop))
    with run_after_commit():
        first = services.resend_notification(
            order=order, kind="confirmation", channel="email", user=user, key="k1"
        )
    with run_after_commit():
        again = services.resend_notification(
            order=order, kind="confirmation", channel="email", user=user, key="k1"
        )
    assert again.pk == first.pk and len(mail.outbox) == 2  # the confirmation, then one resend
    assert OrderAction.objects.filter(kind="notification").count() == 1


@pytest.mark.parametrize(
    ("kind", "channel"), [("delivered", "email"), ("confirmation", "sms"), ("nope", "email")]
)
def test_a_message_the_order_never_had_is_not_sent_again(shop, run_after_commit, kind, channel):
    with run_after_commit():
        order = pay_with_test_provider(place_discounted(shop))
    before = snapshot(order)
    with pytest.raises(UnknownNotification):
        services.resend_notification(order=order, kind=kind, channel=channel, user=staff())
    assert snapshot(order) == before
