"""Credit notes of the daily run: partial refunds, till returns (store sales and web orders), whole
cancellations after invoicing; each references the invoice it credits, each source credited once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from invoicing.models import DocumentKind, Invoice, InvoiceLine
from invoicing.services.daily_run import run_day
from invoicing.services.issuing import Draft, DraftLine, issue_document
from orders import services
from orders.models import DeliveryMethod, OrderAction, OrderStatus
from orders.services import LineQuantity
from pos.models import Return
from tests.invoicing.conftest import deliver, on_day, today

pytestmark = pytest.mark.django_db

D = Decimal
DAY = dt.timedelta(days=1)
YESTERDAY = None  # set per test: today() - DAY


def credit_lines(note: Invoice) -> list[tuple]:
    return [
        (l.source_key, l.sku, l.quantity, l.vat_rate, l.total_net, l.total_vat, l.total_gross)
        for l in note.lines.order_by("position")  # noqa: E741
    ]


def invoiced_yesterday(order) -> Invoice:
    on_day(order, today() - DAY)
    run_day(business_date=today() - DAY)
    return Invoice.objects.filter(kind=DocumentKind.INVOICE, lines__order=order).distinct().get()


def test_a_partial_refund_after_invoicing_is_credited_referencing_the_invoice(shop, customer, web_order):
    order = web_order(customer, [(shop.tee, 2), (shop.book, 1)], shipping="4.90")
    invoice = invoiced_yesterday(order)
    order = deliver(order)
    tee = order.lines.get(sku="TEE")
    action = services.refund_order_part(
        order=order, lines=[LineQuantity(tee.pk, 1)], amount=D("3.00"), reason="late delivery", user=None
    )

    result = run_day(business_date=today())

    assert (result.invoices, result.credit_notes) == (0, 1)
    note = Invoice.objects.get(kind=DocumentKind.CREDIT_NOTE)
    assert note.credited_invoice == invoice and note.number == f"AV-{today().year}-000001"
    assert (note.customer, note.customer_name, note.billing_address) == (
        customer,
        invoice.customer_name,
        invoice.billing_address,
    )
    # 3.00 spread over what was invoiced per rate: 10.55 at 5.5 %, 29.90 at 20 %.
    assert credit_lines(note) == [
        (f"action:{action.pk}:line:{tee.pk}", "TEE", D("1"), D("0.2000"), D("10.42"), D("2.08"), D("12.50")),
        (f"action:{action.pk}:amount:0.0550", "", D("1"), D("0.0550"), D("0.74"), D("0.04"), D("0.78")),
        (f"action:{action.pk}:amount:0.2000", "", D("1"), D("0.2000"), D("1.85"), D("0.37"), D("2.22")),
    ]
    assert note.total_gross == action.amount == D("15.50")
    assert note.paid_amount == D("15.50")
    assert note.payments[0]["method"] == "original" and note.payments[0]["amount"] == "15.50"
    assert {line.sale_date for line in note.lines.all()} == {today()}
    assert all(line.is_credit for line in note.lines.all())


def test_a_till_return_of_an_invoiced_sale_is_credited(shop, customer, till_sale, till_return):
    sale = till_sale(customer, [("MUG", 2), ("TEE", 1)], [("card", "24.50")])
    invoice = invoiced_yesterday(sale)
    ret = till_return(sale, [("MUG", 1)])

    result = run_day(business_date=today())

    assert result.credit_notes == 1
    note = Invoice.objects.get(kind=DocumentKind.CREDIT_NOTE)
    return_line = ret.lines.get()
    assert note.credited_invoice == invoice
    assert credit_lines(note) == [
        (f"return:{ret.pk}:line:{return_line.pk}", "MUG", D(1), D("0.2000"), D("5.00"), D("1.00"), D("6.00")),
    ]
    line = note.lines.get()
    assert (line.channel, line.place, line.order_id) == ("store", "Ajaccio", sale.pk)
    assert [(p["method"], p["amount"]) for p in note.payments] == [("card", "6.00")]


def test_a_sale_returned_the_same_day_is_invoiced_and_credited_in_the_same_run(
    shop, customer, till_sale, till_return
):
    sale = till_sale(customer, [("MUG", 2)], [("cash", "12.00")])
    till_return(sale, [("MUG", 2)])

    result = run_day(business_date=today())

    assert (result.invoices, result.credit_notes) == (1, 1)
    invoice = Invoice.objects.get(kind=DocumentKind.INVOICE)
    note = Invoice.objects.get(kind=DocumentKind.CREDIT_NOTE)
    assert note.credited_invoice == invoice
    assert invoice.total_gross == note.total_gross == D("12.00")
    # The order became refunded when every unit came back: nothing more to credit for it.
    assert note.lines.count() == 1


def test_a_web_order_returned_at_a_till_is_credited_once(shop, customer, web_order, till_return):
    """The till's return refunds the payment through an after-sales action (key pos-return-<id>):
    the goods are credited from the return's lines, the shipping from the action, never twice."""
    order = web_order(customer, [(shop.tee, 1), (shop.mug, 1)], shipping="4.90")
    invoice = invoiced_yesterday(order)
    deliver(order)
    ret = till_return(order, [("TEE", 1), ("MUG", 1)])  # the whole order: with its shipping
    action = OrderAction.objects.get(order=order, kind="refund")

    run_day(business_date=today())

    note = Invoice.objects.get(kind=DocumentKind.CREDIT_NOTE)
    assert note.credited_invoice == invoice
    keys = [line.source_key for line in note.lines.order_by("position")]
    assert sorted(keys) == sorted(
        [f"return:{ret.pk}:line:{line.pk}" for line in ret.lines.all()] + [f"action:{action.pk}:shipping"]
    )
    assert note.total_gross == invoice.total_gross == Return.objects.get().total_gross == D("23.40")
    assert [(p["method"], p["amount"]) for p in note.payments] == [("online", "23.40")]


