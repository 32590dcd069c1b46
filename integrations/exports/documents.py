"""What the order flow says about each document: reads only (orders, payments, pricing, pos).

A document is a list of rows of generic fields (``formats``); ``record`` says what a row is:

- an order (``document_key`` ``order:<id>``, web or till): ``ORDER`` (totals, discount, promo code,
  customer), one ``LINE`` per line (sku, quantity, unit prices HT/TTC, VAT rate, the line's
  discount and the promo code that gave it), ``SHIPPING`` (the fee, the carrier), one ``PAYMENT``
  per payment transaction (web: every provider payment that captured or failed, with its status and
  reference; till: every tender, change deducted);
- an after-sales action (``action:<id>``: a cancellation, a refund, a portal return):
  ``CANCEL`` / ``REFUND`` / ``RETURN`` then ``CANCEL_LINE``... per line, ``SHIPPING_REFUND``, one
  ``REFUND_PAYMENT`` per payment refund; every row names the order it belongs to;
- a till return (``return:<id>``): ``TILL_RETURN``, ``TILL_RETURN_LINE`` per line (the condition in
  ``status``), ``TILL_RETURN_REFUND`` per tender the money went back by. The after-sales actions a
  till return writes for itself (``record_returned_lines``, the online refund) are inside it and are
  not documents of their own (the money would count twice).

Bulk reads: a handful of queries per kind, whatever the number of documents.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from core.money import money_round
from orders.models import Order, OrderLine, OrderStatus, OrderStatusChange
from orders.order_actions import OrderAction, OrderActionKind
from payments.models import Payment, PaymentStatus, Refund
from pos.models import Return, ReturnLine, ReturnRefund, SaleTender
from pricing.models import CouponRedemption

Row = dict[str, Any]
PAYMENT_STATUSES = [PaymentStatus.CAPTURED, PaymentStatus.REFUNDED, PaymentStatus.FAILED]
EXPORTED_ACTIONS = [OrderActionKind.CANCEL, OrderActionKind.REFUND, OrderActionKind.RETURN]


# --- which events make documents --------------------------------------------------------------


def order_events() -> QuerySet[OrderStatusChange]:
    """The moment an order counts as a sale for the ERP: a web order's payment (``paid``: orders that
    were placed but never paid are never exported), a till sale's creation (completed at once).
    Archived orders (history migration) have no such row: never exported."""
    return OrderStatusChange.objects.filter(
        Q(to_status=OrderStatus.PAID) | Q(from_status="", to_status=OrderStatus.COMPLETED)
    )


def after_sales_actions() -> QuerySet[OrderAction]:
    """Cancellations, refunds and returns, except those a till return wrote for itself."""
    return OrderAction.objects.filter(kind__in=EXPORTED_ACTIONS).exclude(
        Exists(Return.objects.filter(order_id=OuterRef("order_id"), number=OuterRef("external_reference")))
    )


def till_returns() -> QuerySet[Return]:
    return Return.objects.all()


# --- rows -------------------------------------------------------------------------------------


def customer_code(order: Order) -> str:
    if order.customer_id is None:
        return ""
    profile = getattr(order.customer, "customer_profile", None)
    return (profile.erp_code if profile is not None else "") or f"C{order.customer_id}"


def _promo_codes(numbers: list[str]) -> dict[str, str]:
    codes: dict[str, str] = {}
    for reference, code in (
        CouponRedemption.objects.filter(reference__in=numbers)
        .order_by("id")
        .values_list("reference", "coupon__code")
    ):
        codes[reference] = f"{codes[reference]},{code}" if reference in codes else code
    return codes


def _unit_ttc(line: OrderLine) -> Decimal:
    return money_round(line.unit_price_net * (1 + line.vat_rate))


def order_rows(order_ids: list[int], *, event_at: dict[int, dt.datetime]) -> dict[int, list[Row]]:
    orders = list(
        Order.objects.filter(pk__in=order_ids)
        .select_related("customer__customer_profile", "location")
        .prefetch_related("lines")
    )
    promo = _promo_codes([o.number for o in orders])
    payments: dict[int, list[Payment]] = defaultdict(list)
    for payment in Payment.objects.filter(order_id__in=order_ids, status__in=PAYMENT_STATUSES).order_by(
        "created_at", "id"
    ):
        payments[payment.order_id].append(payment)
    tenders: dict[int, list[SaleTender]] = defaultdict(list)
    for tender in SaleTender.objects.filter(order_id__in=order_ids).order_by("id"):
        tenders[tender.order_id].append(tender)
    result: dict[int, list[Row]] = {}
    for order in orders:
        code = promo.get(order.number, "")
        base = {
            "document_key": f"order:{order.pk}",
            "order_number": order.number,
            "channel": order.channel,
            "date": event_at.get(order.pk, order.created_at),
            "customer_code": customer_code(order),
            "email": order.email,
            "store": order.location.code,
            "currency": "EUR",
        }
        rows: list[Row] = [
            {
                **base,
                "record": "ORDER",
                "amount_ht": order.total_net,
                "amount_ttc": order.total_gross_eur,
                "discount_ttc": order.discount_gross,
                "promo_code": code,
                "status": order.status,
                "reference": order.reference,
            }
        ]
        for line in sorted(order.lines.all(), key=lambda line: line.pk):
            rows.append(
                {
                    **base,
                    "record": "LINE",
                    "sku": line.sku,
                    "name": line.name,
                    "quantity": line.quantity,
                    "unit_price_ht": line.unit_price_net,
                    "unit_price_ttc": _unit_ttc(line),
                    "vat_rate": line.vat_rate,
                    "discount_ttc": line.discount_gross,
                    "promo_code": code if line.discount_gross else "",
                    "amount_ht": line.total_net,
                    "amount_ttc": line.total_gross,
                }
            )
        if order.shipping_gross:
            rows.append(
                {**base, "record": "SHIPPING", "amount_ttc": order.shipping_gross, "reference": order.carrier}
            )
        for payment in payments[order.pk]:
            rows.append(
                {
                    **base,
                    "record": "PAYMENT",
                    "method": payment.provider,
                    "amount_ttc": payment.amount_eur,
                    "reference": payment.capture_reference or payment.provider_reference or str(payment.pk),
                    "status": payment.status,
                    "date": payment.captured_at or payment.created_at,
                }
            )
        for tender in tenders[order.pk]:
            rows.append(
                {
                    **base,
                    "record": "PAYMENT",
                    "method": tender.tender,
                    "amount_ttc": tender.amount - tender.change_given,
                    "reference": tender.authorisation_reference,
                    "status": PaymentStatus.CAPTURED,
                }
            )
        result[order.pk] = rows
    return result


def action_rows(action_ids: list[int]) -> dict[int, list[Row]]:
    actions = list(
        OrderAction.objects.filter(pk__in=action_ids).select_related("order__customer__customer_profile")
    )
    refund_ids = [rid for action in actions for rid in action.refund_ids]
    refunds = {str(r.pk): r for r in Refund.objects.filter(pk__in=refund_ids).select_related("payment")}
    result: dict[int, list[Row]] = {}
    for action in actions:
        record = action.kind.upper()
        base = {
            "document_key": f"action:{action.pk}",
            "order_number": action.order.number,
            "channel": action.order.channel,
            "date": action.created_at,
            "customer_code": customer_code(action.order),
            "email": action.order.email,
            "currency": "EUR",
        }
        rows: list[Row] = [
            {
                **base,
                "record": record,
                "amount_ttc": action.amount,
                "reference": action.external_reference or action.reason,
                "method": action.via,
            }
        ]
        for line in action.lines:
            rows.append(
                {
                    **base,
                    "record": f"{record}_LINE",
                    "sku": line["sku"],
                    "quantity": line["quantity"],
                    "amount_ttc": Decimal(line["amount"]),
                }
            )
        if action.shipping_amount:
            rows.append({**base, "record": "SHIPPING_REFUND", "amount_ttc": action.shipping_amount})
        for rid in action.refund_ids:
            refund = refunds.get(str(rid))
            if refund is not None:
                rows.append(
                    {
                        **base,
                        "record": "REFUND_PAYMENT",
                        "method": refund.payment.provider,
                        "amount_ttc": refund.amount,
                        "reference": refund.provider_reference or str(refund.pk),
                        "status": refund.status,
                    }
                )
        result[action.pk] = rows
    return result


def return_rows(return_ids: list[int]) -> dict[int, list[Row]]:
    returns = list(
        Return.objects.filter(pk__in=return_ids).select_related(
            "order__customer__customer_profile", "location"
        )
    )
    lines: dict[int, list[ReturnLine]] = defaultdict(list)
    for line in ReturnLine.objects.filter(ret_id__in=return_ids).select_related("order_line").order_by("id"):
        lines[line.ret_id].append(line)
    refunds: dict[int, list[ReturnRefund]] = defaultdict(list)
    for refund in ReturnRefund.objects.filter(ret_id__in=return_ids).order_by("id"):
        refunds[refund.ret_id].append(refund)
    result: dict[int, list[Row]] = {}
    for ret in returns:
        base = {
            "document_key": f"return:{ret.pk}",
            "order_number": ret.order.number,
            "channel": ret.order.channel,
            "date": ret.created_at,
            "customer_code": customer_code(ret.order),
            "email": ret.order.email,
            "store": ret.location.code,
            "currency": "EUR",
        }
        rows: list[Row] = [
            {
                **base,
                "record": "TILL_RETURN",
                "amount_ttc": ret.total_gross,
                "reference": ret.number,
                "method": ret.refund_method,
            }
        ]
        for line in lines[ret.pk]:
            rows.append(
                {
                    **base,
                    "record": "TILL_RETURN_LINE",
                    "sku": line.order_line.sku,
                    "name": line.order_line.name,
                    "quantity": line.quantity,
                    "vat_rate": line.order_line.vat_rate,
                    "amount_ttc": line.refund_gross,
                    "status": line.condition,
                }
            )
        for refund in refunds[ret.pk]:
            rows.append(
                {
                    **base,
                    "record": "TILL_RETURN_REFUND",
                    "method": refund.tender,
                    "amount_ttc": refund.amount,
                    "reference": refund.reference,
                }
            )
        result[ret.pk] = rows
    return result
