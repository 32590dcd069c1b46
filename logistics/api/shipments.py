"""Shipments API v1: an order's shipments and tracking, staff actions, label PDFs, carrier webhooks.

- ``GET /api/v1/orders/{number}/shipments/``: the order's shipments with their parcels and events.
  Staff and managers see every one; a store manager those that leave their store; the shopper who
  owns the order all of them. Anyone else: 404 ``not_found`` (as for an unknown number).
- ``POST /api/v1/orders/{number}/shipments/``: ``{"action": "hand_over" | "retry_labels",
  "shipment": "EXP-..."}`` by staff or the shipping store's manager.
- ``GET /api/v1/shipments/{id}/label/``: the PDF of every parcel's label (merged), 409 while any is
  pending or failed.
- ``POST /api/v1/shipments/{id}/events/``: the carrier pushes tracking events; no session or token,
  the carrier's signature (``parse_webhook``) is the authentication: a bad one is 403 and writes
  nothing; a replay records nothing new.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ServiceAPIView, error_responses, parse
from core.auth import signed_in_user
from core.errors import NotFound, PermissionDenied
from core.idempotency import idempotent
from core.schema import MAX_INT32
from orders.models import Order

from .. import selectors_shipping as selectors
from .. import services_shipping as services
from ..errors_shipping import ShipmentNotFound
from ..fulfilment_models import LabelStatus, Parcel, ParcelType, Shipment, ShipmentStatus, TrackingSource

TAGS = ["shipments"]
ORDER_NOT_FOUND = "No such order, or not one you may see (`not_found`)."
SHIPMENT_ID = OpenApiParameter(
    "shipment_id",
    {"type": "integer", "minimum": 1, "maximum": MAX_INT32},
    OpenApiParameter.PATH,
    description="The shipment's id. Unknown, or not one you may act on: 404 `shipment_not_found`.",
)
ORDER_NUMBER = OpenApiParameter(
    "number", OpenApiTypes.STR, OpenApiParameter.PATH, description="The order number."
)


# --- shapes ---------------------------------------------------------------------------------------


class TrackingEventSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ShipmentStatus.choices)
    code = serializers.CharField(help_text="The carrier's own event code.")
    description = serializers.CharField()
    place = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    source = serializers.ChoiceField(choices=TrackingSource.choices)  # type: ignore[assignment]  # a field (the metaclass pops it), not Field.source


class ParcelSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    parcel_type = serializers.ChoiceField(choices=ParcelType.choices)
    weight_grams = serializers.IntegerField()
    label_status = serializers.ChoiceField(choices=LabelStatus.choices)
    label_error = serializers.CharField(
        help_text="Why the carrier refused the label (staff only; else empty)."
    )
    tracking_number = serializers.CharField(help_text="Empty until the label is made.")
    tracking_url = serializers.CharField(
        help_text="The carrier's tracking page; empty for the store courier."
    )
    status = serializers.ChoiceField(choices=ShipmentStatus.choices)
    events = TrackingEventSerializer(many=True)


class ShipmentLocationSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class ShipmentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=ShipmentStatus.choices)
    carrier = serializers.CharField()
    location = ShipmentLocationSerializer(help_text="Where it leaves from.")
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    label_url = serializers.CharField(help_text="The labels' PDF (staff); empty for the shopper.")
    parcels = ParcelSerializer(many=True)


class ShipmentActionSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(
        choices=[("hand_over", "hand_over"), ("retry_labels", "retry_labels")],
        help_text="`hand_over`: the carrier took the shipment (every label must be ready); "
        "`retry_labels`: ask the carrier again for the labels that failed.",
    )
    shipment = serializers.CharField(max_length=32, help_text="The shipment's number (EXP-2026-000001).")


class WebhookResultSerializer(serializers.Serializer[Any]):
    recorded = serializers.IntegerField(help_text="New events stored (0 for a replay).")
    ignored = serializers.IntegerField(help_text="Events of tracking numbers that are not this shipment's.")


def shipment_body(shipment: Shipment, *, staff_view: bool) -> dict[str, Any]:
    return {
        "id": shipment.pk,
        "number": shipment.number,
        "status": shipment.status,
        "carrier": shipment.carrier,
        "location": {"code": shipment.location.code, "name": shipment.location.name},
        "shipped_at": shipment.shipped_at,
        "delivered_at": shipment.delivered_at,
        "label_url": reverse("v1:shipment-label", args=[shipment.pk]) if staff_view else "",
        "parcels": [parcel_body(p, staff_view=staff_view) for p in shipment.parcels.all()],
    }


def parcel_body(parcel: Parcel, *, staff_view: bool) -> dict[str, Any]:
    return {
        "id": parcel.pk,
        "parcel_type": parcel.parcel_type,
        "weight_grams": parcel.weight_grams,
        "label_status": parcel.label_status,
        "label_error": parcel.label_error if staff_view else "",
        "tracking_number": parcel.tracking_number,
        "tracking_url": parcel.tracking_url,
        "status": parcel.status,
        "events": [
            {
                "status": e.status,
                "code": e.code,
                "description": e.description,
                "place": e.place,
                "occurred_at": e.occurred_at,
                "source": e.source,
            }
            for e in parcel.events.all()
        ],
    }


# --- views ----------------------------------------------------------------------------------------


def _order(number: str) -> Order:
    order = Order.objects.filter(number=number[:32]).first()
    if order is None:
        raise NotFound(ORDER_NOT_FOUND, detail={"number": number[:32]})
    return order


def _visible_locations(request: Request, order: Order) -> list[int] | None:
    """None: every shipment of the order; else those leaving these locations. 404 for nobody's."""
    user = request.user
    ids = selectors.managed_location_ids(user)
    if ids is None or order.customer_id == user.pk:
        return None
    if ids and order.shipments.filter(location_id__in=ids).exists():
        return ids
    raise NotFound(ORDER_NOT_FOUND, detail={"number": order.number})


