"""The demo shopper's order history, placed through the real order services.

A paid home delivery and a click & collect order ready at the Ajaccio boutique, both from the first
in-stock variants there. Called once by ``demo.seed.accounts.seed()`` (only while the shopper has no
order).
"""

from __future__ import annotations

import logging

from django.db.models import F

from accounts.models import User
from core.errors import ApplicationError
from inventory.models import Location, StockLevel
from orders import services as orders
from orders.models import DeliveryMethod, OrderStatus

logger = logging.getLogger(__name__)


def seed_history(*, user: User, address: dict[str, str]) -> int:
    """Place and move along the two demo orders; returns how many were placed."""
    store = Location.objects.filter(code="AJA").first()
    if store is None:
        return 0
    levels = list(
        StockLevel.objects.filter(location=store, on_hand__gte=F("reserved") + 3, variant__is_active=True)
        .select_related("variant__product")
        .order_by("variant__sku")[:3]
    )
    if len(levels) < 3:
        return 0
    placed = 0
    try:
        home = orders.place_web_order(
            lines=[orders.LineInput(levels[0].variant, 2), orders.LineInput(levels[1].variant, 1)],
            location=store,
            delivery_method=DeliveryMethod.HOME,
            email=user.email,
            customer=user,
            phone=user.phone,
            language="fr",
            shipping_address=address,
        )
        orders.transition_order(order=home, to_status=OrderStatus.PAID, note="demo payment")
        placed += 1
        collect = orders.place_web_order(
            lines=[orders.LineInput(levels[2].variant, 1)],
            location=store,
            delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
            email=user.email,
            customer=user,
            phone=user.phone,
            language="fr",
        )
        orders.transition_order(order=collect, to_status=OrderStatus.PAID, note="demo payment")
        orders.transition_order(order=collect, to_status=OrderStatus.READY_FOR_PICKUP, note="demo")
        placed += 1
    except ApplicationError as exc:  # the demo catalog changed shape: keep what was placed
        logger.warning("demo: the shopper's order history not fully seeded: %s", exc.message)
    return placed
