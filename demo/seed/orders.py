"""The demo shopper's order history, placed through the real order services.

A paid home delivery and a click & collect order ready at the Ajaccio boutique, both from the first
in-stock variants there. Called once by ``demo.seed.accounts.seed()`` (only while the shopper has no
order).
"""

from __future__ import annotations

import logging

from accounts.models import User
from core.errors import ApplicationError
from inventory import selectors as stock_selectors
from inventory.models import Location
from orders import services as orders
from orders.models import DeliveryMethod, OrderStatus
from payments import services as payments

logger = logging.getLogger(__name__)


def seed_history(*, user: User, address: dict[str, str]) -> int:
    """Place and move along the two demo orders; returns how many were placed."""
    store = Location.objects.filter(code="AJA").first()
    if store is None:
        return 0
    variants = stock_selectors.variants_available_at(store, at_least=3, limit=3)
    if len(variants) < 3:
        return 0
    placed = 0
    try:
        home = orders.place_web_order(
            lines=[orders.LineInput(variants[0], 2), orders.LineInput(variants[1], 1)],
            location=store,
            delivery_method=DeliveryMethod.HOME,
            email=user.email,
            customer=user,
            phone=user.phone,
            language="fr",
            shipping_address=address,
        )
        _pay(home)
        placed += 1
        collect = orders.place_web_order(
            lines=[orders.LineInput(variants[2], 1)],
            location=store,
            delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
            email=user.email,
            customer=user,
            phone=user.phone,
            language="fr",
        )
        _pay(collect)
        orders.transition_order(order=collect, to_status=OrderStatus.READY_FOR_PICKUP, note="demo")
        placed += 1
    except ApplicationError as exc:  # the demo catalog changed shape: keep what was placed
        logger.warning("demo: the shopper's order history not fully seeded: %s", exc.message)
    return placed


def _pay(order) -> None:
    """Paid as a shopper pays, through the payments services: the test provider's card when it is
    on (the demo, development), else marked paid (its invoice then shows nothing paid yet)."""
    from django.conf import settings

    if settings.PAYMENTS_TEST_PROVIDER:
        start = payments.start_payment(order=order, provider="test", return_url="/", cancel_url="/")
        payments.confirm_test_payment(payment_id=start.payment_id, succeed=True)
    else:
        orders.transition_order(order=order, to_status=OrderStatus.PAID, note="demo payment")
