"""API v1 of portal returns (RMA): list, ask, detail (the till loads an RMA by its number), receive.

Thin: parse, resolve, authorise, call ONE service, render. A shopper sees their own RMAs only;
staff see every one, a cashier or store manager the open ones and those received at their store
(``services_returns.visible_requests``); another's RMA is a 404, as an unknown one.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ServiceAPIView, error_responses, parse
from core.auth import signed_in_user
from core.idempotency import idempotent
from core.schema import MAX_INT32, QueryParams
from inventory.models import Location
from orders.models import Order

from .. import services_returns as services
from ..returns_errors import ReturnNotFound, ReturnOrderNotFound, UnknownOrderLine, WrongStore
from ..returns_models import (
    ReturnMethod,
    ReturnReason,
    ReturnRefundChoice,
    ReturnRequest,
    ReturnRequestStatus,
)

TAGS = ["returns"]
MAX_LINES = 100
LIST_LIMIT = 100

REF_PARAMETER = OpenApiParameter(
    "ref",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The RMA's id, or its number as printed or scanned (`RMA-2026-000001`).",
)


# --- shapes ---------------------------------------------------------------------------------------


class ReturnLineInSerializer(serializers.Serializer[Any]):
    line_id = serializers.IntegerField(min_value=1, max_value=MAX_INT32, help_text="The order line's id.")
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)
    reason = serializers.ChoiceField(choices=ReturnReason.choices)
    comment = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")


class ReturnCreateSerializer(serializers.Serializer[Any]):
    order = serializers.CharField(max_length=32, help_text="The web order's number.")
    lines = ReturnLineInSerializer(many=True, allow_empty=False, max_length=MAX_LINES)  # type: ignore[call-arg]  # ListSerializer takes it; the stubs not
    method = serializers.ChoiceField(choices=ReturnMethod.choices, help_text="`store` or `post`.")
    refund_choice = serializers.ChoiceField(
        choices=ReturnRefundChoice.choices, default=ReturnRefundChoice.ORIGINAL
    )


class ReceiveLineSerializer(serializers.Serializer[Any]):
    line_id = serializers.IntegerField(
        min_value=1, max_value=MAX_INT32, required=False, help_text="The order line's id (or give `sku`)."
    )
    sku = serializers.CharField(
        max_length=64, required=False, help_text="The item's SKU (or give `line_id`)."
    )
    resellable = serializers.IntegerField(min_value=0, max_value=10_000, default=0)
    damaged = serializers.IntegerField(min_value=0, max_value=10_000, default=0)


class ReceiveSerializer(serializers.Serializer[Any]):
    location = serializers.CharField(max_length=20, help_text="The receiving location's code.")
    lines = ReceiveLineSerializer(many=True, allow_empty=False, max_length=MAX_LINES)  # type: ignore[call-arg]  # ListSerializer takes it; the stubs not


class ReturnListQuery(QueryParams):
    status = serializers.ChoiceField(choices=ReturnRequestStatus.choices, required=False)


class ReturnLineOutSerializer(serializers.Serializer[Any]):
    line_id = serializers.IntegerField(help_text="The order line's id.")
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    reason = serializers.CharField()
    comment = serializers.CharField()
    resellable = serializers.IntegerField()
    damaged = serializers.IntegerField()
    refund = serializers.DecimalField(max_digits=12, decimal_places=2)


class ReturnSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    order = serializers.CharField()
    status = serializers.CharField()
    method = serializers.CharField()
    refund_choice = serializers.CharField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    label_ready = serializers.BooleanField()
    label_error = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    received_at_location = serializers.CharField(allow_null=True)
    refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    refund_reference = serializers.CharField()
    created_at = serializers.DateTimeField()
    lines = ReturnLineOutSerializer(many=True)


def return_body(rma: ReturnRequest) -> dict[str, Any]:
    return {
        "id": rma.pk,
        "number": rma.number,
        "order": rma.order.number,
        "status": rma.status,
        "method": rma.method,
        "refund_choice": rma.refund_choice,
        "carrier": rma.carrier,
        "tracking_number": rma.tracking_number,
        "label_ready": bool(rma.label_pdf),
        "label_error": rma.label_error,
        "received_at": rma.received_at,
        "received_at_location": rma.received_at_location.code if rma.received_at_location else None,
        "refund_amount": rma.refund_amount,
        "refund_reference": rma.refund_reference,
        "created_at": rma.created_at,
        "lines": [
            {
                "line_id": line.order_line_id,
                "sku": line.order_line.sku,
                "name": line.order_line.name,
                "quantity": line.quantity,
                "reason": line.reason,
                "comment": line.comment,
                "resellable": line.quantity_resellable,
                "damaged": line.quantity_damaged,
                "refund": line.refund_gross,
            }
            for line in rma.lines.all()
        ],
    }


def _with_lines(rma: ReturnRequest) -> ReturnRequest:
    return (
        ReturnRequest.objects.select_related("order", "received_at_location")
        .prefetch_related("lines__order_line")
        .get(pk=rma.pk)
    )


def resolve_request(request: Request, ref: str) -> ReturnRequest:
    """An RMA the user may see, by id or number; else 404 ``return_not_found``."""
    user = signed_in_user(request.user)
    rma = services.find_request(ref)
    if rma is None or not services.visible_requests(user).filter(pk=rma.pk).exists():
        raise ReturnNotFound(detail={"ref": ref[:40]})
    return rma


# --- views ----------------------------------------------------------------------------------------


class ReturnListView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="returns_list",
        tags=TAGS,
        summary="Return requests (RMA)",
        description=f"A shopper's own RMAs; staff see every one, a cashier or store manager the open "
        f"ones and those received at their store. Newest first, at most {LIST_LIMIT}.",
        parameters=[ReturnListQuery],
        responses={200: ReturnSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        query = parse(ReturnListQuery, request.query_params)
        rows = services.visible_requests(signed_in_user(request.user)).prefetch_related("lines__order_line")
        if query.get("status"):
            rows = rows.filter(status=query["status"])
        return Response(ReturnSerializer([return_body(r) for r in rows[:LIST_LIMIT]], many=True).data)

    @extend_schema(
        operation_id="returns_create",
        tags=TAGS,
        summary="Ask a return of a delivered or collected web order",
        description="The signed-in shopper's own web order (home delivery or click & collect), delivered "
        "or collected less than `RETURN_WINDOW_DAYS` (14) days ago. Per line at most bought minus "
        "cancelled minus returned minus what open RMAs ask (409 `return_exceeds_returnable`). `post`: a "
        "prepaid return label is asked from the carrier after the answer (status `requested`, then "
        "`awaiting` with the label, or `label_failed`); `store`: `awaiting` at once. 404 "
        "`return_order_not_found` for an unknown or another's order; 409 `order_not_returnable` or "
        "`return_window_closed`; 400 `unknown_order_line`, `invalid_return`.",
        request=ReturnCreateSerializer,
        responses={201: ReturnSerializer, **error_responses(400, 401, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(ReturnCreateSerializer, request.data)
        user = signed_in_user(request.user)
        order = Order.objects.filter(number=data["order"].strip().upper()).first()
        if order is None or order.customer_id != user.pk:
            raise ReturnOrderNotFound(detail={"order": data["order"]})
        rma = services.request_return(
            order=order,
            customer=user,
            lines=[
                services.ReturnLineInput(line["line_id"], line["quantity"], line["reason"], line["comment"])
                for line in data["lines"]
            ],
            method=data["method"],
            refund_choice=data["refund_choice"],
        )
        return Response(ReturnSerializer(return_body(_with_lines(rma))).data, status=201)


class ReturnDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="returns_detail",
        tags=TAGS,
        summary="One return request, by id or number",
        description="Used by the till: the number scanned from the shopper's RMA barcode loads it. 404 "
        "`return_not_found` for an unknown RMA or one the user may not see.",
        parameters=[REF_PARAMETER],
        responses={200: ReturnSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, ref: str) -> Response:
        rma = resolve_request(request, ref)
        return Response(ReturnSerializer(return_body(_with_lines(rma))).data)


class ReturnReceiveView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="returns_receive",
        tags=TAGS,
        summary="Receive and inspect a return; the refund follows",
        description="At `location` (staff anywhere; a cashier or store manager at their own store, "
        "else 403 `wrong_store`). Per line (`line_id` or `sku`), units `resellable` (back to this "
        "location's stock, one ledger row) and `damaged` (recorded, no stock). Every unit received is "
        "refunded, to the original payment or as store credit as the shopper chose. 409 "
        "`return_already_received` the second time (nothing written); 409 `return_exceeds_returnable` "
        "for more units than the RMA asks.",
        parameters=[REF_PARAMETER],
        request=ReceiveSerializer,
        responses={200: ReturnSerializer, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request, ref: str) -> Response:
        data = parse(ReceiveSerializer, request.data)
        user = signed_in_user(request.user)
        rma = resolve_request(request, ref)
        location = Location.objects.filter(code=data["location"].strip(), is_active=True).first()
        if location is None or not services.may_receive_at(user, location):
            raise WrongStore(detail={"location": data["location"]})
        rma = services.receive_return(
            request=rma, location=location, user=user, inspection=_inspection(rma, data["lines"])
        )
        return Response(ReturnSerializer(return_body(_with_lines(rma))).data)


def _inspection(rma: ReturnRequest, lines: list[dict[str, Any]]) -> list[services.InspectionInput]:
    """Lines named by order line id or by SKU -> the service's input (by order line id)."""
    by_sku = {
        line.order_line.sku.upper(): line.order_line_id for line in rma.lines.select_related("order_line")
    }
    items = []
    for line in lines:
        line_id = line.get("line_id")
        if line_id is None:
            sku = str(line.get("sku") or "").strip().upper()
            line_id = by_sku.get(sku)
            if line_id is None:
                raise UnknownOrderLine(detail={"sku": sku, "number": rma.number})
        items.append(services.InspectionInput(line_id, line["resellable"], line["damaged"]))
    return items
