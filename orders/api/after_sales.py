"""Orders API v1 for staff: cancel an order (or some of its units) and refund part of it.

``POST /api/v1/orders/<number>/cancel/`` and ``POST /api/v1/orders/<number>/refunds/``, token or
session, ``Idempotency-Key`` honoured (and passed to the service as the action's key). Who: staff and
managers on any order, a store manager on the orders of their store (``orders_visible_to``); a
cashier or a shopper gets 403, an order the caller cannot see 404. Thin: parse, resolve, authorise,
call one service of ``orders.services.after_sales``, render the action.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ServiceAPIView, error_responses, parse
from core.auth import signed_in_user
from core.idempotency import HEADER, idempotent
from core.schema import MAX_INT32, DecimalString

from .. import selectors
from ..errors import OrderNotFound, UnknownOrderLine
from ..models import Order, OrderStatus
from ..order_actions import OrderAction, OrderActionKind, RefundVia
from ..services import after_sales

TAGS = ["orders"]
MAX_LINES = 200
NUMBER = OpenApiParameter("number", OpenApiTypes.STR, OpenApiParameter.PATH, description="The order number.")


# --- shapes ---------------------------------------------------------------------------------------


class ActionLineSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField(
        max_length=64, required=False, help_text="The line's SKU (or give `line_id`)."
    )
    line_id = serializers.IntegerField(
        min_value=1, max_value=MAX_INT32, required=False, help_text="The order line's id (or give `sku`)."
    )
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)


class CancelRequestSerializer(serializers.Serializer[Any]):
    lines = ActionLineSerializer(  # type: ignore[call-arg]  # ListSerializer takes them; the stubs not
        many=True,
        required=False,
        allow_empty=False,
        max_length=MAX_LINES,
        help_text="The units to cancel; leave it out to cancel the whole order.",
    )
    reason = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")


class RefundRequestSerializer(serializers.Serializer[Any]):
    lines = ActionLineSerializer(  # type: ignore[call-arg]
        many=True,
        required=False,
        max_length=MAX_LINES,
        help_text="Units to refund (line price, to the cent).",
    )
    shipping = serializers.BooleanField(required=False, default=False, help_text="Refund the shipping too.")
    amount = DecimalString(
        positive=True,
        required=False,
        help_text='A free amount, TTC, EUR, as a string ("5.00"); needs a `reason`.',
    )
    reason = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")


class ActionLineOutSerializer(serializers.Serializer[Any]):
    line_id = serializers.IntegerField()
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class OrderActionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="The order.")
    kind = serializers.ChoiceField(choices=OrderActionKind.choices)
    status = serializers.ChoiceField(choices=OrderStatus.choices, help_text="The order's status after it.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Given back, TTC, EUR.")
    shipping_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    refunded_gross = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Everything given back on the order so far, TTC, EUR."
    )
    via = serializers.CharField(help_text="`original` (the payment, after commit), or empty when no money.")
    reason = serializers.CharField()
    lines = ActionLineOutSerializer(many=True)
    refund_ids = serializers.ListField(child=serializers.IntegerField())
    created_at = serializers.DateTimeField()


def action_body(action: OrderAction) -> dict[str, Any]:
    order = Order.objects.only("number", "status", "refunded_gross").get(pk=action.order_id)
    return {
        "id": action.pk,
        "number": order.number,
        "kind": action.kind,
        "status": order.status,
        "amount": action.amount,
        "shipping_amount": action.shipping_amount,
        "refunded_gross": order.refunded_gross,
        "via": action.via,
        "reason": action.reason,
        "lines": action.lines,
        "refund_ids": action.refund_ids,
        "created_at": action.created_at,
    }


# --- resolving ------------------------------------------------------------------------------------


def resolve_order(request: Request, number: str) -> Order:
    """The order if the caller may act on it: 403 for a cashier or a shopper, 404 when not visible."""
    user = signed_in_user(request.user)
    after_sales.ensure_may_act_on_orders(user)
    order = selectors.orders_visible_to(user).filter(number=number).first()
    if order is None:
        raise OrderNotFound(f"No order {number} you may handle.", detail={"number": number})
    return order


def line_quantities(order: Order, lines: list[dict[str, Any]]) -> list[after_sales.LineQuantity]:
    """Lines given by id or SKU; a SKU on several lines fills them in order."""
    order_lines = list(order.lines.order_by("id"))
    taken: dict[int, int] = {}
    result = []
    by_id = {line.pk: line for line in order_lines}
    for item in lines:
        if "line_id" in item:
            line = by_id.get(item["line_id"])
            if line is None or item.get("sku", line.sku) != line.sku:
                raise UnknownOrderLine(
                    f"Line {item['line_id']} is not on order {order.number}.",
                    detail={"line_id": item["line_id"], "sku": item.get("sku", ""), "number": order.number},
                )
            result.append(after_sales.LineQuantity(line.pk, item["quantity"]))
            continue
        if "sku" not in item:
            raise UnknownOrderLine("Name each line by `sku` or `line_id`.", detail={"number": order.number})
        matching = [line for line in order_lines if line.sku == item["sku"]]
        if not matching:
            raise UnknownOrderLine(
                f"{item['sku']} is not on order {order.number}.",
                detail={"sku": item["sku"], "number": order.number},
            )
        remaining = item["quantity"]
        for line in matching:
            room = line.quantity_open - taken.get(line.pk, 0)
            share = min(room, remaining) if line is not matching[-1] else remaining
            if share > 0:
                result.append(after_sales.LineQuantity(line.pk, share))
                taken[line.pk] = taken.get(line.pk, 0) + share
                remaining -= share
            if remaining == 0:
                break
    return result


def action_key(request: Request) -> str:
    return (request.headers.get(HEADER) or "")[:80]


# --- views ----------------------------------------------------------------------------------------


class OrderCancelView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="orders_cancel",
        tags=TAGS,
        summary="Cancel an order, or some of its units, before it leaves",
        description="Staff, managers, or the store manager of the order's store. Without `lines` the "
        "whole order is cancelled. Paid units are refunded exactly (to the cent) to the original payment "
        "after commit, with the shipping when nothing is left to ship; stock goes back. 409 "
        "`not_cancellable` once shipped, `units_beyond_recall` for packed units, "
        "`partial_cancel_not_allowed` for part of an order awaiting payment; 400 `exceeds_ordered` "
        "beyond the line's open units, "
        "`unknown_order_line`. Nothing is written when refused.",
        parameters=[NUMBER],
        request=CancelRequestSerializer,
        responses={201: OrderActionSerializer, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request, number: str) -> Response:
        data = parse(CancelRequestSerializer, request.data)
        order = resolve_order(request, number)
        lines = line_quantities(order, data["lines"]) if "lines" in data else None
        action = after_sales.cancel_order(
            order=order,
            lines=lines,
            user=signed_in_user(request.user),
            reason=data["reason"],
            key=action_key(request),
        )
        return Response(OrderActionSerializer(action_body(action)).data, status=201)


class OrderRefundView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="orders_refund",
        tags=TAGS,
        summary="Refund part of a shipped or completed order",
        description="Staff, managers, or the store manager of the order's store. Units of `lines` (their "
        "price to the cent), the `shipping` and/or a free `amount` (with a `reason`), refunded to the "
        "original payment after commit. 409 `refund_exceeds_captured` above what was paid minus what was "
        "refunded, `not_refundable` before shipping, `shipping_already_refunded`; 400 `exceeds_ordered`, "
        "`nothing_to_refund`, `reason_required`. Nothing is written when refused.",
        parameters=[NUMBER],
        request=RefundRequestSerializer,
        responses={201: OrderActionSerializer, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request, number: str) -> Response:
        data = parse(RefundRequestSerializer, request.data)
        order = resolve_order(request, number)
        action = after_sales.refund_order_part(
            order=order,
            lines=line_quantities(order, data.get("lines") or []),
            shipping=data["shipping"],
            amount=data.get("amount"),
            reason=data["reason"],
            user=signed_in_user(request.user),
            key=action_key(request),
            via=RefundVia.ORIGINAL,
        )
        return Response(OrderActionSerializer(action_body(action)).data, status=201)
