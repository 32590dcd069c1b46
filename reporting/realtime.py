"""The dashboard's live figures: after a refresh touched today, every open overview is told which
locations changed and fetches its figures again (``reporting.consumers``). The message carries no
figures: a store manager's socket must not receive another store's revenue."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from .facts import DayKey

GROUP = "reporting.today"
MESSAGE_TYPE = "today.changed"
logger = logging.getLogger(__name__)


def announce(keys: set[DayKey]) -> None:
    today = timezone.localdate()
    locations = sorted({location or 0 for day, location, _channel, _shop in keys if day == today})
    if not locations:
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(GROUP, {"type": MESSAGE_TYPE, "locations": locations})
    except Exception:  # the figures are committed; a dashboard missing one push refreshes on its timer
        logger.warning("reporting: could not announce today's change", exc_info=True)
