"""Orders API v1: the caller's own orders of every channel (web and store), read-only, plus, for
staff, the orders the back office shows them (``orders.selectors.orders_visible_to``: a store
manager their store's, chain roles every order; a cashier none beyond their own purchases).

``GET /api/v1/orders/`` lists them newest first (limit/offset pagination); ``GET
/api/v1/orders/<number>/`` shows one with its lines and status trail. Token or session
authentication. An unknown number and an order out of reach get the same 404 ``not_found`` in
the common error format, so order numbers cannot be probed. Reads go through ``orders.selectors``.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.filters import BaseFilterBackend
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import error_responses
from core.auth import signed_in_user
from core.schema import StrictLimitOffsetPagination

from .. import selectors
from ..models import Channel, DeliveryMethod, Order, OrderStatus

TAGS = ["orders"]
ORDER_NOT_FOUND = (
    "No order with this number in your account (`not_found`) nor, for staff, in the back office's reach; "
    "another customer's order is not found either."
)


# --- shapes ---------------------------------------------------------------------------------------


class OrderLocationSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class OrderSummarySerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    channel = serializers.ChoiceField(
        choices=Channel.choices, help_text="`web` or `store` (a boutique sale)."
    )
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    delivery_method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    location = OrderLocationSerializer(help_text="The store that sold it, or that ships or hands it over.")
    currency = serializers.CharField()
    total_gross = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="TTC, in `currency`.")
    item_count = serializers.IntegerField(help_text="Units ordered, all lines together.")
    created_at = serializers.DateTimeField()


class OrderLineSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price_net = serializers.DecimalField(max_digits=12, decimal_places=4, help_text="HT, EUR.")
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    discount_gross = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="TTC, EUR.")
    total_gross = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="TTC, EUR, after discount."
    )


class OrderStatusChangeSerializer(serializers.Serializer[Any]):
    from_status = serializers.CharField(help_text="Empty for the first status.")
    to_status = serializers.ChoiceField(choices=OrderStatus.choices)
    at = serializers.DateTimeField()


class OrderDetailSerializer(OrderSummarySerializer):
    total_net = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_vat = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_gross_eur = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_gross = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="TTC, EUR.")
    discount_gross = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="TTC, EUR.")
    email = serializers.EmailField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    shipping_address = serializers.DictField(
        help_text="first_name, last_name, line1, line2, postal_code, city, country, phone; {} when none."
    )
    lines = OrderLineSerializer(many=True)
    status_history = OrderStatusChangeSerializer(many=True)


def summary_row(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "channel": order.channel,
        "status": order.status,
        "delivery_method": order.delivery_method,
        "location": {"code": order.location.code, "name": order.location.name},
        "currency": order.currency,
        "total_gross": order.total_gross,
        "item_count": getattr(order, "item_count", None)
        if getattr(order, "item_count", None) is not None
        else sum(line.quantity for line in order.lines.all()),
        "created_at": order.created_at,
    }


def detail_row(order: Order) -> dict[str, Any]:
    lines = list(order.lines.all())
    return {
        **summary_row(order),
        "item_count": sum(line.quantity for line in lines),
        "total_net": order.total_net,
        "total_vat": order.total_vat,
        "total_gross_eur": order.total_gross_eur,
        "shipping_gross": order.shipping_gross,
        "discount_gross": order.discount_gross,
        "email": order.email,
        "phone": order.phone,
        "shipping_address": order.shipping_address or {},
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price_net": line.unit_price_net,
                "vat_rate": line.vat_rate,
                "discount_gross": line.discount_gross,
                "total_gross": line.total_gross,
            }
            for line in lines
        ],
        "status_history": [
            {"from_status": change.from_status, "to_status": change.to_status, "at": change.created_at}
            for change in order.status_changes.all()
        ],
    }


# --- views ----------------------------------------------------------------------------------------


class OrderPagination(StrictLimitOffsetPagination):
    default_limit = 20
    max_limit = 100


class OrderListView(GenericAPIView[Any]):
    permission_classes = [IsAuthenticated]
    serializer_class = OrderSummarySerializer
    pagination_class = OrderPagination
    filter_backends: list[type[BaseFilterBackend]] = []

    @extend_schema(
        operation_id="orders_list",
        tags=TAGS,
        summary="My orders",
        description="The caller's orders of every channel (web shop and boutiques), newest first; for "
        "staff, also the orders of the back office (a store manager: their store's; staff and managers: "
        "every order). Paginated with `limit` (default 20, at most 100) and `offset`.",
        responses={200: OrderSummarySerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.orders_readable_by(signed_in_user(request.user)))
        assert page is not None  # pagination_class is set
        return self.get_paginated_response(
            OrderSummarySerializer([summary_row(o) for o in page], many=True).data
        )


class OrderDetailView(GenericAPIView[Any]):
    permission_classes = [IsAuthenticated]
    serializer_class = OrderDetailSerializer
    filter_backends: list[type[BaseFilterBackend]] = []

    @extend_schema(
        operation_id="orders_retrieve",
        tags=TAGS,
        summary="One of my orders",
        description="An order of the caller's (or, for staff, one the back office shows them) with its "
        "lines and status trail.",
        parameters=[
            OpenApiParameter(
                "number", OpenApiTypes.STR, OpenApiParameter.PATH, description="The order number."
            )
        ],
        responses={
            200: OrderDetailSerializer,
            **error_responses(401, 404, descriptions={404: ORDER_NOT_FOUND}),
        },
    )
    def get(self, request: Request, number: str) -> Response:
        order = selectors.order_readable_by(user=signed_in_user(request.user), number=number)
        return Response(OrderDetailSerializer(detail_row(order)).data)


# Routed by ``orders.api.urls`` (``*orders.urlpatterns``): URL names ``v1:orders-list``, ``v1:orders-detail``.
urlpatterns = [
    path("orders/", OrderListView.as_view(), name="orders-list"),
    path("orders/<str:number>/", OrderDetailView.as_view(), name="orders-detail"),
]
