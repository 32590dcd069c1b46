"""The orders' part of a customer's personal data: exported with the account, anonymised when it closes.

Registered with ``accounts.personal_data`` in ``orders.apps``. Orders stay for the books (lines,
totals, status trail); the person leaves them: e-mail replaced, phone blank, the shipping address
reduced to its country. Open carts are deleted.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from accounts.models import User
from accounts.personal_data import PersonalDataHolder, iso, money

from .models import Cart, Order, OrderLine, OrderStatusChange, Quote, QuoteLine


def export_orders(user: User) -> list[dict[str, Any]]:
    """Every order of the account, every channel; three queries whatever their number."""
    orders = (
        Order.objects.filter(customer=user)
        .select_related("location")
        .prefetch_related(
            models.Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
            models.Prefetch(
                "status_changes", queryset=OrderStatusChange.objects.order_by("created_at", "id")
            ),
        )
        .order_by("created_at", "id")
    )
    return [_order_data(order) for order in orders]


def erase_orders(user: User, email: str) -> None:
    orders = list(Order.objects.filter(customer=user).only("pk", "shipping_address"))
    for order in orders:
        order.email, order.phone = email, ""
        order.shipping_address = _anonymised_snapshot(order.shipping_address)
    Order.objects.bulk_update(orders, ["email", "phone", "shipping_address"], batch_size=500)
    Cart.objects.filter(user=user, order__isnull=True).delete()


HOLDER = PersonalDataHolder(section="orders", export=export_orders, erase=erase_orders)


def export_quotes(user: User) -> list[dict[str, Any]]:
    """The B2B quotes the account asked for, with their lines and the buyer's message; two queries."""
    quotes = (
        Quote.objects.filter(requested_by=user)
        .select_related("company", "order")
        .prefetch_related(models.Prefetch("lines", queryset=QuoteLine.objects.order_by("id")))
        .order_by("created_at", "id")
    )
    return [
        {
            "number": quote.number,
            "company": quote.company.name,
            "status": quote.status,
            "created_at": iso(quote.created_at),
            "valid_until": quote.valid_until.isoformat() if quote.valid_until else None,
            "message": quote.message,
            "currency": quote.currency,
            "total_net": money(quote.total_net),
            "total_gross": money(quote.total_gross),
            "order": quote.order.number if quote.order else None,
            "lines": [
                {
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "quoted_unit_price": f"{line.quoted_unit_price:.4f}",
                }
                for line in quote.lines.all()
            ],
        }
        for quote in quotes
    ]


def erase_quotes(user: User, email: str) -> None:
    """The quotes stay the company's (and the books'); the person leaves them: their message goes."""
    Quote.objects.filter(requested_by=user).update(message="", requested_by=None)


QUOTES_HOLDER = PersonalDataHolder(section="quotes", export=export_quotes, erase=erase_quotes)


def _anonymised_snapshot(snapshot: Any) -> dict[str, Any]:
    """An order's shipping address without the person: only the country stays (VAT, the books)."""
    if isinstance(snapshot, dict) and snapshot.get("country"):
        return {"country": snapshot["country"]}
    return {}


def _order_data(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "channel": order.channel,
        "status": order.status,
        "delivery_method": order.delivery_method,
        "location": order.location.name,
        "created_at": iso(order.created_at),
        "email": order.email,
        "phone": order.phone,
        "currency": order.currency,
        "total_net": money(order.total_net),
        "total_vat": money(order.total_vat),
        "total_gross": money(order.total_gross),
        "shipping_address": order.shipping_address or {},
        "carrier": order.carrier,
        "shipping_gross": money(order.shipping_gross),
        "discount_gross": money(order.discount_gross),
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price_net": f"{line.unit_price_net:.4f}",
                "vat_rate": f"{line.vat_rate:.4f}",
                "discount_gross": money(line.discount_gross),
                "total_gross": money(line.total_gross),
            }
            for line in order.lines.all()
        ],
        "status_history": [
            {"from": change.from_status, "to": change.to_status, "at": iso(change.created_at)}
            for change in order.status_changes.all()
        ],
    }
