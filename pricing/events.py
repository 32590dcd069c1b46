"""What pricing tells the layers above it (``core.events``)."""

from __future__ import annotations

from dataclasses import dataclass

from core.events import Event


@dataclass(frozen=True)
class PricesChanged(Event):
    """A currency rate, a price list or a promotion changed: any price shown anywhere may be stale."""

    name = "pricing.prices_changed"
