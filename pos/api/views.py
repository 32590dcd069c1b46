"""POS API v1 under /api/v1/pos/. Thin: parse, resolve, authorise, call ONE service, render.

Who: users with ``pos.use_register`` (cashiers, store managers, staff, managers). Cashiers and
store managers see only their store: another store's register, session or sale is a 404. Line
discounts need ``pos.give_discount`` (store managers and up). Anonymous: 401. Errors are
``{"code", "message", "detail"}`` (``core.api``); POSTs honour ``Idempotency-Key``
(``core.idempotency``); for ``POST sales/`` the key is the sale's UUID.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core import safe_json
from core.api import ServiceAPIView, error_response, error_responses, parse
from core.auth import signed_in_user
from core.errors import ApplicationError, InvalidInput, NotFound
from core.idempotency import HEADER, idempotent, run_once
from core.parsers import SafeJSONParser
from core.schema import MAX_INT32, QueryParams
from core.transactions import one_savepoint
from inventory.models import Location

from .. import selectors
from ..errors import SaleKeyMismatch
from ..models import RegisterSession, SessionStatus
from ..permissions import acts_anywhere, is_pos_user, visible_registers, visible_store_ids
from ..services import customers as customer_services
from ..services import journal
from ..services import receipts as receipt_service
from ..services import sales as sales_service
from ..services import sessions as session_service
from . import serializers as s

TAGS = ["pos"]


class IsPosUser(BasePermission):
    message = "You may not use the registers."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_pos_user(request.user)


class PosView(ServiceAPIView):
    permission_classes = [IsAuthenticated, IsPosUser]


SESSION_ID = OpenApiParameter(
    "session_id",
    {"type": "integer", "minimum": 1, "maximum": MAX_INT32},
    OpenApiParameter.PATH,
    description="The register session's id. Unknown or another store's: 404 `not_found`.",
)
STORE_NOT_FOUND = (
    "Unknown id or number, or another store's (`not_found`, ...). `store` names no store you may act "
    'for, or staff without a store of their own sent none: 404 `not_found` "Say which store".'
)


def resolve_session(user, session_id: int) -> RegisterSession:
    if not 1 <= session_id <= MAX_INT32:  # the schema's bounds; the database column holds no more
        raise NotFound(f"No register session {session_id} here.", detail={"session": session_id})
    qs = RegisterSession.objects.select_related("register__store", "opened_by")
    ids = visible_store_ids(user)
    if ids is not None:
        qs = qs.filter(register__store_id__in=ids)
    session = qs.filter(pk=session_id).first()
    if session is None:
        raise NotFound(f"No register session {session_id} here.", detail={"session": session_id})
    return session


def resolve_customer(customer_id: int | None) -> User | None:
    return customer_services.customer_for_sale(customer_id=customer_id)


def resolve_store(user, code: str) -> Location:
    """Cashiers: their store (a code naming another is a 404). Staff: the store given, else theirs."""
    if code and acts_anywhere(user):
        store = Location.objects.filter(code=code, is_active=True).first()
    elif code and code != getattr(user.store, "code", None):
        store = None
    else:
        store = user.store
    if store is None:
        raise NotFound("Say which store: no store here.", detail={"store": code})
    return store


def sale_lines(lines: list[dict]) -> list[sales_service.SaleLineInput]:
    return [
        sales_service.SaleLineInput(
            sku=line["sku"],
            quantity=line["quantity"],
            discount_gross=line["discount"],
            discount_reason=line["discount_reason"],
        )
        for line in lines
    ]


def sale_body(result: sales_service.SaleResult) -> dict:
    return s.SaleResultSerializer(
        {
            "order": result.order,
            "change_due": result.change_due,
            "receipt_url": reverse("pos:receipt", args=[result.order.number]),
            "discrepancies": result.discrepancies,
        }
    ).data


def run_sale(user, data: dict) -> sales_service.SaleResult:
    session = resolve_session(user, data["session"])
    return sales_service.record_sale(
        session=session,
        user=user,
        client_uuid=data["uuid"],
        lines=sale_lines(data["lines"]),
        tenders=[
            sales_service.TenderInput(kind=t["kind"], amount=t["amount"], reference=t["reference"])
            for t in data["tenders"]
        ],
        customer=resolve_customer(data["customer"]),
        coupon_code=data["coupon"],
        offline=data["offline"],
        sold_at=data["sold_at"],
    )


def session_body(session: RegisterSession) -> dict:
    expected = (
        selectors.expected_by_tender(session)
        if session.status == SessionStatus.OPEN
        else dict(session.expected)
    )
    return s.SessionSerializer(
        {
            "id": session.pk,
            "register": session.register,
            "status": session.status,
            "opened_by": session.opened_by,
            "opened_at": session.opened_at,
            "opening_float": session.opening_float,
            "closed_at": session.closed_at,
            "expected": {k: str(v) for k, v in expected.items()},
            "cash_in_drawer": expected.get("cash", 0),
            "sales_count": session.sales.count(),
            "z_report_url": reverse("pos:z-report", args=[session.pk]),
        }
    ).data


def z_body(report: selectors.ZReport) -> dict:
    return s.ZReportSerializer(
        {
            **report.__dict__,
            "net_sales": report.net_sales,
            "url": reverse("pos:z-report", args=[report.session.pk]),
        }
    ).data


class RegisterListView(PosView):
    @extend_schema(
        operation_id="pos_registers_list",
        tags=TAGS,
        summary="Registers of my store",
        description="Cashiers and store managers: their store's registers; staff: every store's. "
        "`open_session` is the id of the open session, if any.",
        responses={200: s.RegisterSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        registers = list(
            visible_registers(request.user).filter(is_active=True).order_by("store__code", "code")
        )
        open_ids = dict(
            RegisterSession.objects.filter(register__in=registers, status=SessionStatus.OPEN).values_list(
                "register_id", "pk"
            )
        )
        for register in registers:
            # Read by RegisterSerializer like an annotation; the plugin knows only the model's fields.
            register.open_session = open_ids.get(register.pk)  # type: ignore[attr-defined]
        return Response(s.RegisterSerializer(registers, many=True).data)


class SessionOpenView(PosView):
    @extend_schema(
        operation_id="pos_session_open",
        tags=TAGS,
        summary="Open a register session",
        description="With the counted float. One open session per register: a second is 409 "
        "`session_already_open`.",
        request=s.SessionOpenSerializer,
        responses={201: s.SessionSerializer, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(s.SessionOpenSerializer, request.data)
        register = visible_registers(request.user).filter(code=data["register"]).first()
        if register is None:
            raise NotFound(f"No register {data['register']} here.", detail={"register": data["register"]})
        session = session_service.open_register_session(
            register=register, user=signed_in_user(request.user), opening_float=data["opening_float"]
        )
        return Response(session_body(session), status=201)


class SessionDetailView(PosView):
    @extend_schema(
        operation_id="pos_session_detail",
        tags=TAGS,
        parameters=[SESSION_ID],
        summary="A register session",
        description="Status, float, and the expected amount per tender so far.",
        responses={200: s.SessionSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, session_id: int) -> Response:
        return Response(session_body(resolve_session(request.user, session_id)))


class SessionCashView(PosView):
    @extend_schema(
        operation_id="pos_session_cash",
        tags=TAGS,
        parameters=[SESSION_ID],
        summary="Cash in or out",
        description="Put cash into or take it out of the drawer, with a reason. A closed session is 409 "
        "`register_closed`; taking out more than the drawer holds is 409 `not_enough_cash`.",
        request=s.CashSerializer,
        responses={201: s.CashMovementSerializer, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request, session_id: int) -> Response:
        data = parse(s.CashSerializer, request.data)
        session = resolve_session(request.user, session_id)
        movement = session_service.cash_in_out(
            session=session,
            user=signed_in_user(request.user),
            amount=data["amount"],
            kind=data["kind"],
            reason=data["reason"],
        )
        return Response(s.CashMovementSerializer(movement).data, status=201)


class SessionCloseView(PosView):
    @extend_schema(
        operation_id="pos_session_close",
        tags=TAGS,
        parameters=[SESSION_ID],
        summary="Close a session: the Z report",
        description="The cash counted per denomination and the card terminal's total. Returns the Z report: "
        "expected vs counted per tender, the difference, sales, VAT. Closing twice is 409 `register_closed`.",
        request=s.CloseSerializer,
        responses={200: s.ZReportSerializer, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    )
    @idempotent
    def post(self, request: Request, session_id: int) -> Response:
        data = parse(s.CloseSerializer, request.data)
        session = resolve_session(request.user, session_id)
        report = session_service.close_register_session(
            session=session,
            user=signed_in_user(request.user),
            counts=data["counts"],
            card_total=data.get("card_total"),
        )
        return Response(z_body(report))


class QuoteView(PosView):
    @extend_schema(
        operation_id="pos_quote",
        tags=TAGS,
        summary="Price a basket",
        description="Store prices, the customer's price list, automatic promotions (national and this "
        "store's), the coupon, line discounts (need `pos.give_discount`). Writes nothing.",
        request=s.QuoteRequestSerializer,
        responses={200: s.QuoteSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request: Request) -> Response:
        data = parse(s.QuoteRequestSerializer, request.data)
        store = resolve_store(request.user, data["store"])
        lines = sale_lines(data["lines"])
        sales_service.check_discounts(lines, signed_in_user(request.user))
        quote = sales_service.quote_sale(
            store=store, lines=lines, coupon_code=data["coupon"], customer=resolve_customer(data["customer"])
        )
        return Response(s.QuoteSerializer(quote).data)


class SaleCreateView(PosView):
    @extend_schema(
        operation_id="pos_sale_create",
        tags=TAGS,
        summary="Record a sale",
        description="Send the register's sale UUID as `uuid` and as the `Idempotency-Key`. 201 with the "
        "sale number, totals, change due and receipt URL; a sale already recorded under this UUID "
        "returns 200 with the same body. The tenders must cover the total (400 `tenders_insufficient`); "
        "online, a missing unit is 409 `insufficient_stock` and nothing is written; an `offline` sale is "
        "always recorded, with a stock discrepancy for what the stock no longer held.",
        request=s.SaleRequestSerializer,
        responses={
            201: s.SaleResultSerializer,
            200: s.SaleResultSerializer,
            **error_responses(
                400,
                401,
                403,
                404,
                409,
                415,
                422,
                descriptions={
                    400: "Invalid input (`invalid`), `sale_key_mismatch` (the Idempotency-Key is not the "
                    "`uuid`), `tenders_insufficient`, `invalid_discount`, ..."
                },
            ),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = parse(s.SaleRequestSerializer, request.data)
        key = request.headers.get(HEADER)
        if key is not None and key.strip().lower() != str(data["uuid"]):
            raise SaleKeyMismatch(detail={"uuid": str(data["uuid"]), "key": key})
        # Any refusal of the sale propagates to ``@idempotent``'s savepoint (or rolls back the
        # transaction the sale opens without a key): the sale needs no savepoint of its own.
        with one_savepoint():
            result = run_sale(request.user, data)
        return Response(sale_body(result), status=201 if result.created else 200)


class BatchJSONParser(SafeJSONParser):
    """Bounds and numbers checked for the whole batch; NUL and surrogates per sale (``_one``), so one
    corrupt sale is an error of its own and the others of the batch are still recorded."""

    check_text = False


class SaleSyncView(PosView):
    parser_classes = [BatchJSONParser]
    throttle_scope = "pos_sync"  # core.throttling: per cashier, REST_FRAMEWORK rates

    @extend_schema(
        operation_id="pos_sales_sync",
        tags=TAGS,
        summary="Sync the offline queue",
        description="Up to `POS_SYNC_MAX_SALES` (500) sale bodies (as `POST sales/`), each recorded in its "
        "own transaction (NUL or a lone surrogate in one sale is that sale's `invalid_input` error): "
        "`created`, `duplicate` (already recorded: nothing written) or `error` (with the error body; "
        "the register keeps that sale queued). Replaying a batch changes nothing.",
        request=s.SyncRequestSerializer,
        responses={200: s.SyncResponseSerializer, **error_responses(400, 401, 403, 415, 429)},
    )
    def post(self, request: Request) -> Response:
        batch = parse(s.SyncRequestSerializer, request.data, check_text=False)["sales"]
        results = [self._one(request, body) for body in batch]
        journal.record_offline_sync(
            user=signed_in_user(request.user),
            numbers=[r["number"] for r in results if r["status"] == "created"],
        )
        return Response({"results": results})

    def _one(self, request: Request, body: dict) -> dict:
        raw_uuid = body.get("uuid", "")
        uuid = str(raw_uuid) if isinstance(raw_uuid, str | int) else ""
        try:
            try:
                safe_json.check(body)
            except safe_json.UnsafeJSON as exc:
                uuid = ""  # never echo broken text: the response could not be encoded
                raise InvalidInput(str(exc)) from None
            data = parse(s.SaleRequestSerializer, body)
            uuid = str(data["uuid"])
            # Once per sale UUID: a concurrent sync of the same sale waits for the first and replays
            # it; a sale recorded online (POST sales/) is found by its UUID and answers ``created=False``.
            once = run_once(scope="pos:sale", key=uuid, fn=lambda: _synced(run_sale(request.user, data)))
        except (ApplicationError, serializers.ValidationError) as exc:
            refused = error_response(exc)
            return {
                "uuid": uuid,
                "status": "error",
                "number": None,
                "error": refused.data if refused else None,
            }
        status = "created" if once.value["created"] and not once.replayed else "duplicate"
        return {"uuid": uuid, "status": status, "number": once.value["number"], "error": None}


def _synced(result: sales_service.SaleResult) -> dict[str, Any]:
    return {"number": result.order.number, "created": result.created}


class ReceiptEmailView(PosView):
    @extend_schema(
        operation_id="pos_sale_email_receipt",
        tags=TAGS,
        summary="E-mail the receipt",
        description="To `email`, or without one to the identified customer (400 `no_email` if neither). "
        "Sent after the request, in the customer's language. Another store's sale is a 404.",
        request=s.ReceiptEmailSerializer,
        responses={202: s.ReceiptEmailSerializer, **error_responses(400, 401, 403, 404, 415, 422)},
    )
    @idempotent
    def post(self, request: Request, number: str) -> Response:
        data = parse(s.ReceiptEmailSerializer, request.data)
        order = selectors.sale_for_receipt(number)
        ids = visible_store_ids(request.user)
        if order is None or (ids is not None and order.location_id not in ids):
            raise NotFound(f"No sale {number} here.", detail={"number": number})
        email = receipt_service.email_receipt(
            order=order, user=signed_in_user(request.user), email=data["email"]
        )
        return Response({"email": email}, status=202)


class FavouriteSerializer(serializers.Serializer):
    sku = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field (popped by the metaclass), not Field.label
    position = serializers.IntegerField()


class StoreQuery(QueryParams):
    """The ``store`` parameter of the till's reads (catalog, search, favourites)."""

    store = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        default="",
        help_text="Staff only: the store's code; cashiers: theirs or nothing (another: 404).",
    )


