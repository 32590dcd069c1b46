"""Guest orders join the account once its e-mail address is verified (issue 16).

A shopper who paid as a guest and later signs up with the same address sees those orders in the
account, but only once the account proved the address is theirs (``accounts.services.verify_email``
publishes ``account.email_verified``; ``orders.subscribers`` calls ``attach_guest_orders`` in the
verification's transaction). Matching is case-insensitive on the whole address; orders of any other
address, orders already attached to an account and orders of other channels are never touched.
Running it again attaches nothing more (idempotent).

Loyalty points: web orders earn when paid or delivered (``LOYALTY_EARN_WEB_WHEN``) for the customer
the order has *at that moment*; a guest order earned nothing then, and attaching it later credits no
points (the ledger's reversals for returns and refunds made while it was a guest would not match).
Staff can credit points by hand if the business wants to.
"""

from __future__ import annotations

import logging

from django.db import transaction

from accounts.models import User
from core import events

from ..events import GuestOrdersAttached
from ..models import Channel, Order

logger = logging.getLogger(__name__)


@transaction.atomic
def attach_guest_orders(*, user_id: int, email: str) -> list[int]:
    """Attach the web orders placed without an account under ``email`` (any letter case) to the
    account ``user_id``, if that account's address is ``email`` and verified. Returns the ids of the
    orders attached now (empty when there were none, or the address is not the account's verified
    one)."""
    email = (email or "").strip()
    user = User.objects.filter(pk=user_id, is_active=True, email_verified_at__isnull=False).first()
    if user is None or not email or user.email.lower() != email.lower():
        return []
    guests = Order.objects.select_for_update().filter(
        customer__isnull=True, channel=Channel.WEB, email__iexact=user.email
    )
    ids = sorted(
        order.pk for order in guests.only("pk", "email") if order.email.lower() == user.email.lower()
    )
    if not ids:
        return []
    Order.objects.filter(pk__in=ids, customer__isnull=True).update(customer_id=user.pk)
    events.publish(GuestOrdersAttached(customer_id=user.pk, order_ids=tuple(ids)))
    logger.info("attached %d guest orders to customer %s", len(ids), user.pk)
    return ids
