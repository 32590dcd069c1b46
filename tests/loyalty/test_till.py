"""Loyalty at the till: the cashier identifies a customer (card, e-mail, phone) and sees tier, points,
rewards and vouchers; turns points into a voucher and applies its code to the sale; the receipt
prints the points the sale earned and the new balance; a sale made offline earns when it syncs."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import CustomerProfile
from loyalty import services
from loyalty.models import EntryKind, LoyaltyAccount, PointsEntry, Tier
from pos.loyalty_port import receipt_points, register_receipt_points
from pos.services.sales import SaleLineInput, TenderInput, record_sale
from pricing import services as pricing
from pricing.models import Coupon, CouponOrigin, CouponRedemption, Promotion
from tests.factories import UserFactory, staff

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/loyalty/customers/"
ACCOUNT = "/api/v1/loyalty/"
SYNC = "/api/v1/pos/sales/sync/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def card_url(user) -> str:
    return f"{CUSTOMERS}{user.pk}/"


def convert_url(user) -> str:
    return f"{CUSTOMERS}{user.pk}/vouchers/"


def make_gold(user, points: int) -> None:
    """A gold member with ``points``: the tier on the account and its benefit where carts read it."""
    gold = Tier.objects.get(code="gold")
    services.adjust(customer=user, points=points, reason="opening balance", staff=None)
    LoyaltyAccount.objects.filter(customer=user).update(tier=gold, tier_since=timezone.now())
    pricing.set_customer_benefit(
        customer_id=user.pk,
        discount_percent=gold.discount_percent,
        free_shipping=gold.free_shipping,
        early_access=gold.early_access,
        source="loyalty tier gold",
    )


@pytest.fixture
def member(customer):
    """Ana Rossi with a loyalty card and a phone, gold, 250 points."""
    CustomerProfile.objects.create(user=customer, loyalty_card_number="LC0000000777")
    customer.phone = "06 12 34 56 78"
    customer.save(update_fields=["phone"])
    make_gold(customer, 250)
    return customer


def ledger():
    return (PointsEntry.objects.count(), Coupon.objects.count(), Promotion.objects.count())


# --- identify -------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["LC0000000777", "lc0000000777", "ana@example.com", "+33 6 12 34 56 78"])
def test_cashier_identifies_by_card_email_or_phone_and_sees_tier_points_rewards(
    q, member, shop, django_assert_max_num_queries
):
    voucher = services.convert_points_to_voucher(customer=member, key="earlier")
    with django_assert_max_num_queries(12):
        response = client_for(shop.cashier).get(CUSTOMERS, {"q": q}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.json()
    [card] = response.json()
    assert (card["id"], card["name"], card["loyalty_card_number"]) == (member.pk, "Ana Rossi", "LC0000000777")
    assert card["tier"]["code"] == "gold"
    assert card["tier"]["name"] == "Gold"
    assert card["tier"]["discount_percent"] == "5.00"
    assert card["tier"]["benefits"] == ["5 % off every purchase", "Points x1.25", "Free shipping"]
    assert card["balance"] == 150
    assert card["rewards"] == {"count": 1, "points_per_reward": 100, "reward_eur": "5.00"}
    [held] = card["vouchers"]
    assert held["code"] == voucher.code
    assert (held["origin"], held["kind"], held["value"]) == ("loyalty_reward", "fixed", "5.00")
    assert held["expires_at"]


def test_card_by_id_and_refusals(member, shop):
    cashier = client_for(shop.cashier)
    body = cashier.get(card_url(member)).json()
    assert (body["balance"], body["rewards"]["count"]) == (250, 2)
    assert cashier.get(f"{CUSTOMERS}999999/").status_code == 404
    employee = staff(email="agent@example.com")
    response = cashier.get(card_url(employee))
    assert (response.status_code, response.json()["code"]) == (404, "customer_not_found")
    assert cashier.get(CUSTOMERS, {"q": "ab"}).status_code == 400
    assert cashier.get(CUSTOMERS).status_code == 400


def test_shoppers_and_strangers_may_not_use_the_till_endpoints(member, shop):
    other = UserFactory(email="other@example.com")
    before = ledger()
    for user in (member, other):
        client = client_for(user)
        assert client.get(card_url(member)).status_code == 403
        assert client.get(CUSTOMERS, {"q": "LC0000000777"}).status_code == 403
        response = client.post(convert_url(member), {}, format="json", HTTP_IDEMPOTENCY_KEY="steal")
        assert response.status_code == 403
    assert APIClient().post(convert_url(member), {}, format="json").status_code in (401, 403)
    assert ledger() == before
    assert LoyaltyAccount.objects.get(customer=member).balance == 250


def test_the_customers_own_account_endpoint_still_answers(member):
    response = client_for(member).get(ACCOUNT)
    assert response.status_code == 200
    assert (response.json()["balance"], response.json()["tier"]["code"]) == (250, "gold")


# --- convert --------------------------------------------------------------------------------------


def test_cashier_converts_points_once_per_key_and_the_code_pays_part_of_the_sale(member, shop):
    client = client_for(shop.cashier)
    first = client.post(convert_url(member), {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.json()
    body = first.json()
    code = body["voucher"]["code"]
    assert (body["voucher"]["origin"], body["voucher"]["value"]) == ("loyalty_reward", "5.00")
    assert body["customer"]["balance"] == 150
    assert body["customer"]["rewards"]["count"] == 1
    assert [v["code"] for v in body["customer"]["vouchers"]] == [code]
    again = client.post(convert_url(member), {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (again.status_code, again.json()["voucher"]["code"]) == (201, code)
    coupon = Coupon.objects.get(code=code)
    assert (coupon.customer, coupon.origin, coupon.max_uses) == (member, CouponOrigin.LOYALTY_REWARD, 1)
    redeem = PointsEntry.objects.get(kind=EntryKind.REDEEM)
    assert (redeem.points, redeem.coupon) == (-100, coupon)

    # Tee 12.50 x 2 = 25.00; gold -5 % = 1.25; the voucher -5.00: 18.75 to pay.
    result = record_sale(
        session=shop.session,
        user=shop.cashier,
        client_uuid=uuid.uuid4(),
        lines=[SaleLineInput(sku="TEE", quantity=2)],
        tenders=[TenderInput(kind="cash", amount=D("20.00"))],
        customer=member,
        coupon_code=code,
    )
    order = result.order
    assert (order.total_gross, order.discount_gross, result.change_due) == (D("18.75"), D("6.25"), D("1.25"))
    assert CouponRedemption.objects.get(coupon=coupon).reference == order.number
    earned = PointsEntry.objects.get(order=order, kind=EntryKind.EARN)
    assert earned.points == 23  # floor(18.75 x 1.25, gold's multiplier)
    assert LoyaltyAccount.objects.get(customer=member).balance == 150 + 23


def test_too_few_points_is_a_409_and_writes_nothing(customer, shop):
    services.adjust(customer=customer, points=99, reason="almost", staff=None)
    before = ledger()
    response = client_for(shop.cashier).post(
        convert_url(customer), {}, format="json", HTTP_IDEMPOTENCY_KEY="x"
    )
    assert (response.status_code, response.json()["code"]) == (409, "insufficient_points")
    assert ledger() == before
    assert LoyaltyAccount.objects.get(customer=customer).balance == 99


@pytest.mark.parametrize("body", [[1, 2], "points", 7])
def test_bad_body_is_a_400_and_writes_nothing(member, shop, body):
    before = ledger()
    response = client_for(shop.cashier).post(convert_url(member), body, format="json")
    assert response.status_code == 400
    assert ledger() == before


def test_unknown_customer_or_employee_is_a_404_and_writes_nothing(member, shop):
    before = ledger()
    client = client_for(shop.cashier)
    assert client.post(f"{CUSTOMERS}424242/vouchers/", {}, format="json").status_code == 404
    assert client.post(convert_url(shop.cashier), {}, format="json").status_code == 404
    assert ledger() == before


def test_a_reused_key_with_another_request_is_a_422(member, shop):
    client = client_for(shop.cashier)
    assert client.post(convert_url(member), {}, format="json", HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    other = UserFactory(email="other@example.com")
    make_gold(other, 300)
    response = client.post(convert_url(other), {}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 422
    assert LoyaltyAccount.objects.get(customer=other).balance == 300


# --- receipt --------------------------------------------------------------------------------------


def test_receipt_prints_points_earned_and_new_balance_and_the_member_discount(member, shop, till_sale):
    order = till_sale(member, [("TEE", 4)], [("cash", "50.00")])
    # 50.00 - 5 % = 47.50 -> floor(47.50 x 1.25) = 59 points
    assert PointsEntry.objects.get(order=order, kind=EntryKind.EARN).points == 59
    services.adjust(customer=member, points=5, reason="later", staff=None)  # the reprint stays the same
    client = Client()
    client.force_login(shop.cashier)
    page = client.get(f"/pos/receipt/{order.number}/").content.decode()
    assert 'class="ticket__loyalty"' in page
    assert "+59" in page
    assert ">309<" in page  # 250 + 59, the balance right after the sale
    assert "−5 %</dt>" in page  # "Gold member −5 %", in the cashier's language
    assert re.search(r"−5 %</dt><dd>-2[.,]50</dd>", page)


def test_anonymous_sale_prints_no_points_and_nothing_without_loyalty(member, shop, till_sale):
    anonymous = till_sale(None, [("TEE", 1)], [("cash", "20.00")])
    assert receipt_points(order_id=anonymous.pk, customer_id=None) is None
    client = Client()
    client.force_login(shop.cashier)
    assert "ticket__loyalty" not in client.get(f"/pos/receipt/{anonymous.number}/").content.decode()
    order = till_sale(member, [("TEE", 1)], [("cash", "20.00")])
    from loyalty.receipts import LoyaltyReceiptPoints

    register_receipt_points(None)
    try:
        assert receipt_points(order_id=order.pk, customer_id=member.pk) is None
    finally:
        register_receipt_points(LoyaltyReceiptPoints())


# --- offline --------------------------------------------------------------------------------------


def test_a_sale_made_offline_earns_when_it_syncs_once(member, shop):
    sale = {
        "uuid": str(uuid.uuid4()),
        "session": shop.session.pk,
        "lines": [{"sku": "TEE", "quantity": 2}],
        "tenders": [{"kind": "cash", "amount": "25.00"}],
        "customer": member.pk,
        "offline": True,
        "sold_at": (timezone.now() - dt.timedelta(minutes=20)).isoformat(),
    }
    client = client_for(shop.cashier)
    for _ in range(2):  # the queue sends it again: it earns once
        response = client.post(SYNC, {"sales": [sale]}, format="json")
        assert response.status_code == 200, response.json()
    earned = PointsEntry.objects.get(kind=EntryKind.EARN)
    # 25.00 - 5 % = 23.75 -> floor(23.75 x 1.25) = 29 points
    assert (earned.points, earned.order.reference) == (29, sale["uuid"])
    assert earned.order.pos_sale.was_offline
    assert LoyaltyAccount.objects.get(customer=member).balance == 250 + 29