def test_a_cancellation_after_invoicing_credits_what_is_left(shop, customer, web_order):
    """A click & collect order paid (invoiced) and then cancelled as a whole (never collected)."""
    order = web_order(customer, [(shop.tee, 2), (shop.book, 1)], method=DeliveryMethod.CLICK_AND_COLLECT)
    invoice = invoiced_yesterday(order)
    services.transition_order(order=order, to_status=OrderStatus.CANCELLED, note="not collected")

    result = run_day(business_date=today())

    assert result.credit_notes == 1
    note = Invoice.objects.get(kind=DocumentKind.CREDIT_NOTE)
    assert note.credited_invoice == invoice
    assert [line.source_key for line in note.lines.order_by("position")] == [
        f"order:{order.pk}:cancelled:line:{line.pk}" for line in order.lines.order_by("id")
    ]
    assert (note.total_net, note.total_vat, note.total_gross) == (
        invoice.total_net,
        invoice.total_vat,
        invoice.total_gross,
    )
    assert note.vat_breakdown == invoice.vat_breakdown


def test_cancelling_units_of_a_paid_order_credits_them_and_then_the_rest(shop, customer, web_order):
    order = web_order(customer, [(shop.tee, 3), (shop.mug, 1)], shipping="4.90")
    invoice = invoiced_yesterday(order)
    tee = order.lines.get(sku="TEE")
    first = services.cancel_order(
        order=order, lines=[LineQuantity(tee.pk, 1)], user=None, reason="changed mind"
    )
    on_day(order, today() - DAY, hour=15)  # the same day as its invoice, later

    # The invoice's own day was run: a later day's run credits it (it is pending).
    run_day(business_date=today() - 2 * DAY)  # an older day finds nothing to do
    assert not Invoice.objects.filter(kind=DocumentKind.CREDIT_NOTE).exists()
    second = services.cancel_order(order=order, lines=None, user=None, reason="out of stock")

    result = run_day(business_date=today())

    assert result.credit_notes == 1
    note = Invoice.objects.get(kind=DocumentKind.CREDIT_NOTE)
    keys = [line.source_key for line in note.lines.order_by("position")]
    mug = order.lines.get(sku="MUG")
    assert keys == [
        f"action:{first.pk}:line:{tee.pk}",
        f"action:{second.pk}:line:{tee.pk}",
        f"action:{second.pk}:line:{mug.pk}",
        f"action:{second.pk}:shipping",
    ]
    assert note.total_gross == invoice.total_gross == D("48.40")
    assert InvoiceLine.objects.filter(invoice=note, order_line=tee).count() == 2


