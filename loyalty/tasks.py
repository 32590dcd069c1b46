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


@shared_task(name="loyalty.tasks.grant_personal_coupons")
def grant_personal_coupons() -> dict[str, int]:
    """Beat, daily: birthday and win-back coupons (``services_coupons.grant_personal_coupons``)."""
    from .services_coupons import grant_personal_coupons as grant

    run = grant()
    return {"birthday": run.birthday, "win_back": run.win_back}


@shared_task(name="loyalty.tasks.send_personal_coupon_email")
def send_personal_coupon_email(coupon_id: int) -> None:
    """Queued through the outbox with a birthday or win-back coupon: its e-mail."""
    from .notifications import send_personal_coupon_email as send

    send(coupon_id=coupon_id)
