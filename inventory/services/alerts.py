"""Low-stock thresholds and alerts: configuration and notices, not stock (no ledger row)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..errors import InvalidQuantity
from ..models import StockAlert, StockLevel
from .levels import _is_whole

if TYPE_CHECKING:
    from accounts.models import User
    from catalog.models import Variant

    from ..models import Location


def set_low_stock_threshold(*, variant: Variant, location: Location, threshold: int | None) -> StockLevel:
    """Thresholds are configuration, not stock: no ledger row, but the level row must exist."""
    if threshold is not None and (not _is_whole(threshold) or threshold < 0):
        raise InvalidQuantity("A threshold must be a whole number, zero or more.")
    level, _ = StockLevel.objects.get_or_create(variant=variant, location=location)
    StockLevel.objects.filter(pk=level.pk).update(low_stock_threshold=threshold)
    level.low_stock_threshold = threshold
    return level


def acknowledge_stock_alerts(*, alert_ids: Iterable[int], user: User | None) -> int:
    """Staff have seen these alerts. Configuration, not stock: no ledger row. Returns how many changed.

    An alert already acknowledged keeps its first acknowledgement (who and when).
    """
    return StockAlert.objects.filter(pk__in=list(alert_ids), acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=user if user and user.is_authenticated else None
    )


def notify_low_stock(*, alert_id: int) -> bool:
    """E-mail the location's store managers (or the fallback address) once per alert."""
    from django.core.mail import send_mail

    from accounts.models import Role

    with transaction.atomic():
        alert = (
            # of=("self",): lock the alert only. A bare FOR UPDATE with select_related would also lock the
            # variant, product and location rows and block every stock change at that location meanwhile.
            StockAlert.objects.select_for_update(of=("self",))
            .select_related("variant__product", "location")
            .filter(pk=alert_id)
            .first()
        )
        if alert is None or alert.emailed_at is not None:
            return False
        recipients = list(
            alert.location.staff_members.filter(groups__name=Role.STORE_MANAGER, is_active=True).values_list(
                "email", flat=True
            )
        ) or [settings.INVENTORY_ALERT_FALLBACK_EMAIL]
        alert.emailed_at = timezone.now()
        alert.save(update_fields=["emailed_at"])
    # Mark first, then send outside the transaction: at most one e-mail per alert.
    send_mail(
        subject=f"[{alert.location.code}] Low stock: {alert.variant.sku}",
        message=(
            f"{alert.variant.product.name} ({alert.variant.sku}) is down to {alert.available} available "
            f"at {alert.location.name}; the alert threshold is {alert.threshold}."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
    return True
