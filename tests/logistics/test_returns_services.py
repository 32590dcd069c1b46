"""Portal returns (RMA), the services: asking (who, which orders, how many, how long) and receiving
(stock back where received, damaged recorded, the refund follows the inspection, once only)."""

from __future__ import annotations

import pytest
from django.core import mail

from inventory import services as inventory
from logistics import services_returns as services
from logistics.returns_errors import (
    InvalidReturnRequest,
    OrderNotReturnable,
    ReturnAlreadyReceived,
    ReturnExceedsReturnable,
    ReturnOrderNotFound,
    ReturnWindowClosed,
    UnknownOrderLine,
    WrongStore,
)
from logistics.returns_models import ReturnRequest, ReturnRequestLine, ReturnRequestStatus
from orders.models import DeliveryMethod, OrderLine, OrderStatus
from orders.order_actions import OrderAction
from orders.proof import proof_barcode_value
from payments.models import Refund
from pos.models import StoreCredit
from tests.factories import UserFactory, cashier, staff, store_manager
from tests.logistics.returns_support import *  # noqa: F403
from tests.logistics.returns_support import D, age_delivery, delivered_order, on_hand, return_rows

pytestmark = pytest.mark.django_db

Line = services.ReturnLineInput


def lines_of(order):
    tee, mug = order.lines.order_by("id")
    return tee, mug


def stock_at_aja(shop):
    """Click & collect at Ajaccio takes the store's own units."""
    inventory.receive_stock(variant=shop.tee, location=shop.aja, quantity=2, reference="PO-2")


def ask(order, *items, customer=None, method="store", refund_choice="original", **kwargs):
    return services.request_return(
        order=order,
        customer=customer if customer is not None else order.customer,
        lines=list(items),
        method=method,
        refund_choice=refund_choice,
        **kwargs,
    )


# --- asking ---------------------------------------------------------------------------------------


def test_a_shopper_asks_a_store_return_and_gets_the_number_by_email(
    rshop, eager_celery, django_capture_on_commit_callbacks
):
    order = delivered_order(rshop, language="en")
    tee, _mug = lines_of(order)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rma = ask(order, Line(tee.pk, 1, "too_small", "  a size up please "))
    assert rma.number.startswith("RMA-") and len(rma.number) == len("RMA-2026-000001")
    assert rma.number.endswith("-000001")
    assert (rma.status, rma.method, rma.refund_choice, rma.customer) == (
        ReturnRequestStatus.AWAITING,
        "store",
        "original",
        rshop.shopper,
    )
    assert [(ln.order_line_id, ln.quantity, ln.reason, ln.comment) for ln in rma.lines.all()] == [
        (tee.pk, 1, "too_small", "a size up please")
    ]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.com"]
    assert message.subject == f"Your return {rma.number}"
    assert rma.number in message.body and "Bring the items to any of our stores" in message.body


def test_the_email_is_in_the_order_language(rshop, eager_celery, django_capture_on_commit_callbacks):
    order = delivered_order(rshop, language="fr")
    tee, _ = lines_of(order)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rma = ask(order, Line(tee.pk, 1, "too_small"))
    assert mail.outbox[0].extra_headers["Content-Language"] == "fr"
    assert rma.number in mail.outbox[0].subject


def test_a_click_and_collect_order_collected_can_be_returned(rshop):
    stock_at_aja(rshop)
    order = delivered_order(rshop, method=DeliveryMethod.CLICK_AND_COLLECT, tees=1, mugs=0)
    line = order.lines.get()
    rma = ask(order, Line(line.pk, 1, "changed_mind"))
    assert rma.status == ReturnRequestStatus.AWAITING


def test_only_the_orders_own_customer_may_ask(rshop):
    order = delivered_order(rshop)
    tee, _ = lines_of(order)
    with pytest.raises(ReturnOrderNotFound):
        ask(order, Line(tee.pk, 1, "too_small"), customer=UserFactory())
    assert ReturnRequest.objects.count() == 0


def test_a_guest_proves_the_order_with_its_email_or_its_check_code(rshop):
    order = delivered_order(rshop)
    tee, mug = lines_of(order)
    anonymous = None
    with pytest.raises(ReturnOrderNotFound):
        services.request_return(
            order=order, customer=anonymous, lines=[Line(tee.pk, 1, "other")], method="store", proof="x@y.z"
        )
    by_email = services.request_return(
        order=order, customer=None, lines=[Line(tee.pk, 1, "other")], method="store", proof="ANA@example.com"
    )
    by_code = services.request_return(
        order=order,
        customer=None,
        lines=[Line(mug.pk, 1, "other")],
        method="store",
        proof=proof_barcode_value(order.number),
    )
    assert ReturnRequest.objects.filter(pk__in=[by_email.pk, by_code.pk]).count() == 2


