"""The daily run: one invoice per customer per day across the web shop and the tills, exact
figures, anonymous till sales left alone, idempotent re-runs, missed days caught up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from core.models import NumberSequence
from invoicing import tasks
from invoicing.models import DocumentKind, Invoice, InvoiceLine, InvoiceQueueEntry, InvoiceRun, RunStatus
from invoicing.services.daily_run import run_day, run_due_days
from invoicing.services.issuing import Customer, Draft, DraftLine, issue_document
from orders.models import DeliveryMethod, OrderStatus
from tests.invoicing.conftest import deliver, on_day, today

pytestmark = pytest.mark.django_db

D = Decimal
DAY = dt.timedelta(days=1)
WEB = "Boutique en ligne"  # "Web shop": labels are written in the customer's language (French here)


def lines_of(invoice: Invoice) -> list[tuple]:
    return [
        (line.channel, line.place, line.sku, line.quantity, line.total_net, line.total_vat, line.total_gross)
        for line in invoice.lines.order_by("position")
    ]


def test_a_mixed_channel_day_gives_one_invoice_per_customer_with_exact_totals(
    shop, customer, web_order, till_sale
):
    web = web_order(customer, [(shop.tee, 2), (shop.book, 1)], shipping="4.90")
    store = till_sale(customer, [("MUG", 1), ("BOOK", 1)], [("card", "16.55")])
    till_sale(None, [("TEE", 1)], [("cash", "20.00")])  # anonymous: keeps its receipt

    result = run_day(business_date=today())

    assert (result.invoices, result.credit_notes, result.already_done) == (1, 0, False)
    invoice = Invoice.objects.get()
    assert result.document_ids == [invoice.pk]
    assert invoice.kind == DocumentKind.INVOICE and invoice.customer == customer
    assert invoice.number == f"{'FA'}-{today().year}-000001"
    assert (invoice.issued_on, invoice.business_date, invoice.run.business_date) == (today(),) * 3
    assert lines_of(invoice) == [
        ("web", WEB, "TEE", D("2"), D("20.83"), D("4.17"), D("25.00")),
        ("web", WEB, "BOOK", D("1"), D("10.00"), D("0.55"), D("10.55")),
        ("web", WEB, "", D("1"), D("4.08"), D("0.82"), D("4.90")),
        ("store", "Ajaccio", "MUG", D("1"), D("5.00"), D("1.00"), D("6.00")),
        ("store", "Ajaccio", "BOOK", D("1"), D("10.00"), D("0.55"), D("10.55")),
    ]
    assert [line.order_id for line in invoice.lines.order_by("position")] == [web.pk] * 3 + [store.pk] * 2
    assert {line.sale_date for line in invoice.lines.all()} == {today()}
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (D("49.91"), D("7.09"), D("57.00"))
    assert invoice.vat_breakdown == [
        {"rate": "0.0550", "net": "20.00", "vat": "1.10", "gross": "21.10"},
        {"rate": "0.2000", "net": "29.91", "vat": "5.99", "gross": "35.90"},
    ]
    assert invoice.paid_amount == D("57.00") and invoice.amount_due == 0
    assert [(p["method"], p["amount"], p["order"]) for p in invoice.payments] == [
        ("test", "40.45", web.number),
        ("card", "16.55", store.number),
    ]
    assert invoice.customer_name == "Ana Rossi" and invoice.customer_email == "ana@example.com"
    assert invoice.billing_address == {
        "first_name": "Ana",
        "last_name": "Rossi",
        "line1": "1 rue du Port",
        "line2": "",
        "postal_code": "20000",
        "city": "Ajaccio",
        "country": "FR",
    }
    assert (invoice.is_business, invoice.late_penalty) == (False, "")
    # Every queue entry of the day was processed, the anonymous sale's too.
    assert not InvoiceQueueEntry.objects.filter(run__isnull=True).exists()
    run = InvoiceRun.objects.get()
    assert (run.status, run.invoices_issued, run.credit_notes_issued) == (RunStatus.DONE, 1, 0)


def test_each_customer_and_each_guest_e_mail_gets_its_own_invoice(
    shop, customer, business_customer, web_order, till_sale
):
    web_order(customer, [(shop.tee, 1)])
    till_sale(business_customer, [("MUG", 2)], [("card", "12.00")])
    web_order(business_customer, [(shop.book, 1)], shipping="4.90")
    guest = web_order(None, [(shop.mug, 1)], email="Guest@Example.com")

    result = run_day(business_date=today())

    assert result.invoices == 3
    by_who = {(i.customer_id, i.customer_email): i for i in Invoice.objects.all()}
    business = by_who[(business_customer.pk, business_customer.email)]
    assert [line.sku for line in business.lines.order_by("position")] == ["MUG", "BOOK", ""]
    assert (business.customer_company, business.customer_vat_number, business.customer_siren) == (
        "Corsica Textiles SARL",
        "FR40303265045",
        "303265045",
    )
    assert business.is_business and business.late_penalty
    # A business customer without a billing address: the order's shipping address.
    assert business.billing_address["city"] == "Bastia"
    guest_invoice = by_who[(None, "guest@example.com")]
    assert guest_invoice.customer_name == "Ana Rossi"  # from the order's address
    assert [line.order_id for line in guest_invoice.lines.all()] == [guest.pk]


def test_re_running_a_day_issues_nothing_new_in_one_query(
    shop, customer, web_order, till_sale, django_assert_max_num_queries
):
    web_order(customer, [(shop.tee, 1)])
    run_day(business_date=today())
    before = list(Invoice.objects.values_list("number", flat=True))

    with django_assert_max_num_queries(4):
        again = run_day(business_date=today())

    assert (again.already_done, again.invoices, again.credit_notes, again.document_ids) == (True, 0, 0, [])
    assert list(Invoice.objects.values_list("number", flat=True)) == before
    output = call_command_output("--date", today().isoformat())
    assert output == f"{today()}: already run, nothing new issued."


def test_an_order_is_invoiced_once_even_with_news_after_its_invoice(shop, customer, web_order):
    order = web_order(customer, [(shop.tee, 1)], shipping="4.90")
    on_day(order, today() - DAY)
    run_day(business_date=today() - DAY)
    deliver(order)  # more events of the same order: queued again

    result = run_day(business_date=today())

    assert (result.invoices, result.credit_notes) == (0, 0)
    assert InvoiceLine.objects.filter(order=order).count() == 2


def test_a_missed_day_is_caught_up_oldest_first(shop, customer, business_customer, web_order, till_sale):
    InvoiceRun.objects.create(business_date=today() - 4 * DAY, status=RunStatus.DONE)
    old = web_order(customer, [(shop.tee, 1)])
    on_day(old, today() - 2 * DAY)
    new = till_sale(business_customer, [("MUG", 1)], [("cash", "6.00")])

    results = run_due_days(today=today())

    assert [(r.business_date, r.invoices) for r in results] == [
        (today() - 3 * DAY, 0),
        (today() - 2 * DAY, 1),
        (today() - DAY, 0),
        (today(), 1),
    ]
    first, second = Invoice.objects.order_by("number")
    year = today().year
    assert (first.number, first.business_date, first.issued_on) == (
        f"FA-{year}-000001",
        today() - 2 * DAY,
        today() - 2 * DAY,
    )
    assert first.lines.get().sale_date == today() - 2 * DAY and first.lines.get().order_id == old.pk
    assert (second.number, second.business_date, second.lines.get().order_id) == (
        f"FA-{year}-000002",
        today(),
        new.pk,
    )
    assert run_due_days(today=today()) == []  # nothing left to run


def test_the_beat_task_runs_the_days_due(shop, customer, web_order):
    order = web_order(customer, [(shop.tee, 1)])
    on_day(order, today() - DAY)  # yesterday is due whatever the hour

    issued = tasks.run_daily_invoicing()

    assert issued == 1
    assert Invoice.objects.get().business_date == today() - DAY


def test_web_orders_are_invoiced_on_delivery_when_the_setting_says_so(shop, customer, web_order, settings):
    settings.INVOICE_WEB_ORDERS_WHEN = "delivered"
    order = web_order(customer, [(shop.tee, 1)], shipping="4.90")
    on_day(order, today() - DAY)
    assert run_day(business_date=today() - DAY).invoices == 0  # paid, not delivered yet
    assert not InvoiceQueueEntry.objects.filter(run__isnull=True).exists()

    deliver(order)
    result = run_day(business_date=today())

    assert result.invoices == 1
    invoice = Invoice.objects.get()
    assert [(line.sku, line.sale_date) for line in invoice.lines.all()] == [("TEE", today()), ("", today())]


def test_click_and_collect_is_invoiced_when_paid_by_default(shop, customer, web_order):
    web_order(customer, [(shop.mug, 2)], method=DeliveryMethod.CLICK_AND_COLLECT)
    assert run_day(business_date=today()).invoices == 1
    assert Invoice.objects.get().total_gross == D("12.00")


def test_an_unpaid_web_order_is_not_invoiced(shop, customer, web_order):
    order = web_order(customer, [(shop.tee, 1)], pay=False)
    from orders import services

    services.transition_order(order=order, to_status=OrderStatus.CANCELLED)
    assert run_day(business_date=today()).invoices == 0
    assert not Invoice.objects.exists()


def test_a_failing_day_leaves_nothing_behind(shop, customer, business_customer, web_order):
    """The unique key of a shipping line is the last guard: when it refuses, the whole day rolls back
    (no invoice, no run, no number taken, the work still pending)."""
    web_order(customer, [(shop.tee, 1)])
    clash = web_order(business_customer, [(shop.mug, 1)], shipping="4.90")
    with transaction.atomic():
        issue_document(draft=_draft(source_key=f"order:{clash.pk}:shipping"), issued_on=today())
    sequence_before = NumberSequence.objects.get(name=f"FA-{today().year}").last_value

    with pytest.raises(IntegrityError):
        run_day(business_date=today())

    assert Invoice.objects.count() == 1  # the one made by hand above
    assert not InvoiceRun.objects.exists()
    assert NumberSequence.objects.get(name=f"FA-{today().year}").last_value == sequence_before
    assert InvoiceQueueEntry.objects.filter(run__isnull=True).count() == 2


def test_an_order_line_or_a_shipping_cannot_be_invoiced_twice(shop, customer, web_order):
    order = web_order(customer, [(shop.tee, 1)], shipping="4.90")
    run_day(business_date=today())
    line = order.lines.get()
    for kwargs in ({"order_line_id": line.pk}, {"source_key": f"order:{order.pk}:shipping"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            issue_document(draft=_draft(order_id=order.pk, **kwargs), issued_on=today())
    assert InvoiceLine.objects.filter(order=order).count() == 2


def _draft(**line_fields) -> Draft:
    return Draft(
        kind=DocumentKind.INVOICE,
        origin="daily_run",
        customer=Customer(name="Someone"),
        business_date=today(),
        lines=[
            DraftLine(
                channel="web",
                place="Web shop",
                sale_date=today(),
                label="Something",
                quantity=D("1"),
                unit_price_net=D("1.00"),
                vat_rate=D("0.2000"),
                total_net=D("1.00"),
                total_vat=D("0.20"),
                total_gross=D("1.20"),
                **line_fields,
            )
        ],
    )


# --- the command ------------------------------------------------------------------------------------


def call_command_output(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("issue_invoices", *args, stdout=out)
    return out.getvalue().strip()


def test_the_command_issues_a_given_day_and_says_what(shop, customer, web_order):
    web_order(customer, [(shop.tee, 1)])
    output = call_command_output("--date", today().isoformat())
    assert output.startswith(f"{today()}: 1 invoice(s) and 0 credit note(s) issued in ")


@pytest.mark.parametrize("value", ["2026-13-01", "28/11/2026", "yesterday", "2026-2-1", ""])
def test_the_command_refuses_a_bad_date_and_issues_nothing(shop, customer, web_order, value):
    web_order(customer, [(shop.tee, 1)])
    with pytest.raises(CommandError, match="is not a date: write it YYYY-MM-DD"):
        call_command("issue_invoices", "--date", value)
    assert not Invoice.objects.exists() and not InvoiceRun.objects.exists()


def test_the_command_refuses_a_day_to_come(shop, customer, web_order):
    web_order(customer, [(shop.tee, 1)])
    with pytest.raises(CommandError, match="has not come yet"):
        call_command("issue_invoices", "--date", (today() + DAY).isoformat())
    assert not Invoice.objects.exists() and not InvoiceRun.objects.exists()


def test_the_run_reads_in_bulk_more_orders_cost_no_more_queries(
    shop, customer, business_customer, web_order, till_sale
):
    """Queries grow with the documents issued (number, document, lines, outbox), not with the orders
    or lines read: a day of 2 customers with 1 order each costs what a day of 2 with 3 each costs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for who in (customer, business_customer):
        on_day(web_order(who, [(shop.tee, 1)], shipping="4.90"), today() - DAY)
    with CaptureQueriesContext(connection) as small:
        assert run_day(business_date=today() - DAY).invoices == 2

    for who in (customer, business_customer):
        web_order(who, [(shop.tee, 2), (shop.book, 1)], shipping="4.90")
        web_order(who, [(shop.mug, 1)])
        till_sale(who, [("MUG", 1), ("BOOK", 2)], [("card", "27.10")])
    with CaptureQueriesContext(connection) as big:
        assert run_day(business_date=today()).invoices == 2

    assert len(big.captured_queries) <= len(small.captured_queries)  # (the first created the sequence)
    assert InvoiceLine.objects.count() == 2 * 2 + 2 * (3 + 1 + 2)


