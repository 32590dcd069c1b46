"""The daily invoicing run: one invoice per customer per business day, and the day's credit notes.

What a run of business day D (Europe/Paris) does, in ONE transaction (a failure leaves nothing,
not even a number taken):

1. **The day's run row** (``InvoiceRun``, unique per day) is created or found, then locked
   (``select_for_update``): two runs of the same day queue there and the second finds it done and
   issues nothing (``already_done``). A done day answers at once: re-running it is one query.
2. **The work**: every pending ``InvoiceQueueEntry`` made before D ended (midnight Paris), locked
   in id order. Subscribers of the order and store-sale events (``invoicing.subscribers``) write them
   in the transaction of the order's change, so nothing committed is missed. Each order named there
   is read whole (lines, status changes, payments, tenders, actions, returns) in a few bulk queries.
3. **Invoices**: an order not invoiced yet is invoiced when it became invoiceable before D ended:

   - a web order once paid (``INVOICE_WEB_ORDERS_WHEN="paid"``, the default) or once delivered or
     collected (``"delivered"``); its lines' sale date is the day of that status change;
   - a till sale (store channel) whose customer was identified; sale date the day the till sold
     it (``PosSale.sold_at``, an offline sale keeps its own day; the order's date without one).
     Anonymous till sales are not invoiced: they keep their receipts.

   One invoice per identified customer (``Order.customer``), and for guests of the web shop one per
   e-mail address, holding every order of theirs that became invoiceable; each line says where it
   was bought (web shop or the store's name) and when. A web order's shipping is a line too, keyed
   ``order:<id>:shipping`` (``source_key``, unique in the database like ``order_line``): an order
   is invoiced whole, once, and the unique constraints refuse any second invoicing of a sold line
   or a shipping. "How it was paid": the web order's captured payments, the till's tenders.
4. **Credit notes**: for the orders of the work that are invoiced (earlier, or just now), what was
   given or taken back before D ended and is not credited yet, each credit line keyed once
   (``source_key``, unique):

   - after-sales actions (``orders.OrderAction``, cancel or refund, with money back):
     ``action:<id>:line:<order line>`` per line, ``action:<id>:shipping``, and the free amount
     ``action:<id>:amount`` (spread over the order's VAT rates in proportion to what was invoiced
     at each; ``action:<id>:amount:<rate>`` when there are several);
   - till returns (``pos.Return`` lines, store sales and web orders alike):
     ``return:<id>:line:<return line>``. A web order refunded online for a till return also has a
     refund action (its key ``pos-return-<id>``): only its shipping part is credited from it, the
     goods are credited from the return's lines (never twice);
   - the whole order cancelled or refunded after it was invoiced (e.g. a click & collect never
     collected): what is left of each invoiced line, ``order:<id>:cancelled:line:<order line>``
     (or ``refunded``), and for a cancellation the shipping left, ``order:<id>:cancelled:shipping``
     (the invoice's own shipping line is ``order:<id>:shipping``).

   One credit note per credited invoice (so per customer), referencing it (``credited_invoice``),
   amounts positive; "how it was paid back" from the refunds and the return's tenders.

   **Credited before invoiced**: a sale returned, cancelled or refunded before its invoice exists
   (the same day, or a web order cancelled in part before it was delivered when invoicing "on
   delivery") is invoiced as sold and credited in the same run. Simple and auditable: the invoice
   shows what was sold, the credit note what came back, and each has its own number.
5. The entries are marked with the run, the run is marked done with its counts and time.

Dates: a document's ``issued_on`` and ``business_date`` are D. The run of D takes everything pending
when it runs: a sale after the 18:00 run waits for the next day's run (its line keeps its own sale
date). A missed day is caught up by ``run_due_days`` (oldest first, so numbers and issue dates stay
in the same order); a day older than the last run finds nothing left (the later run took it).
Running today by hand (``manage.py issue_invoices --date``) before 18:00 closes today: the beat then
finds it done, and the sales after it go to tomorrow's invoice.

Speed: a day of 700 invoices reads its orders in about ten bulk queries; each document costs its
number, one INSERT and one bulk INSERT of its lines (``issue_document``) and its outbox message.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Address, User
from core.money import allocate, money_round
from orders.models import (
    Channel,
    Order,
    OrderAction,
    OrderActionKind,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
)
from orders.order_actions import RefundVia
from orders.services.placing import SHIPPING_VAT_RATE
from payments.models import Payment
from pos.models import PosSale, ReturnLine, ReturnRefund, SaleTender

from ..errors import InvalidRunDate
from ..models import (
    DocumentKind,
    DocumentOrigin,
    Invoice,
    InvoiceLine,
    InvoiceQueueEntry,
    InvoiceRun,
    LineChannel,
    RunStatus,
)
from .issuing import Customer, Draft, DraftLine, account_customer, issue_document

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
ZERO = Decimal("0.00")
RATE = Decimal("0.0001")
# The beat runs the day at 18:00 Paris; from 17:55 (five minutes' grace for clocks) "today" is due.
DUE_FROM = dt.time(17, 55)
# A till return's online refund is an after-sales action with this key prefix (pos.services.returns).
POS_RETURN_KEY = "pos-return-"
ADDRESS_FIELDS = ("first_name", "last_name", "line1", "line2", "postal_code", "city", "country")


@dataclass(frozen=True)
class RunResult:
    business_date: dt.date
    invoices: int
    credit_notes: int
    document_ids: list[int]
    already_done: bool
    seconds: float


def day_end(day: dt.date) -> dt.datetime:
    """Midnight after ``day`` in Paris: the run of ``day`` takes what happened before it."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=PARIS)


