"""Reads for the POS pages and API: the Z report, sales with everything a receipt shows, the catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from orders.models import Order, OrderLine

from .models import CashMovement, PosSale, RegisterSession, SaleTender, SessionStatus, Tender

ZERO = Decimal("0.00")

# Euro notes and coins, largest first: the cash count at closing is given per denomination.
DENOMINATIONS = [
    Decimal(d)
    for d in (
        "500.00", "200.00", "100.00", "50.00", "20.00", "10.00", "5.00",
        "2.00", "1.00", "0.50", "0.20", "0.10", "0.05", "0.02", "0.01",
    )
]  # fmt: skip


@dataclass(frozen=True)
class TenderTotal:
    tender: str
    label: str
    expected: Decimal
    counted: Decimal

    @property
    def difference(self) -> Decimal:
        return self.counted - self.expected


@dataclass(frozen=True)
class VatLine:
    rate: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal

    @property
    def percent(self) -> str:
        """20, 5.5, 2.1: the rate as people write it."""
        return f"{(self.rate * 100).normalize():f}"


@dataclass
class ZReport:
    """The closing report of a session (an X report while it is still open: counted == expected)."""

    session: RegisterSession
    tenders: list[TenderTotal]
    difference: Decimal
    sales_count: int
    sales_total: Decimal
    discounts_total: Decimal
    vat_breakdown: list[VatLine]
    movements: list[CashMovement]
    counted_cash: dict[str, int] = field(default_factory=dict)

    @property
    def is_final(self) -> bool:
        return self.session.status == SessionStatus.CLOSED


def _cents(value) -> Decimal:
    """Sums come back from SQLite without their scale: 100 -> 100.00."""
    return (value or ZERO).quantize(Decimal("0.01"))


def expected_by_tender(session: RegisterSession) -> dict[str, Decimal]:
    """What the drawer and the terminals should hold: the sum of the session's movements per tender."""
    rows = CashMovement.objects.filter(session=session).values("tender").annotate(total=Sum("amount"))
    totals = {row["tender"]: _cents(row["total"]) for row in rows}
    totals.setdefault(Tender.CASH, ZERO)
    return totals


def vat_breakdown(session: RegisterSession) -> list[VatLine]:
    rows = (
        OrderLine.objects.filter(order__pos_sale__session=session)
        .values("vat_rate")
        .annotate(net=Sum("total_net"), vat=Sum("total_vat"), gross=Sum("total_gross"))
        .order_by("vat_rate")
    )
    return [
        VatLine(rate=r["vat_rate"], net=_cents(r["net"]), vat=_cents(r["vat"]), gross=_cents(r["gross"]))
        for r in rows
    ]


def order_vat_breakdown(order: Order) -> list[VatLine]:
    """Per VAT rate, from the order's lines (already loaded: no query)."""
    rates: dict[Decimal, list[Decimal]] = {}
    for line in order.lines.all():
        acc = rates.setdefault(line.vat_rate, [ZERO, ZERO, ZERO])
        acc[0] += line.total_net
        acc[1] += line.total_vat
        acc[2] += line.total_gross
    return [VatLine(rate=r, net=v[0], vat=v[1], gross=v[2]) for r, v in sorted(rates.items())]


def z_report(session: RegisterSession) -> ZReport:
    """From the stored closing figures when the session is closed, else the live figures (X report)."""
    labels = dict(Tender.choices)
    if session.status == SessionStatus.CLOSED:
        expected = {k: Decimal(v) for k, v in session.expected.items()}
        counted = {k: Decimal(v) for k, v in session.counted.items()}
    else:
        expected = expected_by_tender(session)
        counted = dict(expected)
    order = [t for t in Tender.values if t in expected]
    tenders = [
        TenderTotal(tender=t, label=str(labels[t]), expected=expected[t], counted=counted.get(t, expected[t]))
        for t in order
    ]
    sales = Order.objects.filter(pos_sale__session=session).aggregate(
        count=Count("id"), total=Sum("total_gross"), discounts=Sum("discount_gross")
    )
    movements = list(
        CashMovement.objects.filter(session=session)
        .exclude(kind="sale")
        .select_related("user")
        .order_by("id")
    )
    return ZReport(
        session=session,
        tenders=tenders,
        difference=sum((t.difference for t in tenders), ZERO),
        sales_count=sales["count"],
        sales_total=_cents(sales["total"]),
        discounts_total=_cents(sales["discounts"]),
        vat_breakdown=vat_breakdown(session),
        movements=movements,
        counted_cash=dict(session.counted_cash),
    )


def session_for_report(session_id: int) -> RegisterSession | None:
    return (
        RegisterSession.objects.select_related("register__store", "opened_by", "closed_by")
        .filter(pk=session_id)
        .first()
    )