def test_a_source_is_credited_once_whatever_happens(shop, customer, web_order):
    order = web_order(customer, [(shop.tee, 1)], method=DeliveryMethod.CLICK_AND_COLLECT)
    invoice = invoiced_yesterday(order)
    services.transition_order(order=order, to_status=OrderStatus.CANCELLED)
    run_day(business_date=today())
    key = f"order:{order.pk}:cancelled:line:{order.lines.get().pk}"
    assert InvoiceLine.objects.filter(source_key=key).count() == 1

    draft = Draft(
        kind=DocumentKind.CREDIT_NOTE,
        origin="daily_run",
        customer=Invoice.objects.get(pk=invoice.pk) and _customer(invoice),
        business_date=today(),
        credited_invoice_id=invoice.pk,
        lines=[
            DraftLine(
                channel="web",
                place="Web shop",
                sale_date=today(),
                label="again",
                quantity=D("1"),
                unit_price_net=D("10.42"),
                vat_rate=D("0.2000"),
                total_net=D("10.42"),
                total_vat=D("2.08"),
                total_gross=D("12.50"),
                source_key=key,
            )
        ],
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        issue_document(draft=draft, issued_on=today())
    assert Invoice.objects.filter(kind=DocumentKind.CREDIT_NOTE).count() == 1


def test_returns_of_anonymous_till_sales_are_not_credited(shop, till_sale, till_return):
    sale = till_sale(None, [("MUG", 1)], [("cash", "6.00")])
    till_return(sale, [("MUG", 1)])
    result = run_day(business_date=today())
    assert (result.invoices, result.credit_notes) == (0, 0)
    assert not Invoice.objects.exists()


def _customer(invoice: Invoice):
    from invoicing.services.issuing import Customer

    return Customer(name=invoice.customer_name, email=invoice.customer_email, user=invoice.customer)


def test_an_order_marked_refunded_after_invoicing_credits_its_lines_not_its_shipping(
    shop, customer, web_order
):
    """Marked refunded as a whole (no action says the shipping went back): its units are credited,
    keyed apart from the invoice's own shipping line."""
    order = web_order(customer, [(shop.tee, 1), (shop.mug, 2)], shipping="4.90")
    invoice = invoiced_yesterday(order)
    services.transition_order(order=order, to_status=OrderStatus.REFUNDED, note="lost parcel")

    run_day(business_date=today())

    note = Invoice.objects.get(kind=DocumentKind.CREDIT_NOTE)
    assert note.credited_invoice == invoice
    assert [line.source_key for line in note.lines.order_by("position")] == [
        f"order:{order.pk}:refunded:line:{line.pk}" for line in order.lines.order_by("id")
    ]
    assert note.total_gross == invoice.total_gross - D("4.90") == D("24.50")
    assert note.payments == [] and note.paid_amount == 0


def test_a_refund_paid_back_another_way_says_how(shop, customer, web_order):
    """A portal return refunded as store credit is a refund action paid back "externally"."""
    order = web_order(customer, [(shop.mug, 2)])
    invoiced_yesterday(order)
    order = deliver(order)
    mug = order.lines.get()
    action = services.refund_order_part(
        order=order,
        lines=[LineQuantity(mug.pk, 2)],
        reason="RMA-7",
        user=None,
        via="external",
        external_reference="store credit SC-1234",
    )

    run_day(business_date=today())

    note = Invoice.objects.get(kind=DocumentKind.CREDIT_NOTE)
    assert [line.source_key for line in note.lines.all()] == [f"action:{action.pk}:line:{mug.pk}"]
    assert note.total_gross == D("12.00")
    assert [(p["method"], p["label"], p["amount"]) for p in note.payments] == [
        ("external", "store credit SC-1234", "12.00")
    ]
