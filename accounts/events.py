"""What accounts tell the layers above them (``core.events``): ids only, no models."""

from __future__ import annotations

from dataclasses import dataclass

from core.events import Event


@dataclass(frozen=True)
class CustomerUpdated(Event):
    """A customer account was created or its details changed (profile page, ERP webservice)."""

    name = "customer.updated"

    user_id: int
    created: bool = False
