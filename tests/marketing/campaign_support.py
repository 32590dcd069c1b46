"""Customers, orders and consents for the segment and campaign tests (written directly: a read test
controls the dates), and an e-mail backend that kills the "worker" in the middle of a batch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from inventory.models import Location, LocationKind
from marketing import services
from marketing.models import ConsentSource
from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus
from tests.accounts.portal_support import shopper


def customer(email: str, *, consent: bool = True, language: str = "fr", **fields):
    user = shopper(email=email, preferred_language=language, **fields)
    if consent:
        services.record_account_consent(
            user=user, granted=True, source=ConsentSource.SIGNUP_FORM, text_shown="Send me news"
        )
    return user


def order(
    user,
    *,
    days_ago: int,
    total: str = "50.00",
    channel: str = Channel.WEB,
    status: str = OrderStatus.COMPLETED,
    location=None,
    variant=None,
) -> Order:
    if location is None:
        location, _ = Location.objects.get_or_create(
            code="WH", defaults={"name": "Warehouse", "kind": LocationKind.WAREHOUSE}
        )
    count = Order.objects.count() + 1
    gross = Decimal(total)
    made = Order.objects.create(
        number=f"S{count:06d}",
        channel=channel,
        status=status,
        delivery_method=DeliveryMethod.IN_STORE if channel == Channel.STORE else DeliveryMethod.HOME,
        location=location,
        customer=user,
        email=user.email,
        total_net=gross,
        total_vat=Decimal("0"),
        total_gross=gross,
        total_gross_eur=gross,
    )
    Order.objects.filter(pk=made.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    if variant is not None:
        OrderLine.objects.create(
            order=made, variant=variant, sku=variant.sku, name=variant.product.name, quantity=1,
            unit_price_net=gross, vat_rate=Decimal("0"), total_net=gross, total_vat=Decimal("0"),
            total_gross=gross,
        )  # fmt: skip
    return made


class WorkerDied(BaseException):  # noqa: N818  (a kill, not an error the code could catch)
    """What a killed worker looks like to the code it was running: nothing after it runs."""


class CrashingBackend(LocmemBackend):
    """The local e-mail fake, but the worker dies while sending message number ``die_at`` (1-based):
    that message never leaves."""

    die_at: int | None = None
    calls = 0

    def send_messages(self, email_messages):
        CrashingBackend.calls += 1
        if CrashingBackend.die_at is not None and CrashingBackend.calls == CrashingBackend.die_at:
            raise WorkerDied()
        return super().send_messages(email_messages)