class FavouritesQuery(StoreQuery):
    pass


class FavouritesView(PosView):
    @extend_schema(
        operation_id="pos_favourites",
        tags=TAGS,
        summary="The sale screen's tiles (goods without a barcode)",
        description="This store's favourite items, in position order: the SKU (look it up in the "
        "catalog) and the tile's label. Kept by the register for offline use; edited in the admin.",
        parameters=[FavouritesQuery],
        responses={
            200: FavouriteSerializer(many=True),
            **error_responses(400, 401, 403, 404, descriptions={404: STORE_NOT_FOUND}),
        },
    )
    def get(self, request: Request) -> Response:
        store = resolve_store(request.user, parse(FavouritesQuery, request.query_params)["store"])
        return Response(FavouriteSerializer(selectors.store_favourites(store), many=True).data)


class CatalogQuery(StoreQuery):
    after = serializers.IntegerField(
        min_value=0, max_value=MAX_INT32, default=0, help_text="Variant id to start after (0)."
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=5000, default=2000, help_text="Items per page (2000, at most 5000)."
    )
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        default="",
        help_text="Only the variant of this EAN-13 or SKU (any case): none or one item. What the till "
        "asks when a scan misses its offline catalog.",
    )
    since = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        default="",
        help_text="A `cursor` of an earlier download (its first page's): only what changed since, and "
        "`removed`. Not a cursor, older than POS_CATALOG_DELTA_MAX_AGE_SECONDS (7 days) or in the "
        "future: 400 `catalog_cursor_refused`, download in full.",
    )


