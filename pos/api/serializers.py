"""Input and output shapes of the POS API. Input serializers only parse; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from rest_framework import serializers

from core.schema import MAX_INT32, DecimalString

from ..models import CashMovementKind, Tender


class MoneyFieldOptions(TypedDict):
    max_digits: int
    decimal_places: int


MONEY: MoneyFieldOptions = {"max_digits": 12, "decimal_places": 2}


def CUSTOMER_ID() -> serializers.IntegerField:  # noqa: N802  (reads as a field declaration)
    return serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_INT32,
        help_text="A customer's id (from `GET customers/`). Unknown: 404 `unknown_customer`.",
    )


class RegisterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    store = serializers.CharField(source="store.code")
    store_name = serializers.CharField(source="store.name")
    is_active = serializers.BooleanField()
    open_session = serializers.IntegerField(allow_null=True)


class SessionOpenSerializer(serializers.Serializer):
    register = serializers.CharField(max_length=20, help_text="The register's code.")
    opening_float = DecimalString(**MONEY)


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    register = serializers.CharField(source="register.code")
    store = serializers.CharField(source="register.store.code")
    status = serializers.CharField()
    opened_by = serializers.CharField(source="opened_by.email")
    opened_at = serializers.DateTimeField()
    opening_float = serializers.DecimalField(**MONEY)
    closed_at = serializers.DateTimeField(allow_null=True)
    expected = serializers.DictField(child=serializers.CharField())
    cash_in_drawer = serializers.DecimalField(**MONEY)
    sales_count = serializers.IntegerField()
    z_report_url = serializers.CharField()


class CashSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[CashMovementKind.CASH_IN, CashMovementKind.CASH_OUT])
    amount = DecimalString(positive=True, **MONEY)
    reason = serializers.CharField(max_length=120)


class CashMovementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    tender = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    reference = serializers.CharField()
    user = serializers.CharField(source="user.email")
    created_at = serializers.DateTimeField()


class CloseSerializer(serializers.Serializer):
    counts = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        help_text='Notes and coins counted, per denomination in EUR: {"20.00": 3, "0.50": 4}.',
    )
    card_total = DecimalString(required=False, allow_null=True, **MONEY)


class TenderTotalSerializer(serializers.Serializer):
    tender = serializers.CharField()
    expected = serializers.DecimalField(**MONEY)
    counted = serializers.DecimalField(**MONEY)
    difference = serializers.DecimalField(**MONEY)


class VatLineSerializer(serializers.Serializer):
    rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    net = serializers.DecimalField(**MONEY)
    vat = serializers.DecimalField(**MONEY)
    gross = serializers.DecimalField(**MONEY)


class ZReportSerializer(serializers.Serializer):
    session = serializers.IntegerField(source="session.pk")
    register = serializers.CharField(source="session.register.code")
    status = serializers.CharField(source="session.status")
    opened_at = serializers.DateTimeField(source="session.opened_at")
    closed_at = serializers.DateTimeField(source="session.closed_at", allow_null=True)
    opening_float = serializers.DecimalField(source="session.opening_float", **MONEY)
    tenders = TenderTotalSerializer(many=True)
    difference = serializers.DecimalField(**MONEY)
    sales_count = serializers.IntegerField()
    sales_total = serializers.DecimalField(**MONEY, help_text="Gross sales, TTC, before returns.")
    returns_count = serializers.IntegerField(help_text="Returns taken back at this session.")
    returns_total = serializers.DecimalField(**MONEY, help_text="What they gave back, TTC.")
    net_sales = serializers.DecimalField(**MONEY, help_text="sales_total - returns_total.")
    discounts_total = serializers.DecimalField(**MONEY)
    vat_breakdown = VatLineSerializer(many=True, help_text="Per rate, sales minus returns.")
    movements = CashMovementSerializer(many=True)
    counted_cash = serializers.DictField(child=serializers.IntegerField())
    url = serializers.CharField()


class SaleLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=999)
    discount = DecimalString(default=Decimal("0"), **MONEY)
    discount_reason = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


# Bounded before any line is validated (DRF checks max_length first): a 10,000-line body is refused
# in milliseconds. The service checks the same setting for its other callers. (many=True passes
# max_length to the ListSerializer; the stubs do not know it.)
MAX_LINES = settings.POS_SALE_MAX_LINES


class QuoteRequestSerializer(serializers.Serializer):
    lines = SaleLineSerializer(many=True, allow_empty=False, max_length=MAX_LINES)  # type: ignore[call-arg]
    coupon = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    customer = CUSTOMER_ID()
    store = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        default="",
        help_text="Staff only: the store's code (cashiers: theirs).",
    )


class TenderSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[Tender.CASH, Tender.CARD, Tender.MOBILE])
    amount = DecimalString(positive=True, **MONEY)
    reference = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text="Card or mobile authorisation.",
    )


class SaleRequestSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(help_text="Made by the register; also the Idempotency-Key.")
    session = serializers.IntegerField(min_value=1, max_value=MAX_INT32)
    lines = SaleLineSerializer(many=True, allow_empty=False, max_length=MAX_LINES)  # type: ignore[call-arg]
    tenders = TenderSerializer(many=True, allow_empty=False)
    customer = CUSTOMER_ID()
    coupon = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    offline = serializers.BooleanField(default=False)
    sold_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class SyncRequestSerializer(serializers.Serializer):
    sales = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=settings.POS_SYNC_MAX_SALES
    )


class QuotedLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_gross = serializers.DecimalField(**MONEY)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    line_discount = serializers.DecimalField(**MONEY)
    discount_gross = serializers.DecimalField(**MONEY)
    total_gross = serializers.DecimalField(**MONEY)
    total_net = serializers.DecimalField(**MONEY)
    total_vat = serializers.DecimalField(**MONEY)


class QuoteTotalsSerializer(serializers.Serializer):
    subtotal_gross = serializers.DecimalField(**MONEY)
    line_discounts = serializers.DecimalField(**MONEY)
    promotion_discount = serializers.DecimalField(**MONEY)
    promotion = serializers.CharField(source="promotion_name")
    member_discount = serializers.DecimalField(
        **MONEY, help_text="The identified customer's standing (loyalty tier) discount."
    )
    member = serializers.CharField(source="member_label", help_text='e.g. "Gold member -5 %"; empty: none.')
    coupon_discount = serializers.DecimalField(**MONEY)
    total_gross = serializers.DecimalField(**MONEY)
    total_net = serializers.DecimalField(**MONEY)
    total_vat = serializers.DecimalField(**MONEY)


class QuoteSerializer(serializers.Serializer):
    lines = QuotedLineSerializer(many=True)
    totals = QuoteTotalsSerializer(source="*")
    vat_breakdown = VatLineSerializer(many=True)


class DiscrepancySerializer(serializers.Serializer):
    sku = serializers.CharField(source="variant.sku")
    quantity = serializers.IntegerField()


class SaleTotalsSerializer(serializers.Serializer):
    total_gross = serializers.DecimalField(**MONEY)
    total_net = serializers.DecimalField(**MONEY)
    total_vat = serializers.DecimalField(**MONEY)
    discount_gross = serializers.DecimalField(**MONEY)


class SaleResultSerializer(serializers.Serializer):
    uuid = serializers.CharField(source="order.reference")
    number = serializers.CharField(source="order.number")
    totals = SaleTotalsSerializer(source="order")
    change_due = serializers.DecimalField(**MONEY)
    receipt_url = serializers.CharField()
    discrepancies = DiscrepancySerializer(many=True)


class SyncResultSerializer(serializers.Serializer):
    uuid = serializers.CharField()
    status = serializers.ChoiceField(choices=["created", "duplicate", "error"])
    number = serializers.CharField(allow_null=True)
    error = serializers.DictField(allow_null=True)


class SyncResponseSerializer(serializers.Serializer):
    results = SyncResultSerializer(many=True)


class CatalogItemSerializer(serializers.Serializer):
    sku = serializers.CharField()
    ean13 = serializers.CharField()
    name = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField())
    price_gross = serializers.DecimalField(**MONEY)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    available_here = serializers.IntegerField()
    available_elsewhere = serializers.DictField(child=serializers.IntegerField())


class PromotionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    value = serializers.DecimalField(**MONEY)
    min_basket_ttc = serializers.DecimalField(**MONEY)
    store_only = serializers.BooleanField()
    ends_at = serializers.DateTimeField()


class CatalogPageSerializer(serializers.Serializer):
    store = serializers.CharField()
    next_after = serializers.IntegerField(allow_null=True, help_text="Pass as `after` for the next page.")
    cursor = serializers.CharField(
        help_text="Keep the first page's; pass it as `since` next time for only what changed since."
    )
    since = serializers.CharField(allow_null=True, help_text="The `since` asked for (null: everything).")
    total = serializers.IntegerField(
        allow_null=True, help_text="A full download's first page: how many items all its pages hold."
    )
    results = CatalogItemSerializer(many=True)
    removed = serializers.ListField(
        child=serializers.CharField(),
        help_text="A delta's first page: the SKUs that left the catalog since `since` (drop them first).",
    )
    promotions = PromotionSerializer(many=True)


class ReceiptEmailSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, default="", max_length=254)


class SearchResultsSerializer(serializers.Serializer):
    store = serializers.CharField()
    query = serializers.CharField(allow_blank=True)
    results = CatalogItemSerializer(many=True)
