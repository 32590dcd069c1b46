"""``POST /api/v1/erp/batches/{id}/ack/``: the ERP acknowledges an order batch it has read.

Needs the permission ``integrations.ack_orderbatch`` (the integration role's token has it).
Optional body ``{"content_hash": "<sha256>"}``: when given it must be the batch's. Acknowledging
twice answers the same (idempotent by nature: no ``Idempotency-Key`` needed).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ServiceAPIView, error_responses, parse
from core.auth import signed_in_user
from core.errors import PermissionDenied
from core.schema import MAX_INT32

from . import services
from .errors import BatchNotFound
from .models import OrderBatch

TAGS = ["erp"]
ACK_PERMISSION = "integrations.ack_orderbatch"

BATCH_ID = OpenApiParameter(
    "batch_id",
    {"type": "integer", "minimum": 1, "maximum": MAX_INT32},
    OpenApiParameter.PATH,
    description="The order batch's id (in its file name: ORDERS_<id>.csv). Unknown: 404 `batch_not_found`.",
)


class AckRequestSerializer(serializers.Serializer[Any]):
    content_hash = serializers.RegexField(
        r"^[0-9a-fA-F]{64}$", required=False, help_text="SHA-256 of the file read (optional check)."
    )


class BatchSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    file_name = serializers.CharField()
    content_hash = serializers.CharField()
    document_count = serializers.IntegerField()
    order_count = serializers.IntegerField()
    cursor_from = serializers.IntegerField()
    cursor_to = serializers.IntegerField()
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)


def batch_body(batch: OrderBatch) -> dict[str, Any]:
    return dict(BatchSerializer(batch).data)


class BatchAckView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="erp_batch_ack",
        tags=TAGS,
        parameters=[BATCH_ID],
        summary="Acknowledge an order batch (ERP)",
        description="The ERP read the batch's file: it is not sent again. Needs the integration role "
        "(`integrations.ack_orderbatch`), else 403. 404 `batch_not_found`; 409 `batch_not_sent` "
        "(built, never written out) or `batch_hash_mismatch` (`content_hash` given and not the batch's). "
        "A second acknowledgement answers 200 with the batch as it is.",
        request=AckRequestSerializer,
        responses={200: BatchSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
    )
    def post(self, request: Request, batch_id: int) -> Response:
        user = signed_in_user(request.user)
        if not user.has_perm(ACK_PERMISSION):
            raise PermissionDenied("Only the ERP integration may acknowledge order batches.")
        data = parse(AckRequestSerializer, request.data)
        if not 1 <= batch_id <= MAX_INT32:
            raise BatchNotFound(detail={"batch": batch_id})
        batch = services.acknowledge_batch(
            batch_id=batch_id, via="api", content_hash=data.get("content_hash", "")
        )
        return Response(batch_body(batch))
