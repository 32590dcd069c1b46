"""Helpers for API tests (imported by tests/core and tests/inventory/test_api*.py)."""

from __future__ import annotations

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inventory.models import StockLevel, StockMovement


def api_client(user=None) -> APIClient:
    """An API client that authenticates the way outside systems do: ``Authorization: Token ...``."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def stock(variant, location) -> tuple[int, int]:
    """(on_hand, reserved), (0, 0) when there is no level row yet."""
    level = StockLevel.objects.filter(variant=variant, location=location).first()
    return (level.on_hand, level.reserved) if level else (0, 0)


def ledger_count() -> int:
    return StockMovement.objects.count()


def ledger_sum(variant, location) -> tuple[int, int]:
    rows = StockMovement.objects.filter(variant=variant, location=location).values_list(
        "quantity", "reserved_delta"
    )
    return sum(q for q, _ in rows), sum(r for _, r in rows)
