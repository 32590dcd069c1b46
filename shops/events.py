"""What shops tell the layers above them (``core.events``)."""

from __future__ import annotations

from dataclasses import dataclass

from core.events import Event


@dataclass(frozen=True)
class ShopsChanged(Event):
    """A shop, its host names, its look or its assortment changed: pages built for it are stale
    (the storefront's page cache subscribes)."""

    name = "shops.changed"
