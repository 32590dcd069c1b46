"""Store API v1 for checkout: thin views over ``orders.services.checkout``.

- ``POST /checkout/options/``: where a cart can go (home delivery prices, click & collect per store).
- ``POST /checkout/``: place the cart as an order awaiting payment and start the payment.
- ``POST /checkout/{number}/confirm/``: settle a test-provider payment (demo and tests only).

The cart's token is the key to it, as in ``orders.api.cart``: an anonymous cart is open to whoever
holds the token, a user's cart only to that user. ``Idempotency-Key`` on ``POST /checkout/`` is
handled by the checkout service itself (the key becomes the order's reference, scoped to the user or
to the anonymous cart), not by ``core.idempotency``: the payment provider is called after the
order's transaction commits, never inside one. So a retry with the same key gets the same order
(and its payment), never a second one. Errors are ``{"code", "message", "detail"}`` (``core.api``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ServiceAPIView, error_responses, parse
from core.idempotency import HEADER, IDEMPOTENCY_KEY_PARAMETER

from ..errors import OrderNotFound
from ..models import DeliveryMethod, Order
from ..services import checkout as services
from .cart import resolve_cart

if TYPE_CHECKING:
    from payments.services import PaymentStart

TAGS = ["checkout"]


# --- shapes ---------------------------------------------------------------------------------------


class OptionsInSerializer(serializers.Serializer[Any]):
    cart = serializers.UUIDField(help_text="The cart's token.")
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", default="FR", help_text="Where to deliver: ISO two-letter code (default FR)."
    )


class MissingLineSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField()
    name = serializers.CharField()
    requested = serializers.IntegerField()
    available = serializers.IntegerField()


class ShippingOptionSerializer(serializers.Serializer[Any]):
    carrier = serializers.CharField(help_text="The code to send back as `carrier`.")
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="TTC, EUR; 0.00 when free.")
    regular_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    free_above = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    delivery_days = serializers.CharField()


class HomeDeliverySerializer(serializers.Serializer[Any]):
    available = serializers.BooleanField()
    warehouse = serializers.CharField(allow_null=True, help_text="The warehouse home delivery starts from.")
    ships_from = serializers.ListField(
        child=serializers.CharField(),
        help_text="The location codes the order would ship from (orders.services.routing), main first.",
    )
    routing = serializers.CharField(help_text="The routing rule's words, empty when no route exists.")
    missing = MissingLineSerializer(
        many=True, help_text="Lines the warehouse cannot cover, when no route (store, split) covers them."
    )
    options = ShippingOptionSerializer(many=True)
    weight_grams = serializers.IntegerField()
    error = serializers.CharField(help_text="Why no carrier serves the country, if so.")


class StoreSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    ok = serializers.BooleanField(help_text="The whole cart can be collected here.")
    missing = MissingLineSerializer(many=True)


class OptionsOutSerializer(serializers.Serializer[Any]):
    country = serializers.CharField()
    subtotal_gross = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount_gross = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_gross = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="EUR, before delivery.")
    home_delivery = HomeDeliverySerializer()
    click_collect = StoreSerializer(many=True)
    delivery_methods = serializers.ListField(
        child=serializers.CharField(),
        help_text="The delivery methods the cart's shop offers at checkout, among `home` and "
        "`click_collect` (its choice, else both): the values to send as `delivery_method`.",
    )
    payment_methods = serializers.ListField(
        child=serializers.CharField(),
        help_text="The payment methods to send as `provider` on this shop: the configured providers the "
        "shop offers (`terms` first for a company buyer on payment terms).",
    )


class AddressSerializer(serializers.Serializer[Any]):
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    line1 = serializers.CharField(required=False, allow_blank=True, max_length=200)
    line2 = serializers.CharField(required=False, allow_blank=True, max_length=200)
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)


class CheckoutInSerializer(serializers.Serializer[Any]):
    cart = serializers.UUIDField(help_text="The cart's token.")
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    language = serializers.ChoiceField(choices=["fr", "en", "it"], required=False, default="")
    delivery_method = serializers.ChoiceField(choices=[DeliveryMethod.HOME, DeliveryMethod.CLICK_AND_COLLECT])
    location = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Click & collect: the store's code."
    )
    shipping_address = AddressSerializer(
        required=False, help_text="Home delivery: first_name, last_name, line1, postal_code, city, country."
    )
    carrier = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Home delivery: a carrier code from the options.",
    )
    provider = serializers.CharField(
        help_text="One of the available payment providers: test, stripe, paypal."
    )
    return_url = serializers.CharField(
        required=False,
        max_length=900,
        help_text="Where the provider sends the shopper back; `{number}` allowed. A path on this site, "
        "or an http(s) URL on this site's host or on an allowlisted partner host; anything else is a "
        "400 `invalid_return_url`.",
    )
    cancel_url = serializers.CharField(
        required=False, max_length=900, help_text="Same rule as `return_url`; defaults to it."
    )


class TotalsSerializer(serializers.Serializer[Any]):
    discount_gross = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="EUR.")
    shipping_gross = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="EUR.")
    total_net = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_vat = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_gross = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="In `currency`.")
    total_gross_eur = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()


class PaymentStartSerializer(serializers.Serializer[Any]):
    provider = serializers.CharField()
    payment_id = serializers.CharField()
    status = serializers.CharField()
    redirect_url = serializers.CharField(help_text="Send the shopper's browser here.")
    client_secret = serializers.CharField(allow_blank=True, help_text="For Stripe.js.")


class CheckoutOutSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    status = serializers.CharField()
    delivery_method = serializers.CharField()
    location = serializers.CharField()
    carrier = serializers.CharField(allow_blank=True)
    totals = TotalsSerializer()
    payment = PaymentStartSerializer(allow_null=True)


class ConfirmInSerializer(serializers.Serializer[Any]):
    succeed = serializers.BooleanField(default=True)


class ConfirmOutSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    status = serializers.CharField()
    payment_status = serializers.CharField()


def _missing(lines: list[services.MissingLine]) -> list[dict[str, Any]]:
    return [{"sku": m.sku, "name": m.name, "requested": m.requested, "available": m.available} for m in lines]


def options_body(options: services.DeliveryOptions, payment_methods: list[str]) -> dict[str, Any]:
    home, priced = options.home, options.priced
    return {
        "country": options.country,
        "delivery_methods": list(options.methods),
        "payment_methods": payment_methods,
        "subtotal_gross": priced.subtotal_gross,
        "discount_gross": priced.order_discount,
        "total_gross": priced.total_gross,
        "home_delivery": {
            "available": home.available,
            "warehouse": home.warehouse.code if home.warehouse else None,
            "ships_from": [leg.location.code for leg in home.route.legs] if home.route else [],
            "routing": home.routing,
            "missing": _missing(home.missing),
            "options": [
                {
                    "carrier": o.carrier,
                    "name": o.name,
                    "price": o.price,
                    "regular_price": o.regular_price,
                    "free_above": o.free_above,
                    "delivery_days": o.delivery_days,
                }
                for o in home.options
            ],
            "weight_grams": home.weight_grams,
            "error": home.error,
        },
        "click_collect": [
            {
                "code": s.location.code,
                "name": s.location.name,
                "address": ", ".join(
                    part
                    for part in (
                        s.location.address_line,
                        f"{s.location.postal_code} {s.location.city}".strip(),
                    )
                    if part
                ),
                "ok": s.ok,
                "missing": _missing(s.missing),
            }
            for s in options.stores
        ],
    }


def order_body(order: Order, payment: PaymentStart | None) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "delivery_method": order.delivery_method,
        "location": order.location.code,
        "carrier": order.carrier,
        "totals": {
            "discount_gross": order.discount_gross,
            "shipping_gross": order.shipping_gross,
            "total_net": order.total_net,
            "total_vat": order.total_vat,
            "total_gross": order.total_gross,
            "total_gross_eur": order.total_gross_eur,
            "currency": order.currency,
        },
        "payment": None
        if payment is None
        else {
            "provider": payment.provider,
            "payment_id": str(payment.payment_id),
            "status": payment.status,
            "redirect_url": payment.redirect_url,
            "client_secret": payment.client_secret or "",
        },
    }


# --- views ----------------------------------------------------------------------------------------


class CheckoutView(ServiceAPIView):
    permission_classes = [AllowAny]


class CheckoutOptionsView(CheckoutView):
    @extend_schema(
        operation_id="checkout_options",
        tags=TAGS,
        summary="Delivery options for a cart",
        description="Home delivery ships from the warehouse: `available` only when it covers every line "
        "(`missing` lists the others) and a carrier serves the country (`error` says why not); prices are "
        "the cheapest weight band per carrier, 0.00 above the carrier's free-delivery threshold. Click & "
        "collect: every boutique that sells online, `ok` or the lines it cannot cover. Only what the "
        "cart's shop offers: `delivery_methods` and `payment_methods` list its choice (a method it does not "
        "offer is left out, and refused by `POST /checkout/` with 400 `method_not_offered`). Reads only.",
        request=OptionsInSerializer,
        responses={200: OptionsOutSerializer, **error_responses(400, 404, 415)},
    )
    def post(self, request: Request) -> Response:
        data = parse(OptionsInSerializer, request.data)
        cart = resolve_cart(str(data["cart"]), request.user)
        options = services.delivery_options(cart=cart, country=data["country"])
        payment_methods = services.offered_payment_methods(
            shop_id=cart.shop_id, terms=services.pays_on_terms(request.user)
        )
        return Response(OptionsOutSerializer(options_body(options, payment_methods)).data)


class CheckoutStartView(CheckoutView):
    throttle_scope = "checkout"  # core.throttling: per shopper (or address), REST_FRAMEWORK rates

    @extend_schema(
        operation_id="checkout_start",
        tags=TAGS,
        summary="Place the cart and start the payment",
        description="Re-prices the cart, reserves every line (held "
        "`CHECKOUT_RESERVATION_TTL_SECONDS`, 15 minutes by default) at the warehouse (home delivery) or "
        "the store (click & collect), redeems the coupon and closes the cart, in one transaction; then "
        "starts the payment: send the shopper to `payment.redirect_url`. A missing unit is a 409 "
        "`insufficient_stock` naming the SKU, before any charge, with nothing written. The same "
        "`Idempotency-Key` (or a second start for a cart whose order still awaits payment) returns the "
        "same order, never a second one.",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=CheckoutInSerializer,
        responses={
            201: CheckoutOutSerializer,
            **error_responses(
                400,
                404,
                409,
                415,
                422,
                429,
                descriptions={
                    400: "Invalid input: `invalid`, `invalid_address`, `empty_cart`, "
                    "`provider_not_available`, `method_not_offered` (a delivery or payment method the "
                    "cart's shop does not offer), `country_not_served`, `invalid_coupon`, "
                    "`invalid_return_url` (a return or cancel URL off this site).",
                    404: "Unknown cart (`not_found`), store (`unknown_location`) or carrier "
                    "(`unknown_carrier`).",
                    409: "`insufficient_stock` (nothing charged), `cart_closed`, `coupon_used_up`.",
                    422: "`idempotency_key_reused`: the key was used for another cart.",
                },
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = parse(CheckoutInSerializer, request.data)
        cart = resolve_cart(str(data["cart"]), request.user)
        order, payment = services.start_checkout(
            cart=cart,
            user=request.user,
            email=data["email"],
            phone=data["phone"],
            language=data["language"] or request.LANGUAGE_CODE,
            delivery_method=data["delivery_method"],
            location_code=data["location"],
            shipping_address=data.get("shipping_address"),
            carrier=data["carrier"],
            provider=data["provider"],
            return_url=data.get("return_url") or "/",
            cancel_url=data.get("cancel_url") or data.get("return_url") or "/",
            idempotency_key=request.headers.get(HEADER, ""),
            site_host=request.get_host(),
        )
        order = Order.objects.select_related("location").get(pk=order.pk)
        return Response(CheckoutOutSerializer(order_body(order, payment)).data, status=201)


NUMBER = OpenApiParameter("number", OpenApiTypes.STR, OpenApiParameter.PATH, description="The order number.")


class CheckoutConfirmView(CheckoutView):
    @extend_schema(
        operation_id="checkout_confirm_test_payment",
        tags=TAGS,
        summary="Settle a test payment (demo and tests only)",
        description="Only when the test provider is on: `succeed: true` pays the order, `false` declines "
        "the payment, which cancels the order and releases its stock. Another user's order is a 404.",
        parameters=[NUMBER],
        request=ConfirmInSerializer,
        responses={200: ConfirmOutSerializer, **error_responses(400, 404, 409, 415)},
    )
    def post(self, request: Request, number: str) -> Response:
        data = parse(ConfirmInSerializer, request.data)
        order = Order.objects.filter(number=number, channel="web").first()
        user = request.user
        if order is None or (
            order.customer_id and not (user.is_authenticated and user.pk == order.customer_id)
        ):
            raise OrderNotFound(f"No order has the number {number!r}.", detail={"number": number})
        payment = services.confirm_test_payment(order=order, succeed=data["succeed"])
        order.refresh_from_db(fields=["status"])
        return Response({"number": order.number, "status": order.status, "payment_status": payment.status})
