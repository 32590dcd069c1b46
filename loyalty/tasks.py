"""Thin Celery tasks of loyalty: each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="loyalty.tasks.reevaluate_tiers")
def reevaluate_tiers() -> dict[str, int]:
    """Beat, nightly: upgrades, grace periods and downgrades (``services.reevaluate_tiers``)."""
    from .services import reevaluate_tiers as review

    result = review()
    return {"upgraded": result.upgraded, "downgraded": result.downgraded, "in_grace": result.in_grace}


@shared_task(name="loyalty.tasks.send_tier_upgrade_email")
def send_tier_upgrade_email(account_id: int, tier_code: str) -> None:
    """Queued through the outbox by a tier upgrade: the congratulation e-mail."""
    from .notifications import send_tier_upgrade_email as send

    send(account_id=account_id, tier_code=tier_code)