def _resolve_shipment(shipment_id: int, request: Request) -> Shipment:
    shipment = None
    if 1 <= shipment_id <= MAX_INT32:
        shipment = selectors.manageable_shipment(request.user, shipment_id)
    if shipment is None:
        raise ShipmentNotFound(detail={"shipment": shipment_id})
    return shipment


class OrderShipmentsView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="order_shipments_list",
        tags=TAGS,
        summary="An order's shipments, parcels and tracking",
        description="Staff and managers: every shipment; a store manager: those leaving their store; "
        "the shopper who owns the order: all of them (without the label errors and label links).",
        parameters=[ORDER_NUMBER],
        responses={
            200: ShipmentSerializer(many=True),
            **error_responses(401, 404, descriptions={404: ORDER_NOT_FOUND}),
        },
    )
    def get(self, request: Request, number: str) -> Response:
        order = _order(number)
        locations = _visible_locations(request, order)
        staff_view = selectors.managed_location_ids(request.user) != []
        shipments = selectors.shipments_of(order.pk, location_ids=locations)
        return Response(
            ShipmentSerializer([shipment_body(s, staff_view=staff_view) for s in shipments], many=True).data
        )

    @extend_schema(
        operation_id="order_shipments_action",
        tags=TAGS,
        summary="Hand a shipment over to the carrier, or retry its failed labels",
        description="`hand_over`: the shipment is SHIPPED (409 `shipment_not_ready` unless every label is "
        "ready; a shipment that already left is answered as it is); the order is SHIPPED when its last "
        "shipment leaves. `retry_labels`: every parcel without its label is asked for again (409 "
        "`label_already_ready` when none is missing, `label_in_progress` while the carrier is being asked). "
        "Staff, or the manager of the shipping store.",
        parameters=[ORDER_NUMBER],
        request=ShipmentActionSerializer,
        responses={
            200: ShipmentSerializer,
            **error_responses(400, 401, 403, 404, 409, 415, 422, descriptions={404: ORDER_NOT_FOUND}),
        },
    )
    @idempotent
    def post(self, request: Request, number: str) -> Response:
        data = parse(ShipmentActionSerializer, request.data)
        order = _order(number)
        user = signed_in_user(request.user)
        shipment = order.shipments.filter(number=data["shipment"]).select_related("location").first()
        if shipment is None or not selectors.can_manage(user, shipment):
            _visible_locations(request, order)  # 404 for whoever may not see the order at all
            if shipment is None:
                raise ShipmentNotFound(detail={"shipment": data["shipment"]})
            raise PermissionDenied("Only staff or the shipping store's manager may do this.")
        if data["action"] == "hand_over":
            services.hand_over(shipment=shipment, user=user)
        else:
            services.retry_failed_labels(shipment=shipment, user=user)
        fresh = next(s for s in selectors.shipments_of(order.pk) if s.pk == shipment.pk)
        return Response(ShipmentSerializer(shipment_body(fresh, staff_view=True)).data)


class ShipmentLabelView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="shipment_label",
        tags=TAGS,
        summary="The shipment's labels (PDF)",
        description="Every parcel's 10x15 label in one PDF, one page per parcel. 409 `labels_not_ready` "
        "while a label is pending or failed (`detail`: the parcels pending and failed, with the reason).",
        parameters=[SHIPMENT_ID],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The labels."),
            **error_responses(401, 404, 409),
        },
    )
    def get(self, request: Request, shipment_id: int) -> HttpResponse:
        shipment = _resolve_shipment(shipment_id, request)
        pdf = services.shipment_label_pdf(shipment=shipment)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{shipment.number}.pdf"'
        return response


class ShipmentEventsView(APIView):
    """No session, no token: the carrier's signature over the body is the authentication."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="shipment_events_webhook",
        tags=TAGS,
        summary="Carrier webhook: tracking events of a shipment",
        description="The carrier POSTs its own event format, signed its own way (checked by the carrier's "
        "client). A bad signature or body: 403 `invalid_signature`, nothing written. Events already "
        "recorded (same event id) are not recorded again.",
        auth=[],
        parameters=[SHIPMENT_ID],
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: WebhookResultSerializer, **error_responses(403, 404)},
    )
    def post(self, request: Request, shipment_id: int) -> Response:
        if not 1 <= shipment_id <= MAX_INT32:
            raise ShipmentNotFound(detail={"shipment": shipment_id})
        result = services.record_webhook(shipment_id=shipment_id, body=request.body, headers=request.headers)
        return Response(
            WebhookResultSerializer({"recorded": result.recorded, "ignored": result.ignored}).data
        )
