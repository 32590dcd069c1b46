"""What inventory tells the layers above it (``core.events``): plain ids and figures, no models."""

from __future__ import annotations

from dataclasses import dataclass

from core.events import Event


@dataclass(frozen=True)
class StockLevelChanged(Event):
    """One stock level moved (receipt, sale, reservation, count, transfer leg...), as it now is.

    ``crossed_zero``: the variant became available at this location, or stopped being available
    (``available`` went from 0 or less to more, or back), so listings' "in stock" states may change.
    """

    name = "stock.level_changed"

    variant_id: int
    product_id: int
    location_id: int
    on_hand: int
    reserved: int
    available: int
    crossed_zero: bool
