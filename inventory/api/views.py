"""Public REST API v1 for stock. Thin: parse, resolve codes, authorise, call ONE service, render.

Every POST honours ``Idempotency-Key`` (``core.idempotency``); every error is
``{"code", "message", "detail"}`` (``core.api``). Who may do what where is ``inventory.permissions``:

=================================  =================  ==========================================
endpoint                           permission         checked at
=================================  =================  ==========================================
GET  /stock/                       view_stocklevel    ``watchable_locations`` (as the websocket)
POST /stock/movements/ sale|return record_sale        ``location``
POST /stock/movements/ receipt|loss receive_stock     ``location``
POST /stock/counts/                adjust_stock       ``location``
POST /stock/transfers/             transfer_stock     ``from_location`` (the sender moves its stock)
POST /stock/reservations/...       reserve_stock      the reservation's location
=================================  =================  ==========================================

Cashiers and store managers act at their own store; staff and managers anywhere.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.filters import BaseFilterBackend
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ServiceAPIView, error_responses, parse
from core.auth import signed_in_user
from core.idempotency import idempotent
from core.schema import StrictLimitOffsetPagination

from .. import selectors, services
from ..models import MovementReason
from ..permissions import ensure_can_act, readable_location_codes
from ..services import LotInput
from . import resolvers
from .serializers import (
    INBOUND_REASONS,
    ReservationCreateSerializer,
    ReservationSerializer,
    StockChangeSerializer,
    StockCountResultSerializer,
    StockCountSerializer,
    StockLevelQuerySerializer,
    StockLevelSerializer,
    StockMovementSerializer,
    StockTransferResultSerializer,
    StockTransferSerializer,
    level_row,
)

TAGS = ["stock"]

# reason -> (service, the permission it needs at the location)
MOVEMENTS = {
    MovementReason.RECEIPT: (services.receive_stock, "receive_stock"),
    MovementReason.RETURN: (services.return_to_stock, "record_sale"),
    MovementReason.SALE: (services.sell_stock, "record_sale"),
    MovementReason.LOSS: (services.record_loss, "receive_stock"),
}


def lot_input(lot: dict[str, Any] | None) -> LotInput | None:
    return LotInput(batch=lot["batch"], expiry_date=lot.get("expiry_date")) if lot else None


class CanViewStock(BasePermission):
    message = "You may not view stock levels."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.user.has_perm("inventory.view_stocklevel")


class StockLevelPagination(StrictLimitOffsetPagination):
    default_limit = 100
    max_limit = 1000


class StockWriteView(ServiceAPIView):
    """Base of the POST endpoints: JSON bodies only (anything else is a 415)."""


class StockLevelListView(GenericAPIView[Any]):
    permission_classes = [IsAuthenticated, CanViewStock]
    serializer_class = StockLevelSerializer
    pagination_class = StockLevelPagination
    filter_backends: list[type[BaseFilterBackend]] = []

    @extend_schema(
        operation_id="stock_levels_list",
        tags=TAGS,
        summary="Stock levels",
        description="Levels per SKU and location, ordered by location code then SKU. "
        "Needs `inventory.view_stocklevel`; a cashier or store manager reads their store and the other "
        "open stores (not the warehouse: 403 `permission_denied`), as on the stock websocket. Without "
        "`location`: every location the user may read.",
        parameters=[StockLevelQuerySerializer],
        responses={200: StockLevelSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse(StockLevelQuerySerializer, request.query_params)
        skus, codes = query.get("sku"), query.get("location")
        if skus:
            resolvers.ensure_skus_exist(skus)
        if codes:
            resolvers.ensure_locations_exist(codes)
        codes = readable_location_codes(request.user, codes)  # the websocket's rule too
        page = self.paginate_queryset(selectors.stock_levels(skus=skus, location_codes=codes))
        assert page is not None  # pagination_class is set
        rows = [
            {
                "sku": row["sku"],
                "location": row["location_code"],
                "on_hand": row["on_hand"],
                "reserved": row["reserved"],
                "available": row["available"],
                "version": row["version"],
            }
            for row in page
        ]
        return self.get_paginated_response(StockLevelSerializer(rows, many=True).data)


class StockMovementView(StockWriteView):
    @extend_schema(
        operation_id="stock_movement_create",
        tags=TAGS,
        summary="Record a receipt, return, sale or loss",
        description="Permission at `location` (staff and managers: anywhere): `sale` and `return` need "
        "`record_sale`, `receipt` and `loss` need `receive_stock`. A sale or loss "
        "larger than the available stock is refused with 409 `insufficient_stock` and changes nothing.",
        request=StockMovementSerializer,
        responses={201: StockChangeSerializer, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(StockMovementSerializer, request.data)
        variant = resolvers.resolve_variant(data["sku"])
        location = resolvers.resolve_location(data["location"])
        service, perm = MOVEMENTS[data["reason"]]
        ensure_can_act(request.user, location, perm)
        extra = {"lot": lot_input(data["lot"])} if data["reason"] in INBOUND_REASONS else {}
        change = service(
            variant=variant,
            location=location,
            quantity=data["quantity"],
            reference=data["reference"],
            user=signed_in_user(request.user),
            **extra,
        )
        body = {"movement_ids": [m.pk for m in change.movements], "level": level_row(change.level)}
        return Response(StockChangeSerializer(body).data, status=201)


class StockCountView(StockWriteView):
    @extend_schema(
        operation_id="stock_count_create",
        tags=TAGS,
        summary="Record a stock count",
        description="On hand becomes `counted` (for lot-tracked products: that lot's quantity), with one "
        "`count_adjustment` ledger row for the difference. Needs `adjust_stock` at `location`. A count "
        "below the reserved units is refused with 409 `insufficient_stock`.",
        request=StockCountSerializer,
        responses={201: StockCountResultSerializer, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(StockCountSerializer, request.data)
        variant = resolvers.resolve_variant(data["sku"])
        location = resolvers.resolve_location(data["location"])
        ensure_can_act(request.user, location, "adjust_stock")
        change = services.adjust_stock(
            variant=variant,
            location=location,
            counted=data["counted"],
            reference=data["reference"],
            user=signed_in_user(request.user),
            lot=lot_input(data["lot"]),
        )
        body = {
            "movement_ids": [m.pk for m in change.movements],
            "difference": sum(m.quantity for m in change.movements),
            "level": level_row(change.level),
        }
        return Response(StockCountResultSerializer(body).data, status=201)


class StockTransferView(StockWriteView):
    @extend_schema(
        operation_id="stock_transfer_create",
        tags=TAGS,
        summary="Transfer stock between two locations",
        description="Moves available units in one transaction (`transfer_out` + `transfer_in` rows). "
        "Needs `transfer_stock` at `from_location`. 400 `same_location` if both are the same; 409 "
        "`insufficient_stock` if the source lacks units.",
        request=StockTransferSerializer,
        responses={201: StockTransferResultSerializer, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(StockTransferSerializer, request.data)
        variant = resolvers.resolve_variant(data["sku"])
        source = resolvers.resolve_location(data["from_location"], field="from_location")
        destination = resolvers.resolve_location(data["to_location"], field="to_location")
        ensure_can_act(request.user, source, "transfer_stock")
        result = services.transfer_stock(
            variant=variant,
            from_location=source,
            to_location=destination,
            quantity=data["quantity"],
            reference=data["reference"],
            user=signed_in_user(request.user),
        )
        body = {
            "transfer_id": result.transfer_id,
            "reference": result.movements[0].reference,
            "movement_ids": [m.pk for m in result.movements],
            "from_level": level_row(result.source),
            "to_level": level_row(result.destination),
        }
        return Response(StockTransferResultSerializer(body).data, status=201)


class ReservationCreateView(StockWriteView):
    @extend_schema(
        operation_id="stock_reservation_create",
        tags=TAGS,
        summary="Reserve stock",
        description="Holds available units until `expires_at`; commit or release it before then, or the "
        "expiry task releases it. Needs `reserve_stock` at `location`. 409 `insufficient_stock` if "
        "the units are not available.",
        request=ReservationCreateSerializer,
        responses={201: ReservationSerializer, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(ReservationCreateSerializer, request.data)
        variant = resolvers.resolve_variant(data["sku"])
        location = resolvers.resolve_location(data["location"])
        ensure_can_act(request.user, location, "reserve_stock")
        reservation = services.reserve_stock(
            variant=variant,
            location=location,
            quantity=data["quantity"],
            ttl_seconds=data.get("ttl_seconds"),
            reference=data["reference"],
            user=signed_in_user(request.user),
        )
        return Response(ReservationSerializer(reservation).data, status=201)


RESERVATION_ID = OpenApiParameter(
    "reservation_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The reservation's id."
)
RESERVATION_ERRORS = error_responses(
    401, 403, 404, 409, 422, descriptions={404: "No reservation has this id (`not_found`)."}
)


class ReservationReleaseView(StockWriteView):
    @extend_schema(
        operation_id="stock_reservation_release",
        tags=TAGS,
        summary="Release a reservation",
        description="The held units become available again. Needs `reserve_stock` at the reservation's "
        "location. 409 `reservation_not_active` if it was already released, expired or committed.",
        request=None,
        parameters=[RESERVATION_ID],
        responses={200: ReservationSerializer, **RESERVATION_ERRORS},
    )
    @idempotent
    def post(self, request: Request, reservation_id: str) -> Response:
        reservation = resolvers.resolve_reservation(reservation_id)
        ensure_can_act(request.user, reservation.location, "reserve_stock")
        reservation = services.release_reservation(reservation=reservation, user=signed_in_user(request.user))
        return Response(ReservationSerializer(reservation).data, status=200)


class ReservationCommitView(StockWriteView):
    @extend_schema(
        operation_id="stock_reservation_commit",
        tags=TAGS,
        summary="Commit a reservation (the units are sold)",
        description="The held units leave on hand and reserved together. Needs `reserve_stock` at the "
        "reservation's location. 409 `reservation_not_active` if it was already released, expired or "
        "committed.",
        request=None,
        parameters=[RESERVATION_ID],
        responses={200: ReservationSerializer, **RESERVATION_ERRORS},
    )
    @idempotent
    def post(self, request: Request, reservation_id: str) -> Response:
        reservation = resolvers.resolve_reservation(reservation_id)
        ensure_can_act(request.user, reservation.location, "reserve_stock")
        reservation = services.commit_reservation(reservation=reservation, user=signed_in_user(request.user))
        return Response(ReservationSerializer(reservation).data, status=200)