class CatalogView(PosView):
    @extend_schema(
        operation_id="pos_catalog",
        tags=TAGS,
        summary="My store's catalog, for offline use",
        description="Pages by variant id: pass `after` = the previous page's `next_after` until it is null "
        "(or `code`: the one variant of that EAN-13 or SKU). "
        "Each item: SKU, EAN-13, name, options, this store's gross price and VAT, the units available "
        "here and at the other stores (only those with stock). `promotions`: the automatic ones in force "
        "here.\n\n"
        "**Delta.** Every page carries a `cursor`; keep the first page's. Next time pass it as `since`: "
        "the pages then hold only the variants changed since (price, name, options, EAN, price lists), "
        "with their current data, and the first page's `removed` lists the SKUs to drop (switched off, "
        "product unpublished, deleted). Apply `removed`, then the items. The cursor is the read's time "
        "less a margin (POS_CATALOG_CURSOR_MARGIN_SECONDS), so a change still being written comes again. "
        "Stock is not part of the delta: it is live on `/ws/stock/`. A refused `since` (400 "
        "`catalog_cursor_refused`): download the whole catalog.",
        parameters=[CatalogQuery],
        responses={
            200: s.CatalogPageSerializer,
            **error_responses(
                400,
                401,
                403,
                404,
                descriptions={
                    400: "A bad parameter, or `since` refused (`catalog_cursor_refused`: not a cursor, "
                    "too old, in the future).",
                    404: STORE_NOT_FOUND,
                },
            ),
        },
    )
    def get(self, request: Request) -> Response:
        query = parse(CatalogQuery, request.query_params)
        store = resolve_store(request.user, query["store"])
        now = timezone.now()
        asked = query["since"].strip()
        since = selectors.parse_catalog_since(asked, now=now) if asked else None
        page = selectors.store_catalog(
            store=store,
            after=query["after"],
            limit=query["limit"],
            code=query["code"].strip(),
            since=since,
            now=now,
        )
        return Response(
            {
                "store": store.code,
                "next_after": page.next_after,
                "cursor": page.cursor,
                "total": page.total,
                "since": asked or None,
                "results": s.CatalogItemSerializer(page.items, many=True).data,
                "removed": page.removed,
                "promotions": s.PromotionSerializer(page.promotions, many=True).data,
            }
        )


class SearchQuery(StoreQuery):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default="", help_text="Words of a name or a SKU."
    )


class SearchView(PosView):
    @extend_schema(
        operation_id="pos_search",
        tags=TAGS,
        summary="Search my store's catalog by words",
        description="The shop's search engine (typos and accents forgiven, names in every language, "
        "categories, SKUs): up to 24 variants of the best products first, in the shape of `catalog/` "
        "items. `q` of more than 100 characters: 400.",
        parameters=[SearchQuery],
        responses={
            200: s.SearchResultsSerializer,
            **error_responses(400, 401, 403, 404, descriptions={404: STORE_NOT_FOUND}),
        },
    )
    def get(self, request: Request) -> Response:
        query = parse(SearchQuery, request.query_params)
        store = resolve_store(request.user, query["store"])
        text = query["q"].strip()
        items = selectors.search_till(store=store, query=text) if text else []
        return Response(
            {"store": store.code, "query": text, "results": s.CatalogItemSerializer(items, many=True).data}
        )
