"""``/api/v1/b2b/approvals/``: a company approver's orders to decide, over the API (issue 17).

The same rules as the portal's page (``orders.services.b2b_terms``): only an approver or admin of the
company sees its pending orders, of the shop the request's host names; approving an order on terms
checks the credit limit and overdue invoices again (409), rejecting cancels it and frees its units.
An order that is not this approver's to decide is a 404, whatever the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ServiceAPIView, error_responses, parse
from core.idempotency import idempotent

from ..models import Order
from ..services import b2b_terms

if TYPE_CHECKING:
    from accounts.models import User


class ApprovalLineSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    total_net = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="EUR HT, after discounts."
    )


class ApprovalSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    created_at = serializers.DateTimeField()
    buyer = serializers.EmailField(source="email")
    status = serializers.CharField()
    approval = serializers.CharField(help_text="`pending`, `approved` or `rejected`.")
    payment_terms = serializers.CharField(help_text="The company's terms, empty when paid online.")
    total_net = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_gross = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    lines = ApprovalLineSerializer(many=True, source="lines.all")


class ApprovalListSerializer(serializers.Serializer[Any]):
    results = ApprovalSerializer(many=True)


class RejectSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


def _body(order: Order) -> dict[str, Any]:
    return dict(ApprovalSerializer(order).data)


class ApprovalListView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="b2b_approvals_list",
        tags=["b2b"],
        summary="Orders waiting for my approval",
        description="The orders of the caller's company above its approval limit, oldest first, placed "
        "on the shop of the request's host. Empty for a user who approves nothing.",
        responses={200: ApprovalListSerializer, **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        pending = b2b_terms.pending_approvals(cast("User", request.user), shop=getattr(request, "shop", None))
        return Response({"results": [_body(order) for order in pending]})


class ApprovalApproveView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="b2b_approvals_approve",
        tags=["b2b"],
        summary="Approve an order",
        description="On terms: the credit limit and overdue invoices are checked again (409 "
        "`credit_limit_reached` / `terms_blocked`), then the order is accepted with its due date. "
        "Paid online: the buyer is told to pay. 409 `not_awaiting_approval` when it was decided already.",
        request=None,
        responses={200: ApprovalSerializer, **error_responses(401, 404, 409, 422)},
    )
    @idempotent
    def post(self, request: Request, number: str) -> Response:
        user = cast("User", request.user)
        order = b2b_terms.order_to_decide(user=user, number=number, shop=getattr(request, "shop", None))
        decided = b2b_terms.approve_order(order=order, approver=user)
        return Response(_body(Order.objects.prefetch_related("lines").get(pk=decided.pk)))


class ApprovalRejectView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="b2b_approvals_reject",
        tags=["b2b"],
        summary="Reject an order",
        description="The order is cancelled and its units freed; the buyer gets an e-mail with the reason.",
        request=RejectSerializer,
        responses={200: ApprovalSerializer, **error_responses(400, 401, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request, number: str) -> Response:
        data = parse(RejectSerializer, request.data)
        user = cast("User", request.user)
        order = b2b_terms.order_to_decide(user=user, number=number, shop=getattr(request, "shop", None))
        decided = b2b_terms.reject_order(order=order, approver=user, reason=data["reason"])
        return Response(_body(Order.objects.prefetch_related("lines").get(pk=decided.pk)))
