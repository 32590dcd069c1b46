"""``POST /api/v1/b2b/quick-order/``: many lines into the cart at once (``orders.services.quick_order``).

For signed-in users only (401 otherwise): a company buyer's minimum and pack size apply, and a
shopper may use it too. ``cart`` is the token of one of the caller's carts; without it, the caller's
open cart (created if they have none). All lines are added or none: 201 with the cart, or 422
``quick_order_refused`` with every row that cannot be added in ``detail.rows``. ``Idempotency-Key``
is honoured (``core.idempotency``): a replay answers the first answer and adds nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import transaction
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ServiceAPIView, error_responses, parse
from core.idempotency import idempotent
from pricing.services import BASE_CURRENCY

from .. import selectors
from ..errors import CartNotFound
from ..models import Cart
from ..services import cart as cart_services
from ..services import quick_order as services
from .cart import CartOutSerializer, cart_body, resolve_cart

if TYPE_CHECKING:
    from accounts.models import User

MAX_PAYLOAD_LINES = 1000  # a hard bound on the body; the service's limit (QUICK_ORDER_MAX_ROWS) is lower


class QuickOrderLineSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField(
        max_length=64, allow_blank=True, help_text="The variant's SKU, or its EAN-13. Unknown: a row error."
    )
    quantity = serializers.IntegerField(
        help_text="Units to add, a whole number from 1 to 99; out of range, below a company buyer's "
        "minimum or off its pack size, or beyond the stock online: a row error."
    )


class QuickOrderSerializer(serializers.Serializer[Any]):
    lines = serializers.ListField(
        child=QuickOrderLineSerializer(), allow_empty=False, min_length=1, max_length=MAX_PAYLOAD_LINES
    )
    cart = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="The token of one of your carts; without it, your open cart (created if needed).",
    )


class QuickOrderRowSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(help_text="The row's position in `lines`, from 1.")
    text = serializers.CharField()
    code = serializers.CharField()
    quantity = serializers.IntegerField(allow_null=True)
    sku = serializers.CharField(help_text="The SKU found for the code, empty when none.")
    error = serializers.CharField(help_text="Why the row cannot be added.")
    note = serializers.CharField(help_text="e.g. merged with another row naming the same product.")


class QuickOrderRefusedDetailSerializer(serializers.Serializer[Any]):
    rows = QuickOrderRowSerializer(
        many=True, required=False, help_text="With `quick_order_refused`: every row and why."
    )


class QuickOrderRefusedSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="`quick_order_refused`")
    message = serializers.CharField()
    detail = QuickOrderRefusedDetailSerializer()


class QuickOrderView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="b2b_quick_order",
        tags=["b2b"],
        summary="Quick order: many lines into the cart at once",
        description="Reads every line first: unknown SKU or EAN, bad quantity, a product no longer "
        "sold, a company buyer's minimum or pack size, stock online. Lines naming the same product "
        "are merged (their quantities add up). If any line cannot be added, NOTHING is: 422 "
        "`quick_order_refused` with the rows to fix in `detail.rows`. Otherwise 201 with the cart. "
        f"At most {settings.QUICK_ORDER_MAX_ROWS} lines (400 `quick_order_invalid`).",
        request=QuickOrderSerializer,
        responses={
            201: CartOutSerializer,
            422: QuickOrderRefusedSerializer,
            **error_responses(400, 401, 404, 409, 415, descriptions={404: "Unknown cart token."}),
        },
        examples=[
            OpenApiExample(
                "Two lines",
                value={"lines": [{"sku": "TEE-M", "quantity": 12}, {"sku": "3760000000017", "quantity": 6}]},
                request_only=True,
            )
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(QuickOrderSerializer, request.data)
        report = services.report_from_lines([(line["sku"], line["quantity"]) for line in data["lines"]])
        with transaction.atomic():  # a cart opened for it exists only if the lines do
            cart = self._cart(request, data.get("cart"))
            services.add_quick_order(cart=cart, report=report)
        cart.refresh_from_db()
        return Response(cart_body(cart), status=201)

    def _cart(self, request: Request, token: object) -> Cart:
        if token:
            cart = resolve_cart(str(token), request.user)
            if cart.user_id is None:  # an anonymous cart: the quick order is for one's own cart
                raise CartNotFound(detail={"token": str(token)})
            return cart
        user = cast("User", request.user)
        found = selectors.open_cart_of_user(user)
        return found or cart_services.open_cart(user=user, currency=BASE_CURRENCY)
