"""/api/v1/erp/: the ERP's webservices. Thin: parse, call one service or selector, render.

Every write is an upsert by the ERP's codes (the same body twice changes nothing) and honours
``Idempotency-Key``; a bad body is a 400 naming each field, with nothing written. Only the
integration role (``integrations.use_erp_api``) gets in; its token reaches nothing else
(``API_TOKEN_PATH_SCOPES``, ``core.auth``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import ErpCustomerData, upsert_erp_customer
from catalog.services import ErpProductData, ErpVariantData, upsert_erp_product
from core.api import ServiceAPIView, error_responses, parse
from core.idempotency import idempotent
from core.schema import MAX_INT32, DecimalString, QueryParams
from pricing.services import ErpGroupPrice, set_erp_group_prices

from . import selectors
from .permissions import IsIntegration

TAGS = ["erp"]
ERP_ERRORS = (400, 401, 403, 409, 415, 422)
MAX_ROWS = 1000
MAX_ORDERS = 200


def _status(outcome: str) -> int:
    return 201 if outcome == "created" else 200


# --- products -----------------------------------------------------------------------------------


class VariantInSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField(max_length=64)
    ean = serializers.RegexField(r"^\d{13}$", help_text="EAN-13, check digit verified.")
    size = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    color = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    price_ttc = DecimalString(help_text='EUR, TTC, as a string: "29.90".')
    weight_g = serializers.IntegerField(min_value=0, max_value=MAX_INT32, required=False, default=0)
    active = serializers.BooleanField(required=False, default=True)
    cost_price_ht = DecimalString(
        max_digits=12, decimal_places=4, required=False, allow_null=True, default=None,
        help_text='The purchase price, EUR HT, as a string: "8.40" (margins). Absent: left as it is.',
    )  # fmt: skip


class ProductInSerializer(serializers.Serializer[Any]):
    product_ref = serializers.CharField(max_length=200, help_text="The ERP's product reference.")
    name_fr = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    name_it = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    category = serializers.SlugField(max_length=140, help_text="A category slug.")
    vat_rate = DecimalString(max_digits=5, decimal_places=2, help_text='Percent, as a string: "20", "5.5".')
    active = serializers.BooleanField(required=False, default=True)
    variants = serializers.ListField(child=VariantInSerializer(), min_length=1, max_length=200)


class ProductOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    product_ref = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    variants = serializers.DictField(child=serializers.CharField(), help_text="SKU -> outcome.")


class ErpProductView(ServiceAPIView):
    permission_classes = [IsIntegration]

    @extend_schema(
        operation_id="erp_product_upsert",
        tags=TAGS,
        summary="Create or update a product and its variants (ERP)",
        description="By `product_ref` and each variant's `sku`; 201 when created, 200 when updated or "
        "unchanged (the same body twice changes nothing). 400 naming each field (unknown category or "
        "VAT rate, bad EAN, negative price, SKU twice), nothing written; 409 a SKU or EAN of another "
        "product is reported as a 400 on that field.",
        request=ProductInSerializer,
        responses={200: ProductOutSerializer, 201: ProductOutSerializer, **error_responses(*ERP_ERRORS)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(ProductInSerializer, request.data)
        result = upsert_erp_product(
            data=ErpProductData(
                product_ref=data["product_ref"],
                name_fr=data["name_fr"],
                name_en=data["name_en"],
                name_it=data["name_it"],
                category=data["category"],
                vat_rate=data["vat_rate"],
                active=data["active"],
                variants=tuple(ErpVariantData(**v) for v in data["variants"]),
            )
        )
        body = {
            "id": result.product.pk,
            "product_ref": data["product_ref"],
            "outcome": result.outcome,
            "variants": result.variants,
        }
        return Response(ProductOutSerializer(body).data, status=_status(result.outcome))


# --- customers ----------------------------------------------------------------------------------


class CustomerInSerializer(serializers.Serializer[Any]):
    customer_code = serializers.CharField(
        max_length=40, help_text="The ERP's code (CustomerProfile.erp_code)."
    )
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    company = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    vat_number = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    siret = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    customer_group = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    marketing_opt_in = serializers.BooleanField(required=False, default=False)
    address = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="",
        help_text="Street line; with `postcode` and `city` it is the customer's billing address.",
    )  # fmt: skip
    postcode = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="FR")


class CustomerOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    customer_code = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


class ErpCustomerView(ServiceAPIView):
    permission_classes = [IsIntegration]

    @extend_schema(
        operation_id="erp_customer_upsert",
        tags=TAGS,
        summary="Create or update a customer (ERP)",
        description="By `customer_code`; 201 when created, 200 when updated or unchanged. `address`, "
        "`postcode`, `city` and `country` are the billing address. 400 naming each field (bad e-mail or "
        "SIRET, unknown group, an address without its postcode or city), 409 `email_taken` when the "
        "e-mail is another customer's; nothing written when refused.",
        request=CustomerInSerializer,
        responses={200: CustomerOutSerializer, 201: CustomerOutSerializer, **error_responses(*ERP_ERRORS)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(CustomerInSerializer, request.data)
        result = upsert_erp_customer(data=ErpCustomerData(**data))
        body = {"id": result.user.pk, "customer_code": data["customer_code"], "outcome": result.outcome}
        return Response(CustomerOutSerializer(body).data, status=_status(result.outcome))


# --- prices -------------------------------------------------------------------------------------


class PriceInSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField(max_length=64)
    customer_group = serializers.CharField(max_length=40)
    price_ht = DecimalString(
        max_digits=12, decimal_places=4, required=False, allow_null=True, default=None, help_text="EUR, HT."
    )
    discount_percent = DecimalString(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None, help_text="0 to 100."
    )
    valid_from = serializers.DateField(required=False, allow_null=True, default=None)
    valid_to = serializers.DateField(required=False, allow_null=True, default=None)


class PricesInSerializer(serializers.Serializer[Any]):
    prices = serializers.ListField(child=PriceInSerializer(), min_length=1, max_length=MAX_ROWS)


class PricesOutSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ErpPricesView(ServiceAPIView):
    permission_classes = [IsIntegration]

    @extend_schema(
        operation_id="erp_prices_upsert",
        tags=TAGS,
        summary="Set B2B customer-group prices, HT (ERP)",
        description=f"Up to {MAX_ROWS} rows: each a SKU, a customer group, and either `price_ht` (net, "
        "EUR) or `discount_percent` off the catalog price, optionally valid from/to. One price list per "
        "group and validity (`erp-<group>`). All or nothing: 400 naming each bad row.",
        request=PricesInSerializer,
        responses={200: PricesOutSerializer, **error_responses(*ERP_ERRORS)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(PricesInSerializer, request.data)
        counts = set_erp_group_prices(prices=[ErpGroupPrice(**row) for row in data["prices"]])
        return Response(PricesOutSerializer(counts).data)


# --- orders -------------------------------------------------------------------------------------


class OrdersQuerySerializer(QueryParams):
    after = serializers.IntegerField(
        min_value=0,
        max_value=2**63 - 1,
        required=False,
        default=0,
        help_text="The `next_cursor` of the last page read.",
    )
    limit = serializers.IntegerField(min_value=1, max_value=MAX_ORDERS, required=False, default=100)


class OrderLineOutSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price_net = serializers.DecimalField(max_digits=12, decimal_places=4)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    discount_gross = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_net = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_gross = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity_cancelled = serializers.IntegerField()
    quantity_returned = serializers.IntegerField()


class OrderOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.CharField()
    delivery_method = serializers.CharField()
    store = serializers.CharField(allow_null=True)
    customer_code = serializers.CharField(allow_null=True)
    email = serializers.CharField()
    currency = serializers.CharField()
    total_net = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_vat = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_gross = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount_gross = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_gross = serializers.DecimalField(max_digits=12, decimal_places=2)
    refunded_gross = serializers.DecimalField(max_digits=12, decimal_places=2)
    created_at = serializers.DateTimeField()
    lines = OrderLineOutSerializer(many=True)


class OrdersPageSerializer(serializers.Serializer[Any]):
    results = OrderOutSerializer(many=True)
    next_cursor = serializers.IntegerField(
        help_text="Pass as `after` for the next page (unchanged when empty)."
    )
    has_more = serializers.BooleanField()


class ErpOrdersView(APIView):
    permission_classes = [IsIntegration]

    @extend_schema(
        operation_id="erp_orders_since",
        tags=TAGS,
        summary="Orders since a cursor (ERP)",
        description="Orders of every channel with an id above `after`, oldest first, `limit` at most "
        f"{MAX_ORDERS}. The cursor is the last order's id: stable, an order is never on two pages.",
        parameters=[OrdersQuerySerializer],
        responses={200: OrdersPageSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        query = parse(OrdersQuerySerializer, request.query_params)
        orders = selectors.orders_after(after=query["after"], limit=query["limit"] + 1)
        page, has_more = orders[: query["limit"]], len(orders) > query["limit"]
        body = {
            "results": [selectors.order_row(order) for order in page],
            "next_cursor": page[-1].pk if page else query["after"],
            "has_more": has_more,
        }
        return Response(OrdersPageSerializer(body).data)
