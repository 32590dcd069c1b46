"""No dead ends after a payment that did not go through (issue 16).

A declined, failed or abandoned payment leaves its web order awaiting payment with its stock
reservations (``payment_outcomes.OrderPayments.payment_failed``). Until the reservation expires the
shopper may start another payment for the same order, with the same or another method
(``retry_payment``), or give up and take the items back to the cart (``checkout.restore_cart``).
After the expiry ``abandoned.cancel_abandoned_orders`` cancels the order and releases the stock.

A free order (a coupon or voucher covers everything) never goes to a provider: ``complete_free_order``
marks it paid by the orders app itself (``transition_order`` to paid, with a note), so every
``order.paid`` subscriber (shipments, invoicing, loyalty, reporting) sees it exactly as a paid
order; no zero ``Payment`` row is written, so invoices, ERP exports and payment facts list no
payment for the nothing that was paid.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import ReservationStatus

from ..errors import OrderNotAwaitingPayment, PaymentTimeExpired, ProviderNotAvailable
from ..models import Channel, Order, OrderLine, OrderStatus
from . import shop_options
from .placing import transition_order

if TYPE_CHECKING:
    from payments.services import PaymentStart

FREE_ORDER_NOTE = "free order: nothing to pay (no payment provider)"


def held_until(*, order: Order, now: dt.datetime | None = None) -> dt.datetime | None:
    """Until when the order's items are held for its payment: the earliest expiry of its active
    reservations; None when any line is no longer held (released, expired or never reserved)."""
    now = now or timezone.now()
    lines = list(
        OrderLine.objects.filter(order=order).values_list("reservation__status", "reservation__expires_at")
    )
    if not lines or any(
        status != ReservationStatus.ACTIVE or expires is None or expires <= now for status, expires in lines
    ):
        return None
    return min(expires for _, expires in lines)


def check_retry(*, order: Order, now: dt.datetime | None = None) -> dt.datetime:
    """Why another payment for ``order`` is refused, or until when it may be made.

    ``OrderNotAwaitingPayment`` (409) for an order paid, cancelled or past payment;
    ``PaymentTimeExpired`` (409) when its items are no longer held."""
    if order.channel != Channel.WEB or order.status != OrderStatus.PENDING_PAYMENT:
        if order.status == OrderStatus.CANCELLED:
            message = _("Order %(number)s was cancelled: it cannot be paid any more.")
        else:
            message = _("Order %(number)s is already paid.")
        raise OrderNotAwaitingPayment(
            message % {"number": order.number}, detail={"number": order.number, "status": order.status}
        )
    until = held_until(order=order, now=now)
    if until is None:
        raise PaymentTimeExpired(
            _("The time to pay for order %(number)s has run out: its items went back on sale.")
            % {"number": order.number},
            detail={"number": order.number, "status": order.status},
        )
    return until


def retry_payment(
    *,
    order: Order,
    provider: str,
    return_url: str,
    cancel_url: str,
    site_host: str | None = None,
) -> PaymentStart:
    """Start another payment for a web order still awaiting payment whose items are still held.

    Refused, with nothing written: an unavailable provider (``ProviderNotAvailable``, 400), an order
    not awaiting payment or whose time ran out (``check_retry``, 409), a bad return URL
    (``InvalidReturnUrl``, 400). ``payments.start_payment`` checks the order again under its row lock
    (a payment that succeeded meanwhile makes it ``OrderNotPayable``) and supersedes an older attempt
    still open; a late success of that older attempt after this one paid the order is refunded."""
    from payments import services as payments

    if provider not in payments.available_providers():
        raise ProviderNotAvailable(
            _("The payment method %(provider)s is not available.") % {"provider": provider or "?"},
            detail={"field": "provider", "provider": provider, "available": payments.available_providers()},
        )
    shop_options.check_payment_method(  # the order's shop still offers it (MethodNotOffered, 400)
        shop_options.shop_methods(order.shop_id), provider, configured=payments.available_providers()
    )
    check_retry(order=order)
    number = order.number
    return payments.start_payment(
        order=order,
        provider=provider,
        return_url=return_url.replace("{number}", number),
        cancel_url=cancel_url.replace("{number}", number),
        site_host=site_host,
    )


def complete_free_order(*, order: Order) -> Order:
    """Inside the caller's transaction (the checkout's): a web order awaiting payment whose total is
    zero becomes paid without any provider (see the module docstring). Anything else is left as it
    is and returned unchanged."""
    if order.status != OrderStatus.PENDING_PAYMENT or order.total_gross != 0:
        return order
    return transition_order(order=order, to_status=OrderStatus.PAID, note=FREE_ORDER_NOTE)


@transaction.atomic
def give_up_payment(*, order: Order) -> Order:
    """The shopper stops trying to pay an order awaiting payment with no payment in progress: it is
    cancelled now (its stock released) rather than at the reservation's expiry. Left as it is when
    paid, cancelled or a payment is still open (the provider may still settle it)."""
    from payments import selectors as payment_selectors

    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.status != OrderStatus.PENDING_PAYMENT:
        return locked
    if payment_selectors.payment_statuses(order_id=locked.pk) & set(payment_selectors.LIVE_STATUSES):
        return locked
    return transition_order(
        order=locked, to_status=OrderStatus.CANCELLED, note="the shopper took the items back to the cart"
    )