def test_order_events_queue_the_order_in_their_own_transaction(shop, customer, web_order, till_sale):
    order = web_order(customer, [(shop.tee, 1)])
    assert list(InvoiceQueueEntry.objects.values_list("order_id", "event", "run")) == [
        (order.pk, "order.paid", None)
    ]

    with pytest.raises(RuntimeError), transaction.atomic():
        till_sale(customer, [("MUG", 1)], [("cash", "6.00")])
        raise RuntimeError("the sale fails after its event")

    assert InvoiceQueueEntry.objects.count() == 1  # a rolled-back sale leaves no work


def test_a_store_order_recorded_without_a_till_sale_row_is_invoiced_on_its_own_date(shop, customer):
    """``record_store_order`` called by another writer than the till (an import, a bench): no
    ``PosSale``, so the order's own date is the sale date; a customer still gets the invoice."""
    from orders.services.store import StoreOrderLine, record_store_order

    order = record_store_order(
        store=shop.aja,
        cashier=shop.cashier,
        lines=[
            StoreOrderLine(
                variant=shop.mug,
                sku="MUG",
                name="Mug",
                quantity=2,
                unit_price_net=Decimal("5.0000"),
                vat_rate=Decimal("0.2000"),
                discount_gross=Decimal("0.00"),
                total_net=Decimal("10.00"),
                total_vat=Decimal("2.00"),
                total_gross=Decimal("12.00"),
            )
        ],
        customer=customer,
        reference="import-1",
        note="",
    )

    result = run_day(business_date=today())

    invoice = Invoice.objects.get(pk__in=result.document_ids)
    assert (invoice.customer, invoice.total_gross) == (customer, Decimal("12.00"))
    line = invoice.lines.get()
    assert (line.order_id, line.channel, line.place, line.sale_date) == (
        order.pk,
        "store",
        "Ajaccio",
        today(),
    )
