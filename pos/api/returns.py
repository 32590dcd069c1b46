"""POS API v1: returns, exchanges, click & collect hand-over, customer look-up (RETURNS).

Thin: parse, resolve, authorise, call ONE service, render. Every POST honours ``Idempotency-Key``.
A cashier acts at their own store only: another store's session, sale or pickup is a 404.
Permission: ``pos.use_register`` (cashiers, store managers; staff and managers anywhere).
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ServiceAPIView, error_responses, parse
from core.auth import signed_in_user
from core.idempotency import idempotent
from core.schema import MAX_INT32, NO_NUL, VISIBLE, QueryParams

from ..models import RefundMethod, ReturnCondition
from ..services import customers as customer_services
from ..services import pickups as pickup_services
from ..services import returns as return_services
from ..services import sales as sales_services
from .serializers import SaleLineSerializer, SaleResultSerializer, TenderSerializer
from .views import (
    STORE_NOT_FOUND,
    IsPosUser,
    resolve_customer,
    resolve_session,
    resolve_store,
    sale_body,
    sale_lines,
)

TAGS = ["pos"]
MAX_LINES = 200
MONEY = serializers.DecimalField(max_digits=12, decimal_places=2)


class StoreQuery(QueryParams):
    store = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        default="",
        help_text="Staff: the store's code (else their own store). Cashiers: theirs or nothing; "
        "another store's code is a 404.",
    )


def contact_field() -> serializers.CharField:
    """A web order's e-mail or phone: the proof the customer holds (``orders.proof``)."""
    return serializers.CharField(
        max_length=254,
        required=False,
        allow_blank=True,
        default="",
        help_text="A web order's e-mail or phone (the proof the customer holds, unless `sale` is the "
        "confirmation's barcode).",
    )


class ReturnLookupQuery(StoreQuery):
    sale = serializers.CharField(
        max_length=64,
        help_text="The sale or web order number, as typed or read from the receipt barcode.",
    )
    contact = contact_field()


# The last nine characters of a phone, a card number or an e-mail; no space at either end.
CUSTOMER_QUERY = rf"^{VISIBLE}(?:{NO_NUL}*{VISIBLE})?$"


CUSTOMER_QUERY_HELP = _(
    "Type a loyalty card number, a phone number or an e-mail address (3 characters or more)."
)


class CustomerQuery(QueryParams):
    q = serializers.RegexField(
        CUSTOMER_QUERY,
        min_length=3,
        max_length=254,
        trim_whitespace=False,
        error_messages=dict.fromkeys(
            ("required", "blank", "invalid", "min_length", "max_length"), CUSTOMER_QUERY_HELP
        ),
        help_text="A loyalty card number, an e-mail or a phone number: 3 to 254 characters, no space at "
        "either end.",
    )


def user_store(request: Request):
    """Cashiers: their store. Staff: ``?store=CODE`` (else theirs). Another store's code: 404."""
    return resolve_store(request.user, parse(StoreQuery, request.query_params)["store"])


# --- shapes ---------------------------------------------------------------------------------------


class ReturnLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)
    condition = serializers.ChoiceField(choices=ReturnCondition.choices, default=ReturnCondition.RESELLABLE)


class ReturnRequestSerializer(serializers.Serializer):
    sale = serializers.CharField(
        max_length=64, help_text="The sale or web order number, as typed or read from the receipt barcode."
    )
    contact = contact_field()
    session = serializers.IntegerField(
        min_value=1, max_value=MAX_INT32, help_text="The open register session."
    )
    lines = ReturnLineSerializer(many=True, allow_empty=False, max_length=MAX_LINES)  # type: ignore[call-arg]  # ListSerializer takes it; the stubs not
    refund = serializers.ChoiceField(
        choices=[RefundMethod.ORIGINAL, RefundMethod.STORE_CREDIT], default=RefundMethod.ORIGINAL
    )
    refund_reference = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        default="",
        help_text="The card terminal's or mobile app's refund reference.",
    )


