"""POS API v1: e-reservations at this store (``pos.services.ereservations``).

- ``GET pos/reservations/?q=``: the store's reservations still held (and their count).
- ``GET pos/reservations/{number}/``: one, whatever its status.
- ``POST pos/reservations/{number}/sell/``: sell what the shopper keeps, at the till's current price.
- ``POST pos/reservations/{number}/release/``: give every unit back, with a reason.

Both POSTs are idempotent: the sale by its ``uuid`` (as ``POST pos/sales/``), the release by nature
(a released reservation stays released), and both honour ``Idempotency-Key``.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ServiceAPIView, error_responses, parse
from core.auth import signed_in_user
from core.idempotency import HEADER, idempotent
from core.schema import MAX_INT32
from orders.models import Order

from ..errors import SaleKeyMismatch
from ..services import ereservations as services
from ..services import sales as sales_services
from .returns import StoreQuery, user_store
from .serializers import SaleResultSerializer, TenderSerializer
from .views import STORE_NOT_FOUND, IsPosUser, resolve_session, sale_body

TAGS = ["pos"]


class TillReservationQuery(StoreQuery):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text="Part of the reservation number, the shopper's name or e-mail, or phone digits.",
    )


class TillReservationLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Send back in `lines` to keep this line at the sale.")
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    reserved_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="TTC when reserved; the till charges its current price."
    )


class TillReservationSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    outcome = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    customer_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    hold_until = serializers.DateTimeField()
    expired = serializers.BooleanField()
    sale_number = serializers.CharField(allow_null=True)
    lines = TillReservationLineSerializer(many=True)


class TillReservationListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = TillReservationSerializer(many=True)


class TillReservationSellSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(help_text="Made by the register; also the Idempotency-Key.")
    session = serializers.IntegerField(min_value=1, max_value=MAX_INT32)
    lines = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_INT32),
        required=False,
        allow_null=True,
        default=None,
        max_length=200,
        help_text="Ids of the lines the shopper keeps (default: all); the others go back on the shelf.",
    )
    tenders = TenderSerializer(many=True, allow_empty=False)
    coupon = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class TillReservationSaleSerializer(SaleResultSerializer):
    reservation = serializers.CharField()


class TillReservationReleaseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=250, help_text="Why (tried, not taken; the shopper called...).")


def reservation_body(order: Order) -> dict[str, Any]:
    from django.utils import timezone

    hold = order.e_reservation
    return {
        "number": order.number,
        "status": order.status,
        "outcome": hold.outcome,
        "name": hold.name,
        "email": order.email,
        "phone": order.phone,
        "customer_id": order.customer_id,
        "created_at": order.created_at,
        "hold_until": hold.hold_until,
        "expired": hold.hold_until <= timezone.now(),
        "sale_number": hold.sale_order.number if hold.sale_order_id and hold.sale_order else None,
        "lines": [
            {
                "id": line.pk,
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "reserved_price": line.total_gross,
            }
            for line in order.lines.all()
        ],
    }


NOT_FOUND = f"No such reservation here (`reservation_not_found`). {STORE_NOT_FOUND}"


class ReservationListView(APIView):
    permission_classes = [IsAuthenticated, IsPosUser]

    @extend_schema(
        operation_id="pos_reservations_list",
        tags=TAGS,
        summary="E-reservations held at this store",
        description="Still held (status `reserved`), the soonest end first; `count` is the till's badge.",
        parameters=[TillReservationQuery],
        responses={
            200: TillReservationListSerializer,
            **error_responses(400, 401, 403, 404, descriptions={404: STORE_NOT_FOUND}),
        },
    )
    def get(self, request: Request) -> Response:
        query = parse(TillReservationQuery, request.query_params)
        store = user_store(request)
        rows = [
            reservation_body(order)
            for order in services.store_reservations(store=store, q=query["q"])[: services.MAX_RESULTS]
        ]
        return Response(TillReservationListSerializer({"count": len(rows), "results": rows}).data)


class ReservationDetailView(APIView):
    permission_classes = [IsAuthenticated, IsPosUser]

    @extend_schema(
        operation_id="pos_reservation_detail",
        tags=TAGS,
        summary="One e-reservation of this store",
        parameters=[StoreQuery],
        responses={
            200: TillReservationSerializer,
            **error_responses(400, 401, 403, 404, descriptions={404: NOT_FOUND}),
        },
    )
    def get(self, request: Request, number: str) -> Response:
        order = services.store_reservation(store=user_store(request), number=number)
        return Response(TillReservationSerializer(reservation_body(order)).data)


class ReservationSellView(ServiceAPIView):
    permission_classes = [IsAuthenticated, IsPosUser]

    @extend_schema(
        operation_id="pos_reservation_sell",
        tags=TAGS,
        summary="Sell an e-reservation",
        description="A till sale of the kept `lines` at the register session `session`, at the till's "
        "current price (not the price shown when reserved): receipt, journal and loyalty as any sale. "
        "The kept units' reservations are committed by the sale, the others released; the reservation "
        "becomes `bought_in_store`. 201, or 200 with the same body when the `uuid` was already recorded. "
        "409 `reservation_closed` (already sold, cancelled) or `reservation_expired` (past its hold); 400 "
        "`tenders_insufficient`, `invalid` (no line kept, a line of another reservation).",
        request=TillReservationSellSerializer,
        responses={
            201: TillReservationSaleSerializer,
            200: TillReservationSaleSerializer,
            **error_responses(400, 401, 403, 404, 409, 415, 422, descriptions={404: NOT_FOUND}),
        },
    )
    @idempotent
    def post(self, request: Request, number: str) -> Response:
        data = parse(TillReservationSellSerializer, request.data)
        key = request.headers.get(HEADER)
        if key is not None and key.strip().lower() != str(data["uuid"]):
            raise SaleKeyMismatch(detail={"uuid": str(data["uuid"]), "key": key})
        user = signed_in_user(request.user)
        result = services.sell_e_reservation(
            session=resolve_session(user, data["session"]),
            user=user,
            number=number,
            client_uuid=data["uuid"],
            keep_lines=data["lines"],
            tenders=[
                sales_services.TenderInput(kind=t["kind"], amount=t["amount"], reference=t["reference"])
                for t in data["tenders"]
            ],
            coupon_code=data["coupon"],
        )
        body = {**sale_body(result.sale), "reservation": result.reservation.number}
        return Response(body, status=201 if result.sale.created else 200)


class ReservationReleaseView(ServiceAPIView):
    permission_classes = [IsAuthenticated, IsPosUser]

    @extend_schema(
        operation_id="pos_reservation_release",
        tags=TAGS,
        summary="Release an e-reservation",
        description="Every unit back on the shelf, with the `reason`. Releasing again returns the same "
        "answer and changes nothing; 409 `reservation_closed` if it was sold.",
        request=TillReservationReleaseSerializer,
        parameters=[StoreQuery],
        responses={
            200: TillReservationSerializer,
            **error_responses(400, 401, 403, 404, 409, 415, 422, descriptions={404: NOT_FOUND}),
        },
    )
    @idempotent
    def post(self, request: Request, number: str) -> Response:
        data = parse(TillReservationReleaseSerializer, request.data)
        store = user_store(request)
        services.release_at_till(
            store=store, user=signed_in_user(request.user), number=number, reason=data["reason"]
        )
        order = services.store_reservation(store=store, number=number)
        return Response(TillReservationSerializer(reservation_body(order)).data)


urlpatterns = [
    path("pos/reservations/", ReservationListView.as_view(), name="pos-reservations"),
    path("pos/reservations/<str:number>/", ReservationDetailView.as_view(), name="pos-reservation"),
    path("pos/reservations/<str:number>/sell/", ReservationSellView.as_view(), name="pos-reservation-sell"),
    path(
        "pos/reservations/<str:number>/release/",
        ReservationReleaseView.as_view(),
        name="pos-reservation-release",
    ),
]