def test_an_order_not_delivered_yet_cannot_be_returned(rshop):
    order = delivered_order(rshop, complete=False)
    assert order.status == OrderStatus.PAID
    tee, _ = lines_of(order)
    with pytest.raises(OrderNotReturnable):
        ask(order, Line(tee.pk, 1, "too_small"))
    assert ReturnRequest.objects.count() == 0


def test_the_return_window_is_14_days_after_delivery(rshop, settings):
    order = delivered_order(rshop)
    tee, mug = lines_of(order)
    age_delivery(order, 13.9)
    assert ask(order, Line(tee.pk, 1, "too_small")).status == ReturnRequestStatus.AWAITING
    age_delivery(order, 14.1)
    with pytest.raises(ReturnWindowClosed) as refused:
        ask(order, Line(mug.pk, 1, "too_small"))
    assert refused.value.http_status == 409
    settings.RETURN_WINDOW_DAYS = 30
    assert ask(order, Line(mug.pk, 1, "too_small")).status == ReturnRequestStatus.AWAITING
    assert ReturnRequest.objects.count() == 2


def test_no_more_than_bought_minus_returned_minus_what_open_requests_ask(rshop):
    order = delivered_order(rshop, tees=2, mugs=1)
    tee, mug = lines_of(order)
    with pytest.raises(ReturnExceedsReturnable) as refused:
        ask(order, Line(tee.pk, 3, "too_small"))
    assert refused.value.detail["returnable"] == 2
    ask(order, Line(tee.pk, 2, "too_small"))
    with pytest.raises(ReturnExceedsReturnable) as refused:
        ask(order, Line(tee.pk, 1, "too_small"), Line(mug.pk, 1, "other"))
    assert refused.value.detail == {
        "line_id": tee.pk,
        "sku": "TEE",
        "bought": 2,
        "returnable": 0,
        "requested": 1,
    }
    assert ReturnRequest.objects.count() == 1 and ReturnRequestLine.objects.count() == 1
    assert services.returnable_quantities(order) == {tee.pk: 0, mug.pk: 1}


def test_bad_lines_are_refused_and_nothing_is_written(rshop):
    order = delivered_order(rshop)
    other = delivered_order(rshop, tees=1, mugs=0)
    tee, _ = lines_of(order)
    foreign = other.lines.get()
    cases = [
        ((Line(foreign.pk, 1, "other"),), UnknownOrderLine),
        ((Line(tee.pk, 0, "other"),), InvalidReturnRequest),
        ((Line(tee.pk, 1, "because"),), InvalidReturnRequest),
        ((Line(tee.pk, 1, "other"), Line(tee.pk, 1, "other")), InvalidReturnRequest),
        ((), InvalidReturnRequest),
    ]
    for items, error in cases:
        with pytest.raises(error):
            ask(order, *items)
    with pytest.raises(InvalidReturnRequest):
        ask(order, Line(tee.pk, 1, "other"), method="drone")
    assert ReturnRequest.objects.count() == 0


def test_post_needs_a_delivery_address(rshop):
    stock_at_aja(rshop)
    order = delivered_order(rshop, method=DeliveryMethod.CLICK_AND_COLLECT, tees=1, mugs=0)
    with pytest.raises(InvalidReturnRequest):
        ask(order, Line(order.lines.get().pk, 1, "other"), method="post")
    assert ReturnRequest.objects.count() == 0


# --- receiving ------------------------------------------------------------------------------------


def test_receiving_puts_resellable_units_back_records_damaged_ones_and_refunds_every_unit(
    rshop, eager_celery, django_capture_on_commit_callbacks
):
    order = delivered_order(rshop, tees=2, mugs=1)
    tee, mug = lines_of(order)
    rma = ask(order, Line(tee.pk, 2, "too_small"), Line(mug.pk, 1, "damaged"))
    clerk = staff()
    before_web = on_hand(rshop.tee, rshop.web)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rma = services.receive_return(
            request=rma,
            location=rshop.web,
            user=clerk,
            inspection=[(tee.pk, 1, 1), (mug.pk, 0, 1)],
        )
    assert rma.status == ReturnRequestStatus.REFUNDED
    assert (rma.received_at_location, rma.received_by, rma.refund_amount) == (rshop.web, clerk, D("31.00"))
    # one ledger row for the one resellable line; the damaged tee and mug do not come back on the shelf
    assert on_hand(rshop.tee, rshop.web) == before_web + 1
    assert return_rows(rshop.tee, rshop.web) == [("return", 1, rma.number)]
    assert return_rows(rshop.mug, rshop.web) == []
    assert [(ln.quantity_resellable, ln.quantity_damaged, ln.refund_gross) for ln in rma.lines.all()] == [
        (1, 1, D("25.00")),
        (0, 1, D("6.00")),
    ]
    tee.refresh_from_db()
    mug.refresh_from_db()
    assert (tee.quantity_returned, tee.quantity_refunded, mug.quantity_returned, mug.quantity_refunded) == (
        2,
        2,
        1,
        1,
    )
    assert [(r.amount, r.status) for r in Refund.objects.filter(payment__order=order)] == [
        (D("31.00"), "succeeded")
    ]
    action = OrderAction.objects.get(order=order, kind="refund")
    assert "damaged" in action.reason and rma.number in action.reason
    refunded = [m for m in mail.outbox if rma.number in m.subject]
    assert len(refunded) == 1 and "31,00\u00a0€" in refunded[0].body  # French: the order language
    # one message for one refund: the RMA's e-mail, not also the order's generic refund notice
    assert [m.to for m in mail.outbox] == [[order.email]]


