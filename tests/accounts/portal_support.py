"""Helpers shared by the customer portal tests (tests/accounts/test_portal*.py, test_data_export.py,
tests/orders/test_orders_api.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import Address, CustomerProfile, Role, User
from accounts.roles import assign_role
from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus, OrderStatusChange
from tests.factories import LocationFactory, VariantFactory

PASSWORD = "pass-1234-word"
BASE_TIME = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def shopper(email: str = "ana@example.com", **fields) -> User:
    """A shopper as sign-up makes one: shopper role and a customer profile."""
    user = User.objects.create_user(email=email, password=PASSWORD, **fields)
    assign_role(user, Role.SHOPPER)
    CustomerProfile.objects.create(user=user)
    return user


def address(user: User, **fields) -> Address:
    values = {
        "first_name": "Ana",
        "last_name": "Rossi",
        "line1": "3 rue Fesch",
        "postal_code": "20000",
        "city": "Ajaccio",
        "country": "FR",
    }
    values.update(fields)
    return Address.objects.create(user=user, **values)


def order(
    customer: User | None,
    number: str,
    *,
    channel: str = Channel.WEB,
    status: str = OrderStatus.PAID,
    delivery_method: str | None = None,
    location=None,
    lines: list[tuple[str, int, str]] | None = None,
    days_ago: int = 0,
    currency: str = "EUR",
    **fields,
) -> Order:
    """An order as the services leave it (lines, totals, status trail), written directly so a read test
    controls every value. ``lines`` are (sku, quantity, line gross TTC at 20 % VAT)."""
    location = location or LocationFactory(code="AJA", name="Ajaccio")
    if delivery_method is None:
        delivery_method = DeliveryMethod.IN_STORE if channel == Channel.STORE else DeliveryMethod.HOME
    lines = lines or [("TEE", 2, "25.00")]
    gross = sum((Decimal(total) for _sku, _q, total in lines), Decimal("0"))
    net = (gross / Decimal("1.2")).quantize(Decimal("0.01"))
    created = BASE_TIME - dt.timedelta(days=days_ago)
    made = Order.objects.create(
        number=number,
        channel=channel,
        status=status,
        delivery_method=delivery_method,
        location=location,
        customer=customer,
        email=fields.pop("email", customer.email if customer else ""),
        currency=currency,
        total_net=net,
        total_vat=gross - net,
        total_gross=gross,
        total_gross_eur=gross,
        **fields,
    )
    Order.objects.filter(pk=made.pk).update(created_at=created)
    made.refresh_from_db()
    for sku, quantity, total in lines:
        variant = VariantFactory(sku=f"{number}-{sku}", product__name=f"Product {sku}")
        line_gross = Decimal(total)
        line_net = (line_gross / Decimal("1.2")).quantize(Decimal("0.01"))
        OrderLine.objects.create(
            order=made,
            variant=variant,
            sku=sku,
            name=f"Product {sku}",
            quantity=quantity,
            unit_price_net=(line_net / quantity).quantize(Decimal("0.0001")),
            vat_rate=Decimal("0.2000"),
            total_net=line_net,
            total_vat=line_gross - line_net,
            total_gross=line_gross,
        )
    trail = [("", OrderStatus.PENDING_PAYMENT), (OrderStatus.PENDING_PAYMENT, status)]
    if channel == Channel.STORE or status == OrderStatus.PENDING_PAYMENT:
        trail = [("", status)]
    for minutes, (from_status, to_status) in enumerate(trail):
        change = OrderStatusChange.objects.create(order=made, from_status=from_status, to_status=to_status)
        OrderStatusChange.objects.filter(pk=change.pk).update(
            created_at=created + dt.timedelta(minutes=minutes)
        )
    return made
