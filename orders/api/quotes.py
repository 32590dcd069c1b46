"""B2B quotes API (issue 17, ``orders.services.quotes``), for the members of a company account.

- ``GET /api/v1/b2b/quotes/``: the company's quotes, newest first (empty for a non-member);
- ``POST /api/v1/b2b/quotes/``: ask for a quote from the current cart (or the cart ``cart``): 201
  with the quote; 403 ``not_a_company_buyer``, 400 ``empty_cart``;
- ``GET /api/v1/b2b/quotes/<number>/``: one quote with its lines (another company's: 404);
- ``POST /api/v1/b2b/quotes/<number>/accept/``: the quote becomes an order at the quoted prices
  (click & collect at ``location``, or home delivery to ``shipping_address``): 200 with the quote and
  its order; 409 ``quote_expired``, ``quote_not_open``, ``quote_stock_short`` (``detail.lines``:
  every missing line), ``credit_limit_reached``, ``terms_blocked``. Accepting twice answers the same
  order;
- ``POST /api/v1/b2b/quotes/<number>/decline/``.

Token or session authentication, like ``/api/v1/b2b/quick-order/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ServiceAPIView, error_responses, parse
from core.idempotency import idempotent

from .. import selectors
from ..errors import CartNotFound, EmptyCart
from ..models import Quote, QuoteStatus
from ..services import quotes as services
from .cart import resolve_cart
from .checkout import AddressSerializer

if TYPE_CHECKING:
    from accounts.models import User

TAGS = ["b2b"]
NUMBER = OpenApiParameter(
    "number", str, OpenApiParameter.PATH, description="The quote's number, e.g. Q2026-000001."
)
NOT_FOUND = "No quote with this number for your company (another company's quote is not found either)."


class B2BQuoteAskSerializer(serializers.Serializer[Any]):
    message = serializers.CharField(
        max_length=services.MAX_MESSAGE_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the buyer wants to tell the sales team (delivery, volumes, deadline).",
    )
    cart = serializers.UUIDField(
        required=False, allow_null=True, help_text="One of your carts; without it, your open cart."
    )


class B2BQuoteAcceptSerializer(serializers.Serializer[Any]):
    delivery_method = serializers.ChoiceField(
        choices=[(m.value, m.label) for m in services.ACCEPT_METHODS],
        help_text="`click_collect` at the store `location`, or `home` to `shipping_address`.",
    )
    location = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        default="",
        help_text="Click & collect: the store's code.",
    )
    shipping_address = AddressSerializer(required=False, help_text="Home delivery: where to.")


class B2BQuoteLineSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    list_unit_price = serializers.DecimalField(
        max_digits=12, decimal_places=4, help_text="HT, EUR: what the price rules gave."
    )
    quoted_unit_price = serializers.DecimalField(max_digits=12, decimal_places=4, help_text="HT, EUR.")
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=1)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    total_net = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_gross = serializers.DecimalField(max_digits=12, decimal_places=2)


class B2BQuoteOrderSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    status = serializers.CharField()
    approval = serializers.CharField(help_text="`pending` when it waits for an approver of the company.")


class B2BQuoteSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=QuoteStatus.choices)
    valid_until = serializers.DateField(allow_null=True, help_text="Set when sent; accept until this day.")
    message = serializers.CharField()
    staff_note = serializers.CharField()
    currency = serializers.CharField()
    total_net = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_vat = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_gross = serializers.DecimalField(max_digits=12, decimal_places=2)
    requested_by = serializers.CharField(help_text="The e-mail of the buyer who asked.")
    created_at = serializers.DateTimeField()
    pdf = serializers.BooleanField(help_text="True once the PDF is rendered (download it from the portal).")
    order = B2BQuoteOrderSerializer(allow_null=True)
    lines = B2BQuoteLineSerializer(many=True)


def quote_body(quote: Quote) -> dict[str, Any]:
    order = quote.order
    return {
        "number": quote.number,
        "status": quote.status,
        "valid_until": quote.valid_until.isoformat() if quote.valid_until else None,
        "message": quote.message,
        "staff_note": quote.staff_note,
        "currency": quote.currency,
        "total_net": str(quote.total_net),
        "total_vat": str(quote.total_vat),
        "total_gross": str(quote.total_gross),
        "requested_by": quote.requested_by.email if quote.requested_by else "",
        "created_at": quote.created_at.isoformat(),
        "pdf": bool(quote.pdf),
        "order": {"number": order.number, "status": order.status, "approval": order.approval}
        if order
        else None,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "list_unit_price": str(line.list_unit_price),
                "quoted_unit_price": str(line.quoted_unit_price),
                "discount_percent": str(line.discount_percent),
                "vat_rate": str(line.vat_rate),
                "total_net": str(line.total_net),
                "total_gross": str(line.total_gross),
            }
            for line in quote.lines.all()
        ],
    }


def _user(request: Request) -> User:
    return cast("User", request.user)


class QuoteListView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="b2b_quotes_list",
        tags=TAGS,
        summary="Your company's quotes",
        responses={200: B2BQuoteSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return Response(
            [
                quote_body(quote)
                for quote in services.quotes_for(_user(request), shop=getattr(request, "shop", None))
            ]
        )

    @extend_schema(
        operation_id="b2b_quotes_request",
        tags=TAGS,
        summary="Ask for a quote from the cart",
        description="The cart's lines at your current prices; the cart stays as it is. "
        "403 `not_a_company_buyer` for a shopper; 400 `empty_cart`; 404 for an unknown cart.",
        request=B2BQuoteAskSerializer,
        responses={
            201: B2BQuoteSerializer,
            **error_responses(
                400,
                401,
                403,
                404,
                409,
                422,
                descriptions={422: "`idempotency_key_reused`: the key came with another body."},
            ),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(B2BQuoteAskSerializer, request.data)
        user = _user(request)
        token = data.get("cart")
        if token:
            cart = resolve_cart(str(token), user)
            if cart.user_id is None:
                raise CartNotFound(detail={"token": str(token)})
        else:
            found = selectors.open_cart_of_user(user)
            if found is None:
                services.check_company_buyer(user)
                raise EmptyCart()
            cart = found
        quote = services.request_quote(cart=cart, user=user, message=data["message"])
        return Response(
            quote_body(services.quote_for(user, quote.number, shop=getattr(request, "shop", None))),
            status=201,
        )


class QuoteDetailView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="b2b_quotes_detail",
        tags=TAGS,
        summary="One quote",
        parameters=[NUMBER],
        responses={200: B2BQuoteSerializer, **error_responses(401, 403, 404, descriptions={404: NOT_FOUND})},
    )
    def get(self, request: Request, number: str) -> Response:
        return Response(
            quote_body(services.quote_for(_user(request), number, shop=getattr(request, "shop", None)))
        )


class QuoteAcceptView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="b2b_quotes_accept",
        tags=TAGS,
        summary="Accept a quote: it becomes an order at the quoted prices",
        description="Within its validity, by any member of the company. 409 `quote_expired`, "
        "`quote_not_open`, `quote_stock_short` (every missing line in `detail.lines`), "
        "`credit_limit_reached`, `terms_blocked`; 400 `invalid_address`; 404 `unknown_location`. "
        "Accepting an accepted quote answers it again with its one order.",
        parameters=[NUMBER],
        request=B2BQuoteAcceptSerializer,
        responses={200: B2BQuoteSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    @idempotent
    def post(self, request: Request, number: str) -> Response:
        data = parse(B2BQuoteAcceptSerializer, request.data)
        user = _user(request)
        quote = services.quote_for(user, number, shop=getattr(request, "shop", None))
        services.accept_quote(
            quote=quote,
            user=user,
            delivery_method=data["delivery_method"],
            location_code=data["location"],
            shipping_address=data.get("shipping_address"),
        )
        return Response(quote_body(services.quote_for(user, number, shop=getattr(request, "shop", None))))


class QuoteDeclineView(ServiceAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="b2b_quotes_decline",
        tags=TAGS,
        summary="Decline a quote",
        parameters=[NUMBER],
        request=None,
        responses={200: B2BQuoteSerializer, **error_responses(401, 403, 404, 409, 422)},
    )
    @idempotent
    def post(self, request: Request, number: str) -> Response:
        user = _user(request)
        services.decline_quote(
            quote=services.quote_for(user, number, shop=getattr(request, "shop", None)), user=user
        )
        return Response(quote_body(services.quote_for(user, number, shop=getattr(request, "shop", None))))


urlpatterns = [
    path("b2b/quotes/", QuoteListView.as_view(), name="b2b-quotes"),
    path("b2b/quotes/<str:number>/", QuoteDetailView.as_view(), name="b2b-quote-detail"),
    path("b2b/quotes/<str:number>/accept/", QuoteAcceptView.as_view(), name="b2b-quote-accept"),
    path("b2b/quotes/<str:number>/decline/", QuoteDeclineView.as_view(), name="b2b-quote-decline"),
]
