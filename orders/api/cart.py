"""Store API v1 for carts: thin views over ``orders.services.cart``.

Who may touch a cart: its token is the key. Anybody holding the token of an anonymous cart may use
it (a mobile app without an account); a cart that belongs to a user is visible only to that user,
signed in with a token or a session: anybody else gets the same 404 as for an unknown token, so
tokens cannot be probed. Every answer is the whole priced cart.

POSTs honour ``Idempotency-Key`` (``core.idempotency``), which needs a signed-in user: an anonymous
request that sends one gets 401. Errors are ``{"code", "message", "detail"}`` (``core.api``).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import customer_group_for
from catalog.models import Variant
from catalog.selectors import variant_by_sku
from core.api import ServiceAPIView, error_responses, parse
from core.idempotency import idempotent
from pricing.errors import UnsupportedCurrency
from pricing.services import BASE_CURRENCY, offered_currencies

from .. import selectors
from ..errors import MAX_LINE_QUANTITY, CartNotFound
from ..models import Cart
from ..services import cart as services

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

TAGS = ["cart"]
CART_NOT_FOUND = "No cart has this token (`not_found`); another user's cart is not found either."


# --- shapes ---------------------------------------------------------------------------------------


class CartCreateSerializer(serializers.Serializer[Any]):
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$",
        required=False,
        default=BASE_CURRENCY,
        help_text="EUR (default), or GBP, USD, CHF when staff gave it a rate (any case); another: "
        "400 `unsupported_currency`.",
    )


class LineAddSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField(max_length=64, help_text="The variant's SKU. Unknown: 404 `unknown_sku`.")
    quantity = serializers.IntegerField(
        min_value=1,
        max_value=MAX_LINE_QUANTITY,
        default=1,
        help_text="Units to add to what the cart holds; the line may hold at most "
        f"{MAX_LINE_QUANTITY} (400 `invalid_quantity`) and no more than one online location "
        "has available (409 `insufficient_stock`).",
    )


class LineUpdateSerializer(serializers.Serializer[Any]):
    quantity = serializers.IntegerField(
        min_value=0, max_value=MAX_LINE_QUANTITY, help_text="The line's new quantity; 0 removes it."
    )


class CouponSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        max_length=40, help_text="400 `invalid_coupon` with `detail.reason` if refused."
    )


class CartLineOutSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_gross = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="TTC, EUR.")
    unit_net = serializers.DecimalField(max_digits=12, decimal_places=4, help_text="HT, EUR.")
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    line_gross = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Before discounts.")
    discount_gross = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="This line's share of the promotion and coupon."
    )
    weight_grams = serializers.IntegerField(help_text="The whole line.")


class CartTotalsSerializer(serializers.Serializer[Any]):
    subtotal_gross = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="EUR, before discounts."
    )
    promotion_discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    member_discount = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="The customer's permanent discount (loyalty tier)."
    )
    member_label = serializers.CharField(help_text='e.g. "Gold member -5 %"; empty without one.')
    coupon_discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    free_shipping = serializers.BooleanField(help_text="The customer's benefit: home delivery is free.")
    total_gross = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="EUR, after discounts, before shipping."
    )
    total_net = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="EUR HT, after discounts, before shipping: the sum of the lines' HT (each its TTC / "
        "(1 + VAT)), as the order will carry it; total_gross - total_net is the VAT.",
    )
    prices_ht = serializers.BooleanField(
        help_text="Show this buyer amounts excl. VAT: a B2B shop, a company's buyer or a B2B group."
    )
    currency = serializers.CharField()
    total_gross_in_currency = serializers.DecimalField(max_digits=12, decimal_places=2)


class CartPromotionSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="EUR.")


class CartOutSerializer(serializers.Serializer[Any]):
    token = serializers.UUIDField()
    status = serializers.CharField(help_text="open, merged or checked_out: only an open cart changes.")
    currency = serializers.CharField()
    coupon_code = serializers.CharField(help_text="The code kept on the cart, empty when none.")
    coupon_error = serializers.CharField(
        help_text="Why the kept code does not apply now; empty when it does."
    )
    count = serializers.IntegerField(help_text="Units in the cart.")
    lines = CartLineOutSerializer(many=True)
    totals = CartTotalsSerializer()
    applied_promotions = CartPromotionSerializer(many=True)


def cart_body(cart: Cart) -> dict[str, Any]:
    group = customer_group_for(cart.user) if cart.user_id else None
    try:
        priced = services.price_cart(cart=cart, customer_group=group, currency=cart.currency)
    except UnsupportedCurrency:  # the rate was removed since: show euros
        priced = services.price_cart(cart=cart, customer_group=group, currency=BASE_CURRENCY)
    body = {
        "token": cart.token,
        "status": cart.status,
        "currency": priced.currency,
        "coupon_code": cart.coupon_code,
        "coupon_error": priced.coupon_error,
        "count": priced.count,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_gross": line.unit_gross,
                "unit_net": line.unit_net,
                "vat_rate": line.vat_rate,
                "line_gross": line.line_gross,
                "discount_gross": line.discount_gross,
                "weight_grams": line.weight_grams,
            }
            for line in priced.lines
        ],
        "totals": {
            "subtotal_gross": priced.subtotal_gross,
            "promotion_discount": priced.promotion_discount,
            "member_discount": priced.member_discount,
            "member_label": priced.member_label,
            "coupon_discount": priced.coupon_discount,
            "free_shipping": priced.free_shipping,
            "total_gross": priced.total_gross,
            "total_net": priced.total_net,
            "prices_ht": priced.prices_ht,
            "currency": priced.currency,
            "total_gross_in_currency": priced.total_gross_in_currency,
        },
        "applied_promotions": [
            {"name": name, "amount": amount} for name, amount in priced.applied_promotions
        ],
    }
    return CartOutSerializer(body).data


# --- resolving ------------------------------------------------------------------------------------


def resolve_cart(token: str, user: User | AnonymousUser) -> Cart:
    """The cart with this token if ``user`` may use it, else 404 (the same for both cases)."""
    try:
        parsed = uuid.UUID(str(token))
    except ValueError:
        parsed = None
    cart = Cart.objects.select_related("user").filter(token=parsed).first() if parsed else None
    if cart is None or (cart.user_id is not None and not (user.is_authenticated and user.pk == cart.user_id)):
        raise CartNotFound(detail={"token": str(token)})
    return cart


def resolve_variant(sku: str) -> Variant:
    return variant_by_sku(sku)


TOKEN = OpenApiParameter("token", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The cart's token.")
SKU = OpenApiParameter("sku", OpenApiTypes.STR, OpenApiParameter.PATH, description="A SKU in the cart.")


class CartView(ServiceAPIView):
    permission_classes = [AllowAny]


class CartCreateView(CartView):
    @extend_schema(
        operation_id="cart_create",
        tags=TAGS,
        summary="Create a cart",
        description="Anonymous: a new cart; keep its `token`, it is the only key to it. Signed in: the "
        "user's open cart, created if they have none (201) or returned as it is (200).",
        request=CartCreateSerializer,
        responses={
            201: CartOutSerializer,
            200: CartOutSerializer,
            **error_responses(400, 401, 415, 422),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(CartCreateSerializer, request.data)
        data["currency"] = data["currency"].upper()
        if data["currency"] not in offered_currencies():
            raise UnsupportedCurrency(
                f"{data['currency']} is not offered.", detail={"currency": data["currency"]}
            )
        shop = getattr(request, "shop", None)  # the shop of the host (shops.middleware)
        shop_id = shop.id if shop is not None else None
        if request.user.is_authenticated:
            existing = selectors.open_cart_of_user(request.user, shop=shop)
            if existing is not None:
                return Response(cart_body(existing), status=200)
            cart = Cart.objects.create(user=request.user, currency=data["currency"], shop_id=shop_id)
        else:
            cart = Cart.objects.create(currency=data["currency"], shop_id=shop_id)
        return Response(cart_body(cart), status=201)


class CartDetailView(CartView):
    @extend_schema(
        operation_id="cart_retrieve",
        tags=TAGS,
        summary="A cart with today's prices",
        description="Prices from the owner's price list, the best automatic promotion and the kept "
        "coupon (checked again: `coupon_error` says why it no longer applies). Amounts in EUR; "
        "`total_gross_in_currency` in the cart's currency.",
        parameters=[TOKEN],
        responses={200: CartOutSerializer, **error_responses(404, descriptions={404: CART_NOT_FOUND})},
    )
    def get(self, request: Request, token: str) -> Response:
        return Response(cart_body(resolve_cart(token, request.user)))


class CartLinesView(CartView):
    @extend_schema(
        operation_id="cart_line_add",
        tags=TAGS,
        summary="Add a product",
        description="Adds `quantity` units of `sku` (added to what the line holds). 400 "
        "`product_unavailable` if it is no longer sold, 400 `invalid_quantity` beyond "
        f"{MAX_LINE_QUANTITY} per line, 409 `insufficient_stock` beyond what one online "
        "location has, 409 `cart_closed` if the cart was checked out.",
        parameters=[TOKEN],
        request=LineAddSerializer,
        responses={
            201: CartOutSerializer,
            **error_responses(400, 401, 404, 409, 415, 422, descriptions={404: "Unknown cart or SKU."}),
        },
    )
    @idempotent
    def post(self, request: Request, token: str) -> Response:
        cart = resolve_cart(token, request.user)
        data = parse(LineAddSerializer, request.data)
        variant = resolve_variant(data["sku"])
        services.add_to_cart(cart=cart, variant=variant, quantity=data["quantity"])
        cart.refresh_from_db()
        return Response(cart_body(cart), status=201)


class CartLineView(CartView):
    @extend_schema(
        operation_id="cart_line_update",
        tags=TAGS,
        summary="Change a line's quantity",
        description="0 removes the line. 404 `not_in_cart` if the SKU is not in the cart.",
        parameters=[TOKEN, SKU],
        request=LineUpdateSerializer,
        responses={
            200: CartOutSerializer,
            **error_responses(
                400, 404, 409, 415, descriptions={404: "Unknown cart or SKU, or not in the cart."}
            ),
        },
    )
    def patch(self, request: Request, token: str, sku: str) -> Response:
        cart = resolve_cart(token, request.user)
        data = parse(LineUpdateSerializer, request.data)
        variant = resolve_variant(sku)
        services.set_cart_line_quantity(cart=cart, variant=variant, quantity=data["quantity"])
        cart.refresh_from_db()
        return Response(cart_body(cart))

    @extend_schema(
        operation_id="cart_line_remove",
        tags=TAGS,
        summary="Remove a line",
        parameters=[TOKEN, SKU],
        request=None,
        responses={
            200: CartOutSerializer,
            **error_responses(404, 409, descriptions={404: "Unknown cart or SKU, or not in the cart."}),
        },
    )
    def delete(self, request: Request, token: str, sku: str) -> Response:
        cart = resolve_cart(token, request.user)
        variant = resolve_variant(sku)
        services.remove_from_cart(cart=cart, variant=variant)
        cart.refresh_from_db()
        return Response(cart_body(cart))


class CartCouponView(CartView):
    @extend_schema(
        operation_id="cart_coupon_apply",
        tags=TAGS,
        summary="Use a coupon code",
        description="Checks the code against the cart (validity dates, minimum basket after automatic "
        "promotions, uses left, per-customer limit) and keeps it; it is used only when the order is "
        "placed. 400 `invalid_coupon` (`detail.reason`: unknown, expired, min_basket, ...), 409 when "
        "used up.",
        parameters=[TOKEN],
        request=CouponSerializer,
        responses={200: CartOutSerializer, **error_responses(400, 401, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request, token: str) -> Response:
        cart = resolve_cart(token, request.user)
        data = parse(CouponSerializer, request.data)
        owner = cart.user if cart.user_id else None
        services.apply_coupon(
            cart=cart, code=data["code"], user=owner, customer_group=customer_group_for(owner)
        )
        cart.refresh_from_db()
        return Response(cart_body(cart))

    @extend_schema(
        operation_id="cart_coupon_remove",
        tags=TAGS,
        summary="Stop using the coupon",
        parameters=[TOKEN],
        request=None,
        responses={200: CartOutSerializer, **error_responses(404, 409, descriptions={404: CART_NOT_FOUND})},
    )
    def delete(self, request: Request, token: str) -> Response:
        cart = resolve_cart(token, request.user)
        services.remove_coupon(cart=cart)
        cart.refresh_from_db()
        return Response(cart_body(cart))
