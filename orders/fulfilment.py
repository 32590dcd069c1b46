"""What orders needs to know from the app that fulfils home deliveries, without importing it.

Orders sits below logistics (docs/architecture.md, "Ports"). Two questions only logistics can
answer, asked by orders' own services:

- ``units_beyond_recall(order_id)``: per ``OrderLine`` id, how many units are already packed or
  shipped. ``orders.services.cancel_order`` refuses to cancel them.
- ``parcels(order_id)``: the parcels of the order with their tracking links, for the "shipped"
  e-mail (``orders.notifications``).

Logistics implements ``FulfilmentState`` and registers it in its ``AppConfig.ready()`` with
``register_fulfilment_state``. Without one (logistics not installed, or in tests of orders alone)
``fulfilment_state()`` answers with ``NoFulfilment``: nothing is beyond recall, no parcels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ParcelInfo:
    carrier_name: str
    tracking_number: str
    tracking_url: str
    status: str


class FulfilmentState(Protocol):
    def units_beyond_recall(self, order_id: int) -> dict[int, int]:
        """Per OrderLine id, units already packed or shipped (lines with none may be left out)."""
        ...

    def parcels(self, order_id: int) -> list[ParcelInfo]:
        """The order's parcels, in the order they were packed."""
        ...


class NoFulfilment:
    """The default: no fulfilment app registered."""

    def units_beyond_recall(self, order_id: int) -> dict[int, int]:
        return {}

    def parcels(self, order_id: int) -> list[ParcelInfo]:
        return []


_DEFAULT = NoFulfilment()
_implementation: FulfilmentState | None = None


def register_fulfilment_state(implementation: FulfilmentState) -> None:
    global _implementation
    _implementation = implementation


def fulfilment_state() -> FulfilmentState:
    return _implementation if _implementation is not None else _DEFAULT