def sale_for_receipt(number: str) -> Order | None:
    """A store sale with its lines, tenders, register and store loaded (a constant number of queries)."""
    return (
        Order.objects.filter(number=number, pos_sale__isnull=False)
        .select_related("location", "customer", "pos_sale__session__register", "pos_sale__cashier")
        .prefetch_related("lines", "tenders")
        .first()
    )


def receipt_context(order: Order) -> dict:
    """What the receipt shows (the page and the e-mail), from a ``sale_for_receipt`` order."""
    from .barcodes import sale_barcode_svg

    lines = list(order.lines.all())
    tenders = list(order.tenders.all())
    return {
        "order": order,
        "sale": order.pos_sale,
        "store": order.location,
        "lines": lines,
        "tenders": tenders,
        "change": sum((t.change_given for t in tenders), ZERO),
        "vat_breakdown": order_vat_breakdown(order),
        "barcode_svg": sale_barcode_svg(order.number),
        "subtotal": sum((line.gross_before_discount for line in lines), ZERO),
    }


def sale_by_uuid(client_uuid) -> PosSale | None:
    return (
        PosSale.objects.select_related("order", "session__register").filter(client_uuid=client_uuid).first()
    )


def sale_tenders(order: Order) -> list[SaleTender]:
    return list(SaleTender.objects.filter(order=order).order_by("id"))


# --- the offline catalog ---------------------------------------------------------------------------


@dataclass
class CatalogPage:
    items: list[dict]
    next_after: int | None
    promotions: list[dict]


def store_catalog(*, store, after: int = 0, limit: int = 2000) -> CatalogPage:
    """One page (keyset: variant id > ``after``) of what the register needs offline: SKU, EAN, name,
    options, store price, VAT and availability here and at the other stores. 6 queries a page."""
    from django.conf import settings
    from django.db.models import Q
    from django.utils import timezone

    from catalog.models import OptionValue, Variant
    from inventory import selectors as stock
    from pricing import services as pricing
    from pricing.models import Channel as PriceChannel
    from pricing.models import Promotion

    variants = list(
        Variant.objects.filter(is_active=True, product__is_published=True, pk__gt=after)
        .select_related("product__vat_rate")
        # Only what the page shows: the products' descriptions in three languages weigh the most.
        .only(
            "sku",
            "ean13",
            "price_ht_override",
            "product__base_price_ht",
            "product__vat_rate__rate",
            *[f"product__name_{code}" for code, _ in settings.LANGUAGES],
        )
        .order_by("pk")[: limit + 1]
    )
    more = len(variants) > limit
    variants = variants[:limit]
    options: dict[int, list[str]] = {}
    if variants:
        # Not prefetch_related: 5000 option-value instances cost more than the rest of the page.
        names = {o.pk: o.name for o in OptionValue.objects.order_by("option_type_id", "position")}
        links = (
            Variant.option_values.through.objects.filter(
                variant_id__gte=variants[0].pk, variant_id__lte=variants[-1].pk
            )
            .order_by("optionvalue__option_type_id", "optionvalue__position")
            .values_list("variant_id", "optionvalue_id")
        )
        for variant_id, value_id in links:
            options.setdefault(variant_id, []).append(names[value_id])
    prices = pricing.unit_prices(variants=variants, channel=PriceChannel.STORE, location=store)
    here: dict[int, int] = {}
    elsewhere: dict[int, dict[str, int]] = {}
    if variants:
        levels = stock.available_at_stores(first_variant_id=variants[0].pk, last_variant_id=variants[-1].pk)
        for variant_id, location_id, code, available in levels:
            if location_id == store.pk:
                here[variant_id] = available
            elif available > 0:
                elsewhere.setdefault(variant_id, {})[code] = available
    items = [
        {
            "sku": v.sku,
            "ean13": v.ean13,
            "name": v.product.name,
            "options": options.get(v.pk, []),
            "price_gross": prices[v.pk].gross,
            "vat_rate": prices[v.pk].vat_rate,
            "available_here": here.get(v.pk, 0),
            "available_elsewhere": elsewhere.get(v.pk, {}),
        }
        for v in variants
    ]
    now = timezone.now()
    promotions = [
        {
            "id": p.pk,
            "name": p.name,
            "kind": p.kind,
            "value": p.value,
            "min_basket_ttc": p.min_basket_ttc,
            "store_only": p.location_id is not None,
            "ends_at": p.ends_at,
        }
        for p in Promotion.objects.filter(
            Q(location__isnull=True) | Q(location=store),
            is_active=True,
            requires_coupon=False,
            starts_at__lte=now,
            ends_at__gt=now,
            channel__in=[PriceChannel.ANY, PriceChannel.STORE],
        ).order_by("pk")
    ]
    return CatalogPage(items=items, next_after=variants[-1].pk if more else None, promotions=promotions)
