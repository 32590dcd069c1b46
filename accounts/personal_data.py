"""Who keeps personal data about a customer, and how each exports and erases it (GDPR art. 15-20).

accounts sits low in the layers (docs/architecture.md): it cannot import the apps that keep data
about a customer (orders, reviews ...). Each of those registers a ``PersonalDataHolder`` in its
``AppConfig.ready()``; ``accounts.services.export_customer_data`` and ``close_account`` call every
holder, by section name, inside their own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import User


@dataclass(frozen=True)
class PersonalDataHolder:
    section: str  # the key of its part in the export: "orders", "reviews"
    export: Callable[[User], Any]  # plain JSON values, a fixed number of queries
    erase: Callable[[User, str], None]  # (user, anonymised e-mail): remove or anonymise, keep the books


_holders: dict[str, PersonalDataHolder] = {}


def register(holder: PersonalDataHolder) -> None:
    _holders[holder.section] = holder


def holders() -> list[PersonalDataHolder]:
    """Every holder, by section name (so an export's keys come in a stable order)."""
    return [_holders[section] for section in sorted(_holders)]


def iso(value: dt.datetime | None) -> str | None:
    """Dates in an export: ISO 8601 in UTC."""
    return value.astimezone(dt.UTC).isoformat() if value else None


def money(value: Decimal) -> str:
    """Amounts in an export: exact, as strings."""
    return f"{value:.2f}"