def paris_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, PARIS).date()


def run_due_days(*, today: dt.date | None = None) -> list[RunResult]:
    """Run every day not run yet, oldest first: from the day after the last done run (at most
    ``INVOICE_CATCH_UP_DAYS`` days back) up to the last due day. Without ``today`` the clock
    decides: today is due from 18:00 Paris (the beat's hour; 17:55 with grace), else yesterday is
    the last due day. With ``today`` given, that day is the last due day. Each day is its own
    transaction: a failing day stops the catch-up there (the days before it stay issued)."""
    if today is None:
        now = timezone.localtime(timezone.now(), PARIS)
        last = now.date() if now.time() >= DUE_FROM else now.date() - dt.timedelta(days=1)
    else:
        last = today
    earliest = last - dt.timedelta(days=max(settings.INVOICE_CATCH_UP_DAYS, 1) - 1)
    last_done = (
        InvoiceRun.objects.filter(status=RunStatus.DONE, business_date__lte=last)
        .order_by("-business_date")
        .values_list("business_date", flat=True)
        .first()
    )
    if last_done is not None:
        first = last_done + dt.timedelta(days=1)
    else:  # never run: from the day of the oldest pending work (within the catch-up window)
        oldest = (
            InvoiceQueueEntry.objects.filter(run__isnull=True)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        first = paris_date(oldest) if oldest is not None else last
    day = max(first, earliest)
    results = []
    while day <= last:
        results.append(run_day(business_date=day))
        day += dt.timedelta(days=1)
    return results


def run_day(*, business_date: dt.date) -> RunResult:
    """Issue the invoices and credit notes of ``business_date`` (module docstring); once per day."""
    if not isinstance(business_date, dt.date) or isinstance(business_date, dt.datetime):
        raise InvalidRunDate(detail={"date": str(business_date)[:30]})
    today = timezone.localtime(timezone.now(), PARIS).date()
    if business_date > today:
        raise InvalidRunDate(
            _("%(date)s has not come yet: only a past day or today can be invoiced.")
            % {"date": business_date.isoformat()},
            detail={"date": business_date.isoformat(), "today": today.isoformat()},
        )
    started = time.perf_counter()
    with transaction.atomic(durable=True):
        run = _locked_run(business_date)
        if run.status == RunStatus.DONE:
            return RunResult(business_date, 0, 0, [], True, time.perf_counter() - started)
        documents = _DayRun(run).issue()
        invoices = sum(1 for d in documents if d.kind == DocumentKind.INVOICE)
        seconds = time.perf_counter() - started
        run.status = RunStatus.DONE
        run.finished_at = timezone.now()
        run.invoices_issued = invoices
        run.credit_notes_issued = len(documents) - invoices
        run.seconds = seconds
        run.save(update_fields=["status", "finished_at", "invoices_issued", "credit_notes_issued", "seconds"])
    logger.info(
        "invoicing run %s: %s invoices, %s credit notes in %.2f s",
        business_date,
        invoices,
        len(documents) - invoices,
        seconds,
    )
    return RunResult(
        business_date, invoices, len(documents) - invoices, [d.pk for d in documents], False, seconds
    )


def _locked_run(business_date: dt.date) -> InvoiceRun:
    """The day's run row, locked. ``get_or_create`` inserts in a savepoint: a second run of the same
    day waits on the unique index until the first ends, then finds its row (done, or gone if the
    first rolled back, and then creates it)."""
    run, _created = InvoiceRun.objects.get_or_create(business_date=business_date)
    return InvoiceRun.objects.select_for_update().get(pk=run.pk)


# --- one day's work -------------------------------------------------------------------------------


@dataclass
class _Credit:
    order_id: int
    happened_at: dt.datetime
    line: DraftLine
    refunds: list[dict[str, str]] = field(default_factory=list)


class _DayRun:
    def __init__(self, run: InvoiceRun) -> None:
        self.run = run
        self.day = run.business_date
        self.cutoff = day_end(self.day)

    def issue(self) -> list[Invoice]:
        entries = list(
            InvoiceQueueEntry.objects.select_for_update()
            .filter(run__isnull=True, created_at__lt=self.cutoff)
            .order_by("id")
            .values_list("id", "order_id")
        )
        documents: list[Invoice] = []
        if entries:
            order_ids = sorted({order_id for _, order_id in entries})
            self._load(order_ids)
            documents += self._invoices()
            documents += self._credit_notes()
            InvoiceQueueEntry.objects.filter(pk__in=[pk for pk, _ in entries]).update(run=self.run)
        return documents

    # --- reads ----------------------------------------------------------------------------------

    def _load(self, order_ids: list[int]) -> None:
        self.orders: dict[int, Order] = {
            order.pk: order
            for order in Order.objects.filter(pk__in=order_ids)
            .select_related("location", "customer__customer_profile", "pos_sale")
            .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        }
        self.order_lines: dict[int, OrderLine] = {
            line.pk: line for order in self.orders.values() for line in order.lines.all()
        }
        # What is already invoiced or credited of these orders.
        self.invoice_of: dict[int, int] = {}  # order id -> the invoice holding it
        self.invoiced_lines: list[dict[str, Any]] = []
        self.credited_lines: list[dict[str, Any]] = []
        for row in InvoiceLine.objects.filter(order_id__in=order_ids).values(
            "invoice_id", "is_credit", "order_id", "order_line_id", "source_key", "quantity",
            "total_net", "total_gross",
        ):  # fmt: skip
            if row["is_credit"]:
                self.credited_lines.append(dict(row))
            else:
                self.invoice_of[row["order_id"]] = row["invoice_id"]
                self.invoiced_lines.append(dict(row))
        self.credited_keys = {row["source_key"] for row in self.credited_lines}
        # Status changes that matter: invoiceable (paid / completed) and closing (cancelled / refunded).
        self.web_when = (
            OrderStatus.COMPLETED if settings.INVOICE_WEB_ORDERS_WHEN == "delivered" else OrderStatus.PAID
        )
        self.became: dict[tuple[int, str], dt.datetime] = {}
        for order_id, to_status, created_at in (
            OrderStatusChange.objects.filter(
                order_id__in=order_ids,
                to_status__in=[self.web_when, OrderStatus.CANCELLED, OrderStatus.REFUNDED],
                created_at__lt=self.cutoff,
            )
            .order_by("created_at", "id")
            .values_list("order_id", "to_status", "created_at")
        ):
            self.became.setdefault((order_id, to_status), created_at)

    # --- invoices -------------------------------------------------------------------------------

    def _invoiceable(self, order: Order) -> dt.datetime | None:
        """When ``order`` became invoiceable (before the cutoff), or None (not invoiced now)."""
        if order.pk in self.invoice_of:
            return None
        if order.channel == Channel.WEB:
            if order.customer_id is None and not order.email:
                return None
            return self.became.get((order.pk, self.web_when))
        if order.channel != Channel.STORE or order.customer_id is None:
            return None  # an anonymous till sale keeps its receipt
        sale = _pos_sale(order)  # the till's clock (an offline sale keeps its day); else the order's
        return sale.sold_at if sale is not None else order.created_at

    def _invoices(self) -> list[Invoice]:
        groups: dict[tuple[int, str], list[tuple[dt.datetime, Order]]] = defaultdict(list)
        for order in self.orders.values():
            when = self._invoiceable(order)
            if when is None:
                continue
            who = (order.customer_id, "") if order.customer_id else (0, order.email.strip().lower())
            groups[who].append((when, order))
        if not groups:
            return []
        order_ids = [order.pk for group in groups.values() for _, order in group]
        payments = self._payments(order_ids)
        users = [orders[0][1].customer for orders in groups.values() if orders[0][1].customer is not None]
        billing = _billing_addresses([user.pk for user in users if user is not None])
        documents = []
        for who in sorted(groups):
            placed = sorted(groups[who], key=lambda item: (item[0], item[1].pk))
            orders = [order for _, order in placed]
            customer = _customer(orders, billing)
            lines: list[DraftLine] = []
            paid: list[dict[str, str]] = []
            with translation.override(customer.language):
                for when, order in placed:
                    lines += _sale_lines(order, sale_date=min(paris_date(when), self.day))
                    paid += payments.get(order.pk, [])
            invoice = issue_document(
                draft=Draft(
                    kind=DocumentKind.INVOICE,
                    origin=DocumentOrigin.DAILY_RUN,
                    customer=customer,
                    business_date=self.day,
                    lines=lines,
                    payments=paid,
                    paid_amount=sum((Decimal(p["amount"]) for p in paid), ZERO),
                    run_id=self.run.pk,
                ),
                issued_on=self.day,
            )
            documents.append(invoice)
            for order in orders:
                self.invoice_of[order.pk] = invoice.pk
            self.invoiced_lines += [
                {
                    "invoice_id": invoice.pk,
                    "order_id": line.order_id,
                    "order_line_id": line.order_line_id,
                    "source_key": line.source_key,
                    "quantity": line.quantity,
                    "total_net": line.total_net,
                    "total_gross": line.total_gross,
                }
                for line in lines
            ]
        return documents

    def _payments(self, order_ids: list[int]) -> dict[int, list[dict[str, str]]]:
        """How each order was paid: captured online payments, the till's tenders (less change)."""
        paid: dict[int, list[dict[str, str]]] = defaultdict(list)
        for payment in Payment.objects.filter(order_id__in=order_ids, captured_at__isnull=False).order_by(
            "captured_at"
        ):
            assert payment.captured_at is not None
            with _language_of(self.orders[payment.order_id]):
                label = _("Online payment (%(provider)s)") % {"provider": payment.get_provider_display()}
            paid[payment.order_id].append(
                {
                    "method": payment.provider,
                    "label": label,
                    "amount": str(payment.amount_eur),
                    "date": paris_date(payment.captured_at).isoformat(),
                    "order": self.orders[payment.order_id].number,
                }
            )
        for tender in SaleTender.objects.filter(order_id__in=order_ids).order_by("id"):
            order = self.orders[tender.order_id]
            sale = _pos_sale(order)
            amount = tender.amount - tender.change_given
            if amount <= 0:
                continue
            with _language_of(order):
                label = str(tender.get_tender_display())
            paid[tender.order_id].append(
                {
                    "method": tender.tender,
                    "label": label,
                    "amount": str(amount),
                    "date": paris_date(sale.sold_at if sale else order.created_at).isoformat(),
                    "order": order.number,
                }
            )
        return paid

    # --- credit notes ---------------------------------------------------------------------------

    def _credit_notes(self) -> list[Invoice]:
        invoiced_orders = [pk for pk in self.orders if pk in self.invoice_of]
        if not invoiced_orders:
            return []
        credits: list[_Credit] = []
        # Labels in the customer's language, as on the invoice (stored once, printed as stored).
        credits += self._action_credits(invoiced_orders)
        credits += self._return_credits(invoiced_orders)
        credits = [c for c in credits if c.line.source_key not in self.credited_keys]
        credits += self._closing_credits(invoiced_orders, credits)
        by_invoice: dict[int, list[_Credit]] = defaultdict(list)
        for credit in credits:
            by_invoice[self.invoice_of[credit.order_id]].append(credit)
        if not by_invoice:
            return []
        invoices = Invoice.objects.select_related("customer").in_bulk(list(by_invoice))
        documents = []
        for invoice_id in sorted(by_invoice):
            items = sorted(by_invoice[invoice_id], key=lambda c: c.happened_at)  # stable: as built
            refunds = [refund for item in items for refund in item.refunds]
            invoice = invoices[invoice_id]
            documents.append(
                issue_document(
                    draft=Draft(
                        kind=DocumentKind.CREDIT_NOTE,
                        origin=DocumentOrigin.DAILY_RUN,
                        customer=_customer_of(invoice),
                        business_date=self.day,
                        lines=[item.line for item in items],
                        payments=refunds,
                        paid_amount=min(
                            sum((Decimal(r["amount"]) for r in refunds), ZERO),
                            sum((item.line.total_gross for item in items), ZERO),
                        ),
                        run_id=self.run.pk,
                        credited_invoice_id=invoice_id,
                    ),
                    issued_on=self.day,
                )
            )
        return documents

    def _place(self, order: Order) -> tuple[str, str]:
        if order.channel == Channel.WEB:
            return LineChannel.WEB, _("Web shop")
        return LineChannel.STORE, order.location.name

    def _action_credits(self, order_ids: list[int]) -> list[_Credit]:
        credits = []
        for action in OrderAction.objects.filter(
            order_id__in=order_ids,
            kind__in=[OrderActionKind.CANCEL, OrderActionKind.REFUND],
            amount__gt=0,
            created_at__lt=self.cutoff,
        ).order_by("id"):
            order = self.orders[action.order_id]
            with _language_of(order):
                credits += self._action_credit(action, order)
        return credits

    def _action_credit(self, action: OrderAction, order: Order) -> list[_Credit]:
        channel, place = self._place(order)
        day = paris_date(action.created_at)
        prefix = f"action:{action.pk}"
        from_till = action.key.startswith(POS_RETURN_KEY)  # the goods: the return's lines
        what = _("Cancelled") if action.kind == OrderActionKind.CANCEL else _("Refunded")
        parts: list[DraftLine] = []
        lines_total = ZERO
        for item in action.lines or []:
            amount = Decimal(str(item.get("amount") or "0"))
            lines_total += amount
            order_line = self.order_lines.get(int(item["line_id"]))
            if from_till or amount <= 0 or order_line is None:
                continue
            parts.append(
                _credit_line(
                    order_line,
                    quantity=Decimal(int(item["quantity"])),
                    gross=amount,
                    key=f"{prefix}:line:{order_line.pk}",
                    channel=channel,
                    place=place,
                    day=day,
                    label=f"{order_line.name} ({what.lower()})",
                )
            )
        if action.shipping_amount > 0:
            parts.append(
                _amount_line(
                    action.shipping_amount,
                    rate=SHIPPING_VAT_RATE,
                    key=f"{prefix}:shipping",
                    label=_("Delivery (%(what)s)") % {"what": what.lower()},
                    order_id=order.pk,
                    channel=channel,
                    place=place,
                    day=day,
                )
            )
        free = action.amount - lines_total - action.shipping_amount
        if free > 0 and not from_till:
            parts += self._free_amount_lines(order, free, prefix, action.reason, channel, place, day)
        refunds = []
        credited = sum((p.total_gross for p in parts), ZERO)
        if credited > 0 and not from_till:  # a till return's money: its own refund rows
            refunds = [
                {
                    "method": action.via or RefundVia.ORIGINAL,
                    "label": _("Refunded to the original payment")
                    if action.via != RefundVia.EXTERNAL
                    else (action.external_reference or _("Paid back another way")),
                    "amount": str(credited),
                    "date": day.isoformat(),
                    "order": order.number,
                }
            ]
        return [
            _Credit(order.pk, action.created_at, line, refunds if i == 0 else [])
            for i, line in enumerate(parts)
        ]

    def _free_amount_lines(
        self, order: Order, amount: Decimal, prefix: str, reason: str, channel: str, place: str, day: dt.date
    ) -> list[DraftLine]:
        """A free amount, spread over the VAT rates of what was invoiced of the order."""
        per_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
        for row in self.invoiced_lines:
            if row["order_id"] != order.pk:
                continue
            line = self.order_lines.get(row["order_line_id"]) if row["order_line_id"] else None
            rate = line.vat_rate if line is not None else SHIPPING_VAT_RATE
            per_rate[rate.quantize(RATE)] += row["total_gross"]
        rates = sorted(per_rate) or [SHIPPING_VAT_RATE.quantize(RATE)]
        shares = allocate(amount, [per_rate[r] for r in rates]) if per_rate else [amount]
        label = _("Refund: %(reason)s") % {"reason": reason} if reason else _("Refund")
        return [
            _amount_line(
                share,
                rate=rate,
                key=f"{prefix}:amount" if len(rates) == 1 else f"{prefix}:amount:{rate}",
                label=label[:250],
                order_id=order.pk,
                channel=channel,
                place=place,
                day=day,
            )
            for rate, share in zip(rates, shares, strict=True)
            if share > 0
        ]

    def _return_credits(self, order_ids: list[int]) -> list[_Credit]:
        rows = list(
            ReturnLine.objects.filter(ret__order_id__in=order_ids, ret__created_at__lt=self.cutoff)
            .select_related("ret__location")
            .order_by("ret_id", "id")
        )
        if not rows:
            return []
        refunds: dict[int, list[dict[str, str]]] = defaultdict(list)
        for refund in ReturnRefund.objects.filter(ret_id__in={row.ret_id for row in rows}).order_by("id"):
            refunds[refund.ret_id].append(
                {
                    "method": refund.tender,
                    "label": str(refund.get_tender_display()),
                    "amount": str(refund.amount),
                }
            )
        credits = []
        seen: set[int] = set()
        for row in rows:
            ret = row.ret
            order = self.orders[ret.order_id]
            order_line = self.order_lines[row.order_line_id]
            day = paris_date(ret.created_at)
            with _language_of(order):
                returned = _("returned")
            line = _credit_line(
                order_line,
                quantity=Decimal(row.quantity),
                gross=row.refund_gross,
                key=f"return:{ret.pk}:line:{row.pk}",
                channel=LineChannel.STORE,
                place=ret.location.name,
                day=day,
                label=f"{order_line.name} ({returned}, {ret.number})",
            )
            first = ret.pk not in seen
            seen.add(ret.pk)
            paid = [{**r, "date": day.isoformat(), "order": ret.number} for r in refunds[ret.pk]]
            credits.append(_Credit(order.pk, ret.created_at, line, paid if first else []))
        return credits

    def _closing_credits(self, order_ids: list[int], pending: list[_Credit]) -> list[_Credit]:
        """What is left of each invoiced line of an order cancelled or refunded as a whole (and, for
        a cancellation, the shipping left): nothing when the actions and returns took it all."""
        closed = {
            pk: (status, self.became[(pk, status)])
            for pk in order_ids
            for status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
            if self.orders[pk].status == status and (pk, status) in self.became
        }
        if not closed:
            return []
        credited_qty: dict[int, Decimal] = defaultdict(lambda: ZERO)
        credited_net: dict[int, Decimal] = defaultdict(lambda: ZERO)
        credited_gross: dict[int, Decimal] = defaultdict(lambda: ZERO)
        shipping_credited: dict[int, Decimal] = defaultdict(lambda: ZERO)
        done = [
            (row["order_id"], row["order_line_id"], row["source_key"], row["quantity"], row["total_net"],
             row["total_gross"])
            for row in self.credited_lines
        ] + [
            (c.order_id, c.line.order_line_id, c.line.source_key, c.line.quantity, c.line.total_net,
             c.line.total_gross)
            for c in pending
        ]  # fmt: skip
        for order_id, order_line_id, key, quantity, net, gross in done:
            if order_line_id is not None:
                credited_qty[order_line_id] += quantity
                credited_net[order_line_id] += net
                credited_gross[order_line_id] += gross
            elif key.endswith(":shipping"):
                shipping_credited[order_id] += gross
        sums = {
            "qty": credited_qty,
            "net": credited_net,
            "gross": credited_gross,
            "shipping": shipping_credited,
        }
        credits = []
        for row in self.invoiced_lines:
            order_id = row["order_id"]
            if order_id not in closed:
                continue
            status, when = closed[order_id]
            order = self.orders[order_id]
            with _language_of(order):
                credit = self._closing_credit(row, order, status, when, sums)
            if credit is not None and credit.line.source_key not in self.credited_keys:
                credits.append(credit)
        return credits

    def _closing_credit(
        self,
        row: dict[str, Any],
        order: Order,
        status: str,
        when: dt.datetime,
        sums: dict[str, dict[int, Decimal]],
    ) -> _Credit | None:
        order_id = order.pk
        credited_qty, credited_net = sums["qty"], sums["net"]
        credited_gross, shipping_credited = sums["gross"], sums["shipping"]
        channel, place = self._place(order)
        day = paris_date(when)
        what = _("Cancelled") if status == OrderStatus.CANCELLED else _("Refunded")
        line_id = row["order_line_id"]
        if line_id is not None:
            quantity = row["quantity"] - credited_qty[line_id]
            gross = row["total_gross"] - credited_gross[line_id]
            if quantity <= 0 or gross < 0:
                return None
            order_line = self.order_lines[line_id]
            net = row["total_net"] - credited_net[line_id]
            line = DraftLine(
                channel=channel,
                place=place,
                sale_date=day,
                label=f"{order_line.name} ({what.lower()})",
                quantity=quantity,
                unit_price_net=order_line.unit_price_net,
                vat_rate=order_line.vat_rate.quantize(RATE),
                total_net=net,
                total_vat=gross - net,
                total_gross=gross,
                sku=order_line.sku,
                order_id=order_id,
                order_line_id=line_id,
                source_key=f"order:{order_id}:{status}:line:{line_id}",
            )
        elif status == OrderStatus.CANCELLED and row["source_key"].endswith(":shipping"):
            left = row["total_gross"] - shipping_credited[order_id]
            if left <= 0:
                return None
            line = _amount_line(
                left,
                rate=SHIPPING_VAT_RATE,
                key=f"order:{order_id}:{status}:shipping",
                label=_("Delivery (%(what)s)") % {"what": what.lower()},
                order_id=order_id,
                channel=channel,
                place=place,
                day=day,
            )
        else:
            return None
        if line.source_key in self.credited_keys:
            return None
        refund = (
            [
                {
                    "method": RefundVia.ORIGINAL,
                    "label": _("Refunded to the original payment"),
                    "amount": str(line.total_gross),
                    "date": day.isoformat(),
                    "order": order.number,
                }
            ]
            if status == OrderStatus.CANCELLED and order.channel == Channel.WEB
            else []
        )
        return _Credit(order_id, when, line, refund)


# --- helpers --------------------------------------------------------------------------------------


def _pos_sale(order: Order) -> PosSale | None:
    try:
        return order.pos_sale
    except ObjectDoesNotExist:
        return None


def _sale_lines(order: Order, *, sale_date: dt.date) -> list[DraftLine]:
    """The order's lines as sold, and its shipping (keyed: invoiced once)."""
    if order.channel == Channel.WEB:
        channel, place = LineChannel.WEB, _("Web shop")
    else:
        channel, place = LineChannel.STORE, order.location.name
    lines = [
        DraftLine(
            channel=channel,
            place=place,
            sale_date=sale_date,
            label=line.name,
            quantity=Decimal(line.quantity),
            unit_price_net=line.unit_price_net,
            vat_rate=line.vat_rate.quantize(RATE),
            total_net=line.total_net,
            total_vat=line.total_vat,
            total_gross=line.total_gross,
            sku=line.sku,
            discount_gross=line.discount_gross,
            order_id=order.pk,
            order_line_id=line.pk,
        )
        for line in order.lines.all()
    ]
    if order.shipping_gross > 0:
        label = _("Delivery, order %(number)s") % {"number": order.number}
        lines.append(
            _amount_line(
                order.shipping_gross,
                rate=SHIPPING_VAT_RATE,
                key=f"order:{order.pk}:shipping",
                label=label,
                order_id=order.pk,
                channel=channel,
                place=place,
                day=sale_date,
            )
        )
    return lines


def _credit_line(
    order_line: OrderLine,
    *,
    quantity: Decimal,
    gross: Decimal,
    key: str,
    channel: str,
    place: str,
    day: dt.date,
    label: str,
) -> DraftLine:
    """Units of an order line given back for ``gross`` (TTC): net = gross / (1 + rate), rounded once."""
    net = money_round(gross / (1 + order_line.vat_rate))
    return DraftLine(
        channel=channel,
        place=place,
        sale_date=day,
        label=label[:250],
        quantity=quantity,
        unit_price_net=order_line.unit_price_net,
        vat_rate=order_line.vat_rate.quantize(RATE),
        total_net=net,
        total_vat=gross - net,
        total_gross=gross,
        sku=order_line.sku,
        order_id=order_line.order_id,
        order_line_id=order_line.pk,
        source_key=key,
    )


def _amount_line(
    gross: Decimal,
    *,
    rate: Decimal,
    key: str,
    label: str,
    order_id: int,
    channel: str,
    place: str,
    day: dt.date,
) -> DraftLine:
    """One amount (shipping, a free refund) at one VAT rate, quantity 1."""
    net = money_round(gross / (1 + rate))
    return DraftLine(
        channel=channel,
        place=place,
        sale_date=day,
        label=label[:250],
        quantity=Decimal(1),
        unit_price_net=net,
        vat_rate=rate.quantize(RATE),
        total_net=net,
        total_vat=gross - net,
        total_gross=gross,
        order_id=order_id,
        source_key=key,
    )


def _billing_addresses(user_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Each customer's default billing address (the latest one marked so)."""
    found: dict[int, dict[str, str]] = {}
    for address in Address.objects.filter(user_id__in=list(user_ids), is_default_billing=True).order_by(
        "user_id", "-id"
    ):
        found.setdefault(address.user_id, {f: str(getattr(address, f) or "") for f in ADDRESS_FIELDS})
    return found


def _address_of(order: Order) -> dict[str, str]:
    shipping = order.shipping_address or {}
    return {f: str(shipping.get(f) or "") for f in ADDRESS_FIELDS if shipping.get(f)}


def _customer(orders: list[Order], billing: dict[int, dict[str, str]]) -> Customer:
    """Who the invoice is made out to: the account (profile, default billing address, else the
    latest order's shipping address) or the guest's e-mail and address."""
    first = orders[0]
    address = next((a for a in (_address_of(o) for o in reversed(orders)) if a), {})
    user: User | None = first.customer
    if user is None:
        name = " ".join(filter(None, [address.get("first_name", ""), address.get("last_name", "")]))
        return Customer(
            name=name or first.email,
            email=first.email.strip().lower(),
            billing_address=address,
            language=first.language or "fr",
        )
    return account_customer(user, billing_address=billing.get(user.pk) or address)


def _customer_of(invoice: Invoice) -> Customer:
    """A credit note is made out to whom the invoice it credits was."""
    return Customer(
        name=invoice.customer_name,
        email=invoice.customer_email,
        user=invoice.customer,
        billing_address=dict(invoice.billing_address or {}),
        company=invoice.customer_company,
        vat_number=invoice.customer_vat_number,
        siren=invoice.customer_siren,
        language=invoice.language,
    )


def _language_of(order: Order) -> Any:
    """Labels in the shopper's language (stored on the document as printed)."""
    return translation.override(order.language or settings.LANGUAGE_CODE)
