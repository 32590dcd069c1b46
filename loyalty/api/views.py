"""Loyalty API v1: the caller's own account and history, and the staff adjustment.

``GET /api/v1/loyalty/`` (tier, balance, 12-month spend, progress to the next tier, the latest
entries), ``GET /api/v1/loyalty/history/`` (the ledger, newest first, limit/offset) and
``POST /api/v1/loyalty/adjustments/`` (staff: customer id, signed points, reason; ``Idempotency-Key``
honoured and passed to the service). Thin: parse, authorise, call one service or selector, render.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.filters import BaseFilterBackend
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api import ServiceAPIView, error_responses, parse
from core.auth import signed_in_user
from core.errors import PermissionDenied
from core.idempotency import HEADER, idempotent
from core.schema import MAX_INT32, StrictLimitOffsetPagination

from .. import selectors, services
from ..errors import CustomerNotFound
from ..models import EntryKind, PointsEntry

TAGS = ["loyalty"]
RECENT = 10


class TierSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    threshold_eur = serializers.DecimalField(max_digits=12, decimal_places=2)
    earn_multiplier = serializers.DecimalField(max_digits=5, decimal_places=2)
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    free_shipping = serializers.BooleanField()
    early_access = serializers.BooleanField()


class EntrySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    points = serializers.IntegerField(help_text="Signed.")
    order = serializers.CharField(allow_null=True, help_text="The order's number, if any.")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class AccountSerializer(serializers.Serializer[Any]):
    balance = serializers.IntegerField()
    tier = TierSerializer(allow_null=True)
    tier_since = serializers.DateTimeField(allow_null=True)
    spend_12m = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="TTC, EUR.")
    next_tier = TierSerializer(allow_null=True)
    to_next_tier = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="EUR still to spend.")
    progress_percent = serializers.IntegerField()
    history = EntrySerializer(many=True, help_text=f"The latest {RECENT} entries.")


class AdjustRequestSerializer(serializers.Serializer[Any]):
    customer = serializers.IntegerField(min_value=1, max_value=MAX_INT32, help_text="The customer's user id.")
    points = serializers.IntegerField(
        min_value=-1_000_000, max_value=1_000_000, help_text="Signed, not zero."
    )
    reason = serializers.CharField(max_length=250)


class AdjustResponseSerializer(serializers.Serializer[Any]):
    entry = EntrySerializer()
    balance = serializers.IntegerField()


def entry_row(entry: PointsEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "points": entry.points,
        "order": entry.order.number if entry.order is not None else None,
        "reason": entry.reason,
        "created_at": entry.created_at,
    }


def account_body(customer_id: int) -> dict[str, Any]:
    summary = selectors.account_summary(customer_id=customer_id)
    return {
        "balance": summary.balance,
        "tier": summary.tier,
        "tier_since": summary.tier_since,
        "spend_12m": summary.spend_12m,
        "next_tier": summary.next_tier,
        "to_next_tier": summary.to_next_tier,
        "progress_percent": summary.progress_percent,
        "history": [entry_row(e) for e in selectors.history(customer_id=customer_id)[:RECENT]],
    }


class HistoryPagination(StrictLimitOffsetPagination):
    default_limit = 20
    max_limit = 100


class LoyaltyAccountView(GenericAPIView[Any]):
    permission_classes = [IsAuthenticated]
    serializer_class = AccountSerializer

    @extend_schema(
        operation_id="loyalty_account",
        tags=TAGS,
        summary="My loyalty account",
        description="The caller's points balance, tier and its benefits, 12-month spend, the next tier "
        "and how far it is, and the latest entries of the ledger.",
        responses={200: AccountSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        user = signed_in_user(request.user)
        return Response(AccountSerializer(account_body(user.pk)).data)


class LoyaltyHistoryView(GenericAPIView[Any]):
    permission_classes = [IsAuthenticated]
    serializer_class = EntrySerializer
    pagination_class = HistoryPagination
    filter_backends: list[type[BaseFilterBackend]] = []

    @extend_schema(
        operation_id="loyalty_history",
        tags=TAGS,
        summary="My points history",
        description="The caller's ledger, newest first; `limit` (default 20, at most 100) and `offset`.",
        responses={200: EntrySerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        user = signed_in_user(request.user)
        page = self.paginate_queryset(selectors.history(customer_id=user.pk))
        assert page is not None  # pagination_class is set
        return self.get_paginated_response(EntrySerializer([entry_row(e) for e in page], many=True).data)


class LoyaltyAdjustView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="loyalty_adjust",
        tags=TAGS,
        summary="Adjust a customer's points (staff)",
        description="Staff and managers: add or remove points with a reason; the entry names the staff "
        "member. 400 `invalid` / `invalid_points` / `reason_required`, 404 `customer_not_found`, 409 "
        "`insufficient_points` below zero, 403 for anyone else. Nothing is written when refused.",
        request=AdjustRequestSerializer,
        responses={201: AdjustResponseSerializer, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        user = signed_in_user(request.user)
        if not user.has_perm("loyalty.add_pointsentry"):
            raise PermissionDenied("Only staff may adjust points.")
        data = parse(AdjustRequestSerializer, request.data)
        customer = User.objects.filter(pk=data["customer"], is_active=True).first()
        if customer is None:
            raise CustomerNotFound(detail={"customer": data["customer"]})
        entry = services.adjust(
            customer=customer,
            points=data["points"],
            reason=data["reason"],
            staff=user,
            key=f"{user.pk}:{request.headers.get(HEADER)}" if request.headers.get(HEADER) else "",
        )
        balance = selectors.account_summary(customer_id=customer.pk).balance
        return Response(
            AdjustResponseSerializer({"entry": entry_row(entry), "balance": balance}).data, status=201
        )