class RefundSerializer(serializers.Serializer):
    tender = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    reference = serializers.CharField()


class ReturnedLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    condition = serializers.CharField()
    refund = serializers.DecimalField(max_digits=12, decimal_places=2)


class StoreCreditSerializer(serializers.Serializer):
    code = serializers.CharField()
    balance = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()


class ReturnResponseSerializer(serializers.Serializer):
    number = serializers.CharField()
    sale = serializers.CharField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    refund_method = serializers.CharField()
    lines = ReturnedLineSerializer(many=True)
    refunds = RefundSerializer(many=True)
    store_credit = StoreCreditSerializer(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())


class ReturnableLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    sold = serializers.IntegerField()
    returned = serializers.IntegerField()
    returnable = serializers.IntegerField()
    total_gross = serializers.DecimalField(max_digits=12, decimal_places=2)


class ReturnLookupSerializer(serializers.Serializer):
    number = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    customer = serializers.CharField(allow_null=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    returnable = serializers.BooleanField()
    lines = ReturnableLineSerializer(many=True)


class PickupLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()


class PickupSerializer(serializers.Serializer):
    number = serializers.CharField()
    customer = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    created_at = serializers.DateTimeField()
    lines = PickupLineSerializer(many=True)


class HandoverRequestSerializer(serializers.Serializer):
    verification = serializers.ChoiceField(
        choices=pickup_services.VERIFICATIONS, help_text="What the shopper gave: email, phone or number."
    )
    value = serializers.CharField(max_length=254, help_text="The e-mail, phone number or order number given.")


class HandoverResponseSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()


class CustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    loyalty_card_number = serializers.CharField()


class ExchangeRequestSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(
        help_text="The new sale's UUID, made by the register; also the Idempotency-Key."
    )
    session = serializers.IntegerField(min_value=1, max_value=MAX_INT32)
    sale = serializers.CharField(max_length=64, help_text="The sale or web order the goods come back from.")
    contact = contact_field()
    return_lines = ReturnLineSerializer(many=True, allow_empty=False, max_length=MAX_LINES)  # type: ignore[call-arg]  # ListSerializer takes it; the stubs not
    lines = SaleLineSerializer(many=True, allow_empty=False, max_length=MAX_LINES)  # type: ignore[call-arg]  # ListSerializer takes it; the stubs not
    tenders = TenderSerializer(
        many=True, required=False, default=list, help_text="What the customer pays on top."
    )
    customer = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_INT32
    )
    coupon = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    refund = serializers.ChoiceField(
        choices=[RefundMethod.ORIGINAL, RefundMethod.STORE_CREDIT],
        default=RefundMethod.ORIGINAL,
        help_text="How the returned goods' value beyond the new sale comes back.",
    )
    refund_reference = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")


class ExchangeResponseSerializer(serializers.Serializer):
    credit_applied = serializers.DecimalField(max_digits=12, decimal_places=2)
    returned = ReturnResponseSerializer()
    sale = SaleResultSerializer()


def return_body(result: return_services.ReturnResult) -> dict[str, Any]:
    ret = result.ret
    credit = result.store_credit
    return {
        "number": ret.number,
        "sale": ret.order.number,
        "total": ret.total_gross,
        "currency": ret.currency,
        "refund_method": ret.refund_method,
        "lines": [
            {
                "sku": line.order_line.sku,
                "name": line.order_line.name,
                "quantity": line.quantity,
                "condition": line.condition,
                "refund": line.refund_gross,
            }
            for line in result.lines
        ],
        "refunds": [
            {"tender": r.tender, "amount": r.amount, "reference": r.reference} for r in result.refunds
        ],
        "store_credit": {"code": credit.code, "balance": credit.balance, "currency": credit.currency}
        if credit
        else None,
        "notes": [str(note) for note in result.notes],
    }


# --- views ----------------------------------------------------------------------------------------


class PosWriteView(ServiceAPIView):
    permission_classes = [IsAuthenticated, IsPosUser]


