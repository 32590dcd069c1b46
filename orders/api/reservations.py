"""Store API v1: e-reservations, the shopper's side (``orders.services.ereservation``).

- ``POST /store/reservations/``: reserve SKUs at a store to try them (signed in, or a guest with
  name, e-mail and phone); nothing is paid online. ``Idempotency-Key``: the same key from the same
  shopper returns the first reservation.
- ``GET /store/reservations/``: the signed-in shopper's reservations, newest first.
- ``GET /store/reservations/{number}/``: one, for its owner or with its ``token`` (guests: the
  confirmation's and the e-mail's link carry it).
- ``POST /store/reservations/{number}/cancel/``: give the units back (idempotent).

An unknown number, another shopper's reservation and a wrong token get the same 404.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.selectors import variant_by_sku
from core.api import ServiceAPIView, error_responses, parse
from core.idempotency import HEADER, IDEMPOTENCY_KEY_PARAMETER
from core.schema import QueryParams

from ..errors import EReservationNotFound
from ..models import DeliveryMethod, Order
from ..services import ereservation as services

TAGS = ["reservations"]


class StoreReserveLineSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(max_value=999, help_text="At least 1.")


class StoreReservationInSerializer(serializers.Serializer[Any]):
    store = serializers.CharField(max_length=50, help_text="The store's code (it must take reservations).")
    lines = StoreReserveLineSerializer(many=True, allow_empty=True, max_length=50)  # type: ignore[call-arg]
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.RegexField(
        r"^$|^[ +\-.()]*(?:[0-9][ +\-.()]*){6,}$",  # what checkout's _clean_phone accepts
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="Digits (at least six), spaces, +, -, ., parentheses.",
    )
    language = serializers.ChoiceField(choices=["fr", "en", "it"], required=False, default="")


class StoreReservationTokenQuery(QueryParams):
    token = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="Guests: the token of the confirmation (the e-mail's link carries it).",
    )


class StoreReservationCancelSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class StoreReservationLineSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    total_gross = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="TTC when reserved; the till charges its price on the day."
    )


class StoreReservationSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    status = serializers.CharField(help_text="`reserved`, `bought_in_store` or `cancelled`.")
    outcome = serializers.CharField(help_text="`active`, `sold`, `cancelled`, `released` or `expired`.")
    store = serializers.DictField(child=serializers.CharField())
    name = serializers.CharField()
    hold_until = serializers.DateTimeField()
    total_gross = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    token = serializers.CharField(help_text="Send it back to see or cancel this reservation signed out.")
    lines = StoreReservationLineSerializer(many=True)
    created_at = serializers.DateTimeField()


def reservation_body(order: Order) -> dict[str, Any]:
    hold = order.e_reservation
    store = order.location
    return {
        "number": order.number,
        "status": order.status,
        "outcome": hold.outcome,
        "store": {
            "code": store.code,
            "name": store.name,
            "address": ", ".join(
                p for p in (store.address_line, f"{store.postal_code} {store.city}".strip()) if p
            ),
            "phone": store.phone,
        },
        "name": hold.name,
        "hold_until": timezone.localtime(hold.hold_until),
        "total_gross": order.total_gross,
        "currency": order.currency,
        "token": services.cancel_token(order),
        "lines": [
            {"sku": line.sku, "name": line.name, "quantity": line.quantity, "total_gross": line.total_gross}
            for line in order.lines.all()
        ],
        "created_at": order.created_at,
    }


def resolve_reservation(request: Request, number: str, token: str) -> Order:
    """The shopper's own reservation, or one whose token matches; else the same 404."""
    number = (number or "").strip().upper()
    qs = Order.objects.filter(delivery_method=DeliveryMethod.RESERVE_IN_STORE, number=number).select_related(
        "e_reservation", "location"
    )
    order = None
    if request.user.is_authenticated:
        order = qs.filter(customer=request.user).first()
    if order is None and token:
        found = services.order_for_token(number=number, token=token)
        order = qs.filter(pk=found.pk).first() if found else None
    if order is None:
        raise EReservationNotFound(detail={"number": number})
    return order


NUMBER = OpenApiParameter(
    "number", OpenApiTypes.STR, OpenApiParameter.PATH, description="The reservation number."
)
NOT_FOUND = (
    "No such reservation for you (`reservation_not_found`): unknown, another shopper's, or a wrong token."
)


