"""The live stock push: after a change commits, its figures go to the location's Channels group.

Message (what every POS tablet and storefront page receives)::

    {"type": "stock.changed", "sku", "location", "on_hand", "reserved", "available", "version"}

``version`` grows with every change of that level, so a client that receives two messages out of
order (they can come through different processes) keeps the higher one.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

if TYPE_CHECKING:
    from .models import StockLevel

logger = logging.getLogger(__name__)

GROUP_PREFIX = "stock."


def location_group(location_code: str) -> str:
    return f"{GROUP_PREFIX}{location_code}"


def level_message(level: StockLevel) -> dict[str, Any]:
    return {
        "type": "stock.changed",
        "sku": level.variant.sku,
        "location": level.location.code,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "available": level.on_hand - level.reserved,
        "version": level.version,
    }


def broadcast_level(message: dict[str, Any]) -> None:
    """Send one committed change to its location's group. Never raises: stock is already committed."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(location_group(message["location"]), message)
    except Exception:  # a push that fails must not fail the sale; clients resync on reconnect
        logger.exception("stock push failed for %s@%s", message.get("sku"), message.get("location"))