class ReturnCreateView(PosWriteView):
    @extend_schema(
        operation_id="pos_return_create",
        tags=TAGS,
        summary="Return items of a sale or web order",
        description="Takes back `lines` of the sale (or completed web order) `sale` at the register session "
        "`session`: resellable units back to this store's stock, damaged ones recorded as damaged goods. "
        "`refund`: `original` (the sale's tenders, card and mobile first; a cash refund is a cash movement "
        "of the session; a web order paid online is refunded online when it comes back whole, else in "
        "cash) or `store_credit`. 409 `return_exceeds_sold` beyond sold minus already returned; 404 "
        "`sale_not_found` for another store's sale.",
        request=ReturnRequestSerializer,
        responses={201: ReturnResponseSerializer, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(ReturnRequestSerializer, request.data)
        session = resolve_session(request.user, data["session"])
        result = return_services.create_return(
            session=session,
            user=signed_in_user(request.user),
            sale_number=data["sale"],
            contact=data["contact"],
            lines=[return_services.ReturnLineInput(**line) for line in data["lines"]],
            refund=data["refund"],
            refund_reference=data["refund_reference"],
        )
        return Response(ReturnResponseSerializer(return_body(result)).data, status=201)


class ExchangeCreateView(PosWriteView):
    @extend_schema(
        operation_id="pos_exchange_create",
        tags=TAGS,
        summary="Exchange: a return and a new sale in one operation",
        description="Takes back `return_lines` of `sale` and records the new sale `lines` in one "
        "transaction. The returned goods' value pays the new sale first (`credit_applied`, through the "
        "drawer as a cash refund and a cash tender of the same amount); `tenders` pay the rest; a value "
        "beyond the new sale is refunded per `refund`. Any refusal (more than sold, stock, tenders short) "
        "leaves nothing. Replaying the same `uuid` returns the first exchange.",
        request=ExchangeRequestSerializer,
        responses={201: ExchangeResponseSerializer, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(ExchangeRequestSerializer, request.data)
        session = resolve_session(request.user, data["session"])
        result = return_services.create_exchange(
            session=session,
            user=signed_in_user(request.user),
            client_uuid=data["uuid"],
            sale_number=data["sale"],
            contact=data["contact"],
            return_lines=[return_services.ReturnLineInput(**line) for line in data["return_lines"]],
            sale_lines=sale_lines(data["lines"]),
            tenders=[
                sales_services.TenderInput(kind=t["kind"], amount=t["amount"], reference=t["reference"])
                for t in data["tenders"]
            ],
            customer=resolve_customer(data["customer"]),
            coupon_code=data["coupon"],
            refund=data["refund"],
            refund_reference=data["refund_reference"],
        )
        body = {
            "credit_applied": MONEY.to_representation(result.credit_applied),
            "returned": ReturnResponseSerializer(return_body(result.returned)).data,
            "sale": sale_body(result.sale),
        }
        return Response(body, status=201 if result.created else 200)


class ReturnLookupView(APIView):
    permission_classes = [IsAuthenticated, IsPosUser]

    @extend_schema(
        operation_id="pos_return_lookup",
        tags=TAGS,
        summary="Find a sale to return",
        description="The sale (this store's) or web order with this number and, per line, what can still "
        "come back. A web order needs a proof the customer holds: `sale` as read from the barcode of its "
        "confirmation (`W2026-000012.ABCD2345`, with its check code), or `contact`, its e-mail or phone. "
        "Without one: 400 `sale_proof_required`; with a wrong one: 404 `sale_not_found`, as for an unknown "
        "number. The answer holds what a return needs only (no address, e-mail or phone).",
        parameters=[ReturnLookupQuery],
        responses={
            200: ReturnLookupSerializer,
            **error_responses(
                400,
                401,
                403,
                404,
                descriptions={404: f"No such sale here (`sale_not_found`). {STORE_NOT_FOUND}"},
            ),
        },
    )
    def get(self, request: Request) -> Response:
        query = parse(ReturnLookupQuery, request.query_params)
        store = resolve_store(request.user, query["store"])
        order = return_services.find_returnable_order(
            number=query["sale"], store=store, contact=query["contact"]
        )
        lines = return_services.returnable_lines(order)
        body = {
            "number": order.number,
            "channel": order.channel,
            "status": order.status,
            "created_at": order.created_at,
            "customer": return_services.customer_label(order),
            "total": order.total_gross_eur,
            "returnable": order.status == "completed" and any(line["returnable"] for line in lines),
            "lines": lines,
        }
        return Response(ReturnLookupSerializer(body).data)


class PickupListView(APIView):
    permission_classes = [IsAuthenticated, IsPosUser]

    @extend_schema(
        operation_id="pos_pickups_list",
        tags=TAGS,
        summary="Click & collect orders ready at this store",
        parameters=[StoreQuery],
        responses={
            200: PickupSerializer(many=True),
            **error_responses(400, 401, 403, 404, descriptions={404: STORE_NOT_FOUND}),
        },
    )
    def get(self, request: Request) -> Response:
        store = user_store(request)
        rows = [
            {
                "number": order.number,
                "customer": (order.customer.get_full_name() if order.customer else "")
                or (order.shipping_address or {}).get("last_name", "")
                or order.email,
                "email": order.email,
                "phone": order.phone,
                "total": order.total_gross,
                "currency": order.currency,
                "created_at": order.created_at,
                "lines": [
                    {"sku": line.sku, "name": line.name, "quantity": line.quantity}
                    for line in order.lines.all()
                ],
            }
            for order in pickup_services.ready_pickups(store=store)
        ]
        return Response(PickupSerializer(rows, many=True).data)


class PickupHandoverView(PosWriteView):
    @extend_schema(
        operation_id="pos_pickup_handover",
        tags=TAGS,
        summary="Hand a click & collect order over",
        description="Checks the shopper (`verification`: their e-mail, phone or the order number), then "
        "the order is completed and its reserved units sold. 400 `verification_failed` if it does not "
        "match (nothing changes); 404 for another store's order; 409 `not_ready_for_pickup`.",
        request=HandoverRequestSerializer,
        parameters=[StoreQuery],
        responses={
            200: HandoverResponseSerializer,
            **error_responses(
                400,
                401,
                403,
                404,
                409,
                415,
                422,
                descriptions={404: f"No such pickup here (`pickup_not_found`). {STORE_NOT_FOUND}"},
            ),
        },
    )
    @idempotent
    def post(self, request: Request, number: str) -> Response:
        data = parse(HandoverRequestSerializer, request.data)
        order = pickup_services.hand_over_pickup(
            number=number,
            store=user_store(request),
            user=signed_in_user(request.user),
            verification=data["verification"],
            value=data["value"],
        )
        return Response({"number": order.number, "status": order.status})


class CustomerLookupView(APIView):
    permission_classes = [IsAuthenticated, IsPosUser]

    @extend_schema(
        operation_id="pos_customers_lookup",
        tags=TAGS,
        summary="Identify a customer",
        description="Exact loyalty card number (typed or read from the QR code of the customer's web "
        "account), e-mail, or phone number (the last nine digits). At most 10 results.",
        parameters=[CustomerQuery],
        responses={200: CustomerSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        users = customer_services.find_customers(q=parse(CustomerQuery, request.query_params)["q"])
        return Response(
            CustomerSerializer([customer_services.customer_row(u) for u in users], many=True).data
        )


urlpatterns = [
    path("pos/returns/", ReturnCreateView.as_view(), name="pos-returns"),
    path("pos/returns/lookup/", ReturnLookupView.as_view(), name="pos-return-lookup"),
    path("pos/exchanges/", ExchangeCreateView.as_view(), name="pos-exchanges"),
    path("pos/pickups/", PickupListView.as_view(), name="pos-pickups"),
    path("pos/pickups/<str:number>/handover/", PickupHandoverView.as_view(), name="pos-pickup-handover"),
    path("pos/customers/", CustomerLookupView.as_view(), name="pos-customers"),
]
