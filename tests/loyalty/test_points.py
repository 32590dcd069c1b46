"""Earning and reversing points on both channels, through the real order and till services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from loyalty import services
from loyalty.models import CategoryMultiplier, EarnRule, EntryKind, LoyaltyAccount, PointsEntry
from orders.models import DeliveryMethod, OrderStatus
from orders.services import after_sales
from orders.services.after_sales import LineQuantity
from tests.invoicing.conftest import deliver

D = Decimal
pytestmark = pytest.mark.django_db


def balance(user) -> int:
    return LoyaltyAccount.objects.get(customer=user).balance


def test_web_order_earns_on_delivery_not_before_and_shipping_earns_nothing(customer, shop, web_order):
    # Given a paid web order: 2 tees (12.50) + 1 mug (6.00) = 31.00 TTC, shipping 4.90
    order = web_order(customer, [(shop.tee, 2), (shop.mug, 1)], shipping="4.90")
    assert order.status == OrderStatus.PAID
    assert not PointsEntry.objects.exists()  # paid is not "the customer's for good" by default
    # When it is delivered
    deliver(order)
    # Then 31 points (1 per euro, shipping excluded), once
    entry = PointsEntry.objects.get()
    assert (entry.kind, entry.points, entry.spend_eur, entry.source_key) == (
        EntryKind.EARN,
        31,
        D("31.00"),
        f"earn:order:{order.pk}",
    )
    assert balance(customer) == 31
    assert services.earn_for_order(order_id=order.pk) == entry  # idempotent
    assert balance(customer) == 31


def test_web_order_earns_when_paid_if_the_setting_says_so(settings, customer, shop, web_order):
    settings.LOYALTY_EARN_WEB_WHEN = "paid"
    web_order(customer, [(shop.tee, 1)])
    assert balance(customer) == 12


def test_click_and_collect_earns_when_collected(customer, shop, web_order):
    from orders import services as order_services

    order = web_order(customer, [(shop.mug, 2)], method=DeliveryMethod.CLICK_AND_COLLECT)
    order = order_services.transition_order(order=order, to_status=OrderStatus.READY_FOR_PICKUP)
    assert not PointsEntry.objects.exists()
    order_services.transition_order(order=order, to_status=OrderStatus.COMPLETED)
    assert balance(customer) == 12


def test_same_basket_same_points_on_web_and_till(customer, shop, web_order, till_sale):
    web = web_order(customer, [(shop.tee, 2), (shop.mug, 1)], shipping="4.90")
    deliver(web)
    till = till_sale(customer, [("TEE", 2), ("MUG", 1)], [("cash", "31.00")])
    web_points = PointsEntry.objects.get(order=web).points
    till_points = PointsEntry.objects.get(order=till).points
    assert web_points == till_points == 31
    assert balance(customer) == 62


def test_anonymous_till_sale_earns_nothing(shop, till_sale):
    till_sale(None, [("TEE", 1)], [("cash", "12.50")])
    assert not PointsEntry.objects.exists()


def test_category_multiplier_and_bonus_window(customer, shop, till_sale):
    rule = EarnRule.objects.get()
    CategoryMultiplier.objects.create(rule=rule, category=shop.mug.product.category, multiplier=D("3"))
    # the tee and the mug share a category in the factories unless told otherwise
    same_category = shop.tee.product.category_id == shop.mug.product.category_id
    order = till_sale(customer, [("TEE", 1), ("MUG", 1)], [("cash", "18.50")])
    expected = int(D("12.50") * (3 if same_category else 1) + D("6.00") * 3)
    assert PointsEntry.objects.get(order=order).points == expected


def test_till_return_reverses_pro_rata(customer, shop, till_sale, till_return):
    order = till_sale(customer, [("TEE", 2), ("MUG", 1)], [("cash", "31.00")])
    assert balance(customer) == 31
    # One tee back (12.50 of 31.00): round(31 x 12.50 / 31.00) = 13 points
    ret = till_return(order, [("TEE", 1)])
    entry = PointsEntry.objects.get(kind=EntryKind.REVERSE)
    assert (entry.points, entry.spend_eur, entry.source_key) == (-13, D("-12.50"), f"reverse:return:{ret.pk}")
    assert balance(customer) == 18
    # The rest back: never more than the order earned
    till_return(order, [("TEE", 1), ("MUG", 1)])
    assert balance(customer) == 0
    assert sum(PointsEntry.objects.values_list("points", flat=True)) == 0


def test_partial_refund_reverses_pro_rata_and_shipping_refund_nothing(customer, shop, web_order):
    order = deliver(web_order(customer, [(shop.tee, 2), (shop.mug, 1)], shipping="4.90"))
    assert balance(customer) == 31
    tee_line = order.lines.get(sku="TEE")
    action = after_sales.refund_order_part(
        order=order, lines=[LineQuantity(tee_line.pk, 1)], shipping=True, reason="damaged", user=None
    )
    entry = PointsEntry.objects.get(kind=EntryKind.REVERSE)
    # 12.50 of the 31.00 that earned (the 4.90 shipping refunded takes nothing back): 13 points
    assert (entry.points, entry.source_key) == (-13, f"reverse:action:{action.pk}")
    assert balance(customer) == 18


def test_cancelled_order_before_earning_gives_nothing(customer, shop, web_order):
    order = web_order(customer, [(shop.tee, 1)])
    after_sales.cancel_order(order=order, lines=None, user=None, reason="changed mind")
    assert not PointsEntry.objects.exists()


def test_adjust_refuses_without_reason_or_below_zero_and_writes_nothing(customer, shop):
    from loyalty.errors import InsufficientPoints, InvalidPoints, ReasonRequired

    with pytest.raises(ReasonRequired):
        services.adjust(customer=customer, points=10, reason=" ", staff=shop.cashier)
    with pytest.raises(InvalidPoints):
        services.adjust(customer=customer, points=0, reason="x", staff=shop.cashier)
    with pytest.raises(InsufficientPoints):
        services.adjust(customer=customer, points=-1, reason="oops", staff=shop.cashier)
    assert not PointsEntry.objects.exists()
    entry = services.adjust(customer=customer, points=50, reason="goodwill", staff=shop.cashier)
    assert (entry.kind, entry.points, entry.staff, entry.reason) == (
        EntryKind.ADJUST,
        50,
        shop.cashier,
        "goodwill",
    )
    assert balance(customer) == 50


def test_redeem_never_below_zero(customer, shop):
    from loyalty.errors import InsufficientPoints

    services.adjust(customer=customer, points=100, reason="welcome", staff=shop.cashier)
    services.redeem_points(customer=customer, points=60, key="a")
    with pytest.raises(InsufficientPoints):
        services.redeem_points(customer=customer, points=60, key="b")
    assert services.redeem_points(customer=customer, points=60, key="a").points == -60  # replay
    assert balance(customer) == 40


def test_check_loyalty_passes_then_names_a_mismatch(customer, shop, capsys):
    services.adjust(customer=customer, points=20, reason="welcome", staff=shop.cashier)
    call_command("check_loyalty")
    assert "OK: 1 accounts checked" in capsys.readouterr().out
    LoyaltyAccount.objects.filter(customer=customer).update(balance=25)  # a corrupted cache
    with pytest.raises(CommandError):
        call_command("check_loyalty")
    out = capsys.readouterr().out
    assert f"MISMATCH customer {customer.pk} ana@example.com: balance 25, ledger 20" in out