def test_store_credit_is_issued_and_recorded_as_an_external_refund(rshop):
    order = delivered_order(rshop, tees=2, mugs=0)
    tee = order.lines.get()
    rma = ask(order, Line(tee.pk, 1, "too_large"), refund_choice="store_credit")
    rma = services.receive_return(
        request=rma, location=rshop.aja, user=store_manager(rshop.aja), inspection=[(tee.pk, 1, 0)]
    )
    credit = StoreCredit.objects.get()
    assert (credit.initial_amount, credit.balance, credit.customer) == (D("12.50"), D("12.50"), rshop.shopper)
    assert (rma.refund_amount, rma.refund_reference) == (D("12.50"), credit.code)
    assert Refund.objects.filter(payment__order=order).count() == 0
    action = OrderAction.objects.get(order=order, kind="refund")
    assert (action.via, action.external_reference, action.amount) == ("external", credit.code, D("12.50"))
    assert on_hand(rshop.tee, rshop.aja) == 1  # received at the Ajaccio store: back on its shelf


def test_a_return_cannot_be_received_twice(rshop):
    order = delivered_order(rshop, tees=1, mugs=0)
    line = order.lines.get()
    rma = ask(order, Line(line.pk, 1, "too_small"))
    services.receive_return(request=rma, location=rshop.web, user=staff(), inspection=[(line.pk, 1, 0)])
    stock, refunds = on_hand(rshop.tee, rshop.web), Refund.objects.count()
    with pytest.raises(ReturnAlreadyReceived) as refused:
        services.receive_return(request=rma, location=rshop.web, user=staff(), inspection=[(line.pk, 1, 0)])
    assert refused.value.http_status == 409
    assert (on_hand(rshop.tee, rshop.web), Refund.objects.count()) == (stock, refunds)
    assert OrderLine.objects.get(pk=line.pk).quantity_returned == 1


def test_cashiers_receive_at_their_own_store_only(rshop):
    order = delivered_order(rshop, tees=1, mugs=0)
    line = order.lines.get()
    rma = ask(order, Line(line.pk, 1, "too_small"))
    with pytest.raises(WrongStore):
        services.receive_return(
            request=rma, location=rshop.aja, user=cashier(rshop.bas), inspection=[(line.pk, 1, 0)]
        )
    with pytest.raises(WrongStore):
        services.receive_return(
            request=rma, location=rshop.aja, user=rshop.shopper, inspection=[(line.pk, 1, 0)]
        )
    assert ReturnRequest.objects.get().status == ReturnRequestStatus.AWAITING
    services.receive_return(
        request=rma, location=rshop.aja, user=cashier(rshop.aja), inspection=[(line.pk, 1, 0)]
    )
    assert ReturnRequest.objects.get().status == ReturnRequestStatus.REFUNDED


def test_more_units_than_the_request_asks_are_refused(rshop):
    order = delivered_order(rshop, tees=2, mugs=0)
    line = order.lines.get()
    rma = ask(order, Line(line.pk, 1, "too_small"))
    for inspection, error in (
        ([(line.pk, 1, 1)], ReturnExceedsReturnable),
        ([(line.pk, 0, 0)], InvalidReturnRequest),
        ([(999_999, 1, 0)], UnknownOrderLine),
        ([(line.pk, -1, 0)], InvalidReturnRequest),
    ):
        with pytest.raises(error):
            services.receive_return(request=rma, location=rshop.web, user=staff(), inspection=inspection)
    assert ReturnRequest.objects.get().status == ReturnRequestStatus.AWAITING
    assert return_rows(rshop.tee, rshop.web) == []


def test_a_received_return_frees_nothing_for_a_new_request_beyond_what_was_bought(rshop):
    order = delivered_order(rshop, tees=2, mugs=0)
    line = order.lines.get()
    rma = ask(order, Line(line.pk, 1, "too_small"))
    services.receive_return(request=rma, location=rshop.web, user=staff(), inspection=[(line.pk, 1, 0)])
    assert services.returnable_quantities(order) == {line.pk: 1}
    with pytest.raises(ReturnExceedsReturnable):
        ask(order, Line(line.pk, 2, "too_small"))
    ask(order, Line(line.pk, 1, "too_small"))