class ReservationListCreateView(ServiceAPIView):
    permission_classes = [AllowAny]
    throttle_scope = "checkout"

    @extend_schema(
        operation_id="store_reservations_create",
        tags=TAGS,
        summary="Reserve items at a store to try them",
        description="Holds the units at the store for `E_RESERVATION_HOLD_HOURS` (48 by default): they "
        "leave the available stock at once, for the web and every till. Nothing is paid online; the "
        "till charges its price on the day for what the shopper keeps. Signed in, or a guest with "
        "`name`, `email` and `phone`. At most `E_RESERVATION_MAX_UNITS` units (5) and "
        "`E_RESERVATION_MAX_ACTIVE` reservations held at once (3). The shopper and the store get an "
        "e-mail. The same `Idempotency-Key` returns the same reservation.",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=StoreReservationInSerializer,
        responses={
            201: StoreReservationSerializer,
            **error_responses(
                400,
                404,
                409,
                415,
                429,
                descriptions={
                    400: "`invalid` (name, e-mail, phone), `empty_order`, `invalid_quantity` (below 1), "
                    "`reservation_limit` (units or reservations held), `store_not_reserving`, "
                    "`method_not_offered` (this shop does not offer reservations).",
                    404: "Unknown SKU (`unknown_sku`) or store (`unknown_location`).",
                    409: "`insufficient_stock`: the store does not have the units; nothing was reserved.",
                },
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = parse(StoreReservationInSerializer, request.data)
        order = services.reserve_in_store(
            lines=[
                services.ReserveLine(variant_by_sku(line["sku"]), line["quantity"]) for line in data["lines"]
            ],
            store_code=data["store"],
            customer=request.user if request.user.is_authenticated else None,
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            language=data["language"] or getattr(request, "LANGUAGE_CODE", "fr"),
            idempotency_key=request.headers.get(HEADER, ""),
            shop_id=getattr(getattr(request, "shop", None), "id", None),  # the host's (shops.middleware)
        )
        order = Order.objects.select_related("e_reservation", "location").get(pk=order.pk)
        return Response(StoreReservationSerializer(reservation_body(order)).data, status=201)

    @extend_schema(
        operation_id="store_reservations_list",
        tags=TAGS,
        summary="My reservations",
        description="The signed-in shopper's e-reservations, newest first (at most 50).",
        responses={200: StoreReservationSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        orders = (
            Order.objects.filter(customer=request.user, delivery_method=DeliveryMethod.RESERVE_IN_STORE)
            .select_related("e_reservation", "location")
            .prefetch_related("lines")
            .order_by("-created_at", "-id")[:50]
        )
        return Response(StoreReservationSerializer([reservation_body(o) for o in orders], many=True).data)


class ReservationDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="store_reservations_retrieve",
        tags=TAGS,
        summary="One reservation",
        parameters=[NUMBER, StoreReservationTokenQuery],
        responses={
            200: StoreReservationSerializer,
            **error_responses(400, 404, descriptions={404: NOT_FOUND}),
        },
    )
    def get(self, request: Request, number: str) -> Response:
        token = parse(StoreReservationTokenQuery, request.query_params)["token"]
        order = resolve_reservation(request, number, token)
        return Response(StoreReservationSerializer(reservation_body(order)).data)


class ReservationCancelView(ServiceAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="store_reservations_cancel",
        tags=TAGS,
        summary="Cancel a reservation",
        description="Every unit back on the shelf. Cancelling again returns the same answer and changes "
        "nothing; 409 `reservation_closed` once it was bought at the till.",
        parameters=[NUMBER],
        request=StoreReservationCancelSerializer,
        responses={
            200: StoreReservationSerializer,
            **error_responses(400, 404, 409, 415, descriptions={404: NOT_FOUND}),
        },
    )
    def post(self, request: Request, number: str) -> Response:
        data = parse(StoreReservationCancelSerializer, request.data)
        order = resolve_reservation(request, number, data["token"])
        user = request.user if request.user.is_authenticated else None
        services.cancel_e_reservation(order=order, user=user)
        order = Order.objects.select_related("e_reservation", "location").get(pk=order.pk)
        return Response(StoreReservationSerializer(reservation_body(order)).data)


urlpatterns = [
    path("store/reservations/", ReservationListCreateView.as_view(), name="store-reservations"),
    path("store/reservations/<str:number>/", ReservationDetailView.as_view(), name="store-reservation"),
    path(
        "store/reservations/<str:number>/cancel/",
        ReservationCancelView.as_view(),
        name="store-reservation-cancel",
    ),
]
