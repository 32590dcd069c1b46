"""Loyalty API v1 for the till: a cashier identifies a customer and turns their points into a voucher.

``GET /api/v1/loyalty/customers/?q=`` finds customers the way the till does (exact loyalty card
number or its QR code, e-mail, or the last nine digits of a phone: ``pos.services.customers``) and
answers with each one's loyalty card: tier and its benefits, points, rewards available, the personal
vouchers and coupons they hold. ``GET /api/v1/loyalty/customers/{id}/`` is one card (the till asks
for it once the sale's customer is chosen). ``POST /api/v1/loyalty/customers/{id}/vouchers/``
spends ``LOYALTY_REWARD_POINTS`` for a voucher (``loyalty.services.convert_points_to_voucher``) and
answers with its code, which the till applies to the sale as a coupon.

Register users only (``pos.use_register``: cashiers, store managers, staff); a shopper gets 403 and
never converts anybody's points here (their own are the portal's). Only customer accounts are found:
an employee's id is a 404, like the till's sales. Thin: parse, authorise, call one service or
selector, render.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api import ServiceAPIView, error_responses, parse
from core.auth import signed_in_user
from core.idempotency import HEADER, idempotent
from core.schema import MAX_INT32, NO_NUL, VISIBLE, QueryParams
from pos.errors import UnknownCustomer
from pos.permissions import is_pos_user
from pos.services import customers as pos_customers
from pricing.models import Coupon, DiscountKind

from .. import selectors, services
from ..errors import CustomerNotFound
from ..models import Tier

TAGS = ["loyalty"]

CUSTOMER_ID = OpenApiParameter(
    "customer_id",
    {"type": "integer", "minimum": 1, "maximum": MAX_INT32},
    OpenApiParameter.PATH,
    description="The customer's user id (from the look-up). Unknown, inactive or an employee: 404.",
)


CUSTOMER_QUERY_HELP = (
    "A loyalty card number, an e-mail or a phone number: 3 to 254 characters, no space at either end."
)


class CustomerQuery(QueryParams):
    q = serializers.RegexField(
        rf"^{VISIBLE}(?:{NO_NUL}*{VISIBLE})?$",
        min_length=3,
        max_length=254,
        trim_whitespace=False,
        help_text=CUSTOMER_QUERY_HELP,
    )


class IsRegisterUser(BasePermission):
    message = "Only register users (cashiers, store managers, staff) may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_pos_user(request.user)


# --- shapes ---------------------------------------------------------------------------------------


class TillTierSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    earn_multiplier = serializers.DecimalField(max_digits=5, decimal_places=2)
    free_shipping = serializers.BooleanField()
    early_access = serializers.BooleanField()
    benefits = serializers.ListField(child=serializers.CharField(), help_text="In the cashier's language.")


class RewardsSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(
        help_text="balance // points_per_reward: vouchers the points can become."
    )
    points_per_reward = serializers.IntegerField()
    reward_eur = serializers.DecimalField(max_digits=12, decimal_places=2)


class VoucherSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    origin = serializers.CharField(help_text="loyalty_reward, birthday, win_back, tier_welcome, ...")
    origin_label = serializers.CharField(help_text="Where it came from, in the cashier's language.")
    kind = serializers.ChoiceField(choices=DiscountKind.choices)
    value = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text="EUR, or % when kind=percent."
    )
    min_basket_ttc = serializers.DecimalField(max_digits=12, decimal_places=2)
    expires_at = serializers.DateTimeField()


class TillCustomerSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    loyalty_card_number = serializers.CharField()
    tier = TillTierSerializer(allow_null=True)
    balance = serializers.IntegerField()
    rewards = RewardsSerializer()
    vouchers = VoucherSerializer(many=True, help_text="Personal vouchers and coupons usable now.")


class ConvertResponseSerializer(serializers.Serializer[Any]):
    voucher = VoucherSerializer()
    customer = TillCustomerSerializer(help_text="The customer's card after the conversion.")


class NoBody(serializers.Serializer[Any]):
    """The conversion takes no field: the customer is in the path, the amount in the settings."""


# --- rendering ------------------------------------------------------------------------------------


def tier_benefits(tier: Tier) -> list[str]:
    out = []
    if tier.discount_percent:
        out.append(
            _("%(percent)s %% off every purchase") % {"percent": f"{tier.discount_percent.normalize():f}"}
        )
    if tier.earn_multiplier and tier.earn_multiplier != 1:
        out.append(_("Points x%(factor)s") % {"factor": f"{tier.earn_multiplier.normalize():f}"})
    if tier.free_shipping:
        out.append(_("Free shipping"))
    if tier.early_access:
        out.append(_("Early access to sales"))
    return out


def voucher_row(coupon: Coupon) -> dict[str, Any]:
    promotion = coupon.promotion
    return {
        "code": coupon.code,
        "origin": coupon.origin,
        "origin_label": coupon.get_origin_display(),
        "kind": promotion.kind,
        "value": promotion.value,
        "min_basket_ttc": promotion.min_basket_ttc,
        "expires_at": promotion.ends_at,
    }


def customer_card(user: User) -> dict[str, Any]:
    overview = selectors.customer_overview(customer_id=user.pk)
    tier = overview.summary.tier
    row = pos_customers.customer_row(user)
    return {
        **row,
        "tier": None
        if tier is None
        else {
            "code": tier.code,
            "name": tier.name,
            "discount_percent": tier.discount_percent,
            "earn_multiplier": tier.earn_multiplier,
            "free_shipping": tier.free_shipping,
            "early_access": tier.early_access,
            "benefits": tier_benefits(tier),
        },
        "balance": overview.rewards.balance,
        "rewards": {
            "count": overview.rewards.count,
            "points_per_reward": overview.rewards.points_per_reward,
            "reward_eur": Decimal(overview.rewards.reward_eur),
        },
        "vouchers": [voucher_row(c) for c in overview.vouchers],
    }


def resolve_customer(customer_id: int) -> User:
    """An active customer account, never an employee (the till's own rule,
    ``pos.services.customers.customer_for_sale``): else 404 ``customer_not_found``."""
    if not 1 <= customer_id <= MAX_INT32:
        raise CustomerNotFound(detail={"customer": customer_id})
    try:
        customer = pos_customers.customer_for_sale(customer_id=customer_id)
    except UnknownCustomer:
        raise CustomerNotFound(detail={"customer": customer_id}) from None
    assert customer is not None  # an id was given
    return customer


# --- views ----------------------------------------------------------------------------------------


class TillCustomerLookupView(GenericAPIView[Any]):
    permission_classes = [IsAuthenticated, IsRegisterUser]
    serializer_class = TillCustomerSerializer
    pagination_class = None
    queryset = User.objects.none()  # for the schema generator only: the service finds the customers

    @extend_schema(
        operation_id="loyalty_till_customers",
        tags=TAGS,
        summary="Identify a loyalty customer at the till",
        description="Exact loyalty card number (typed or read from the QR code of the customer's web "
        "account), e-mail, or phone number (the last nine digits): at most 10 customers, each with "
        "tier and benefits, points, rewards available and vouchers held. Register users only (403).",
        parameters=[CustomerQuery],
        responses={200: TillCustomerSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        users = pos_customers.find_customers(q=parse(CustomerQuery, request.query_params)["q"])
        return Response(TillCustomerSerializer([customer_card(u) for u in users], many=True).data)


class TillCustomerView(GenericAPIView[Any]):
    permission_classes = [IsAuthenticated, IsRegisterUser]
    serializer_class = TillCustomerSerializer

    @extend_schema(
        operation_id="loyalty_till_customer",
        tags=TAGS,
        summary="A customer's loyalty card at the till",
        description="Tier and benefits, points, rewards available, vouchers held. Register users only.",
        parameters=[CUSTOMER_ID],
        responses={200: TillCustomerSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, customer_id: int) -> Response:
        return Response(TillCustomerSerializer(customer_card(resolve_customer(customer_id))).data)


class TillConvertView(ServiceAPIView):
    permission_classes = [IsAuthenticated, IsRegisterUser]

    @extend_schema(
        operation_id="loyalty_till_convert",
        tags=TAGS,
        summary="Turn a customer's points into a voucher (till)",
        description="Spends `LOYALTY_REWARD_POINTS` points of the customer for a personal, single-use "
        "voucher of `LOYALTY_REWARD_EUR` (web and till); answers with its code, to apply to the sale "
        "as a coupon. Send an `Idempotency-Key`: a retry returns the same voucher. 409 "
        "`insufficient_points` (nothing written), 404 `customer_not_found`, 403 for anyone but register "
        "users, 422 a reused key with another request.",
        parameters=[CUSTOMER_ID],
        request=NoBody,
        responses={201: ConvertResponseSerializer, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request, customer_id: int) -> Response:
        user = signed_in_user(request.user)
        parse(NoBody, request.data)
        customer = resolve_customer(customer_id)
        header = request.headers.get(HEADER)
        key = f"till:{user.pk}:{header}" if header else f"till:{user.pk}:{uuid.uuid4()}"
        coupon = services.convert_points_to_voucher(customer=customer, key=key)
        body = {"voucher": voucher_row(coupon), "customer": customer_card(customer)}
        return Response(ConvertResponseSerializer(body).data, status=201)
