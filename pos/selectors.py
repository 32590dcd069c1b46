"""Reads for the POS pages and API: the Z report, sales with everything a receipt shows, the catalog."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from core.money import money_round
from orders.models import Order, OrderLine

from .models import (
    CashMovement,
    PosSale,
    RegisterSession,
    Return,
    ReturnLine,
    SaleTender,
    SessionStatus,
    Tender,
)

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

    @property
    def percent_value(self) -> Decimal:
        """The rate in percent (5.5), for templates to localise (``floatformat:"-1"``: 5,5 in French)."""
        return (self.rate * 100).normalize()


@dataclass
class ZReport:
    """The closing report of a session (an X report while it is still open: counted == expected).

    Sales are the session's store sales (gross, TTC); returns are the ``Return`` rows taken back at
    this session (till sales, web orders brought back to the store, the return half of exchanges);
    ``net_sales`` and ``vat_breakdown`` are sales minus returns, per VAT rate."""

    session: RegisterSession
    tenders: list[TenderTotal]
    difference: Decimal
    sales_count: int
    sales_total: Decimal  # gross sales, TTC, before returns
    discounts_total: Decimal
    vat_breakdown: list[VatLine]  # netted: sales minus returns, per rate
    movements: list[CashMovement]
    counted_cash: dict[str, int] = field(default_factory=dict)
    returns_count: int = 0
    returns_total: Decimal = ZERO  # TTC, positive: what the returns gave back
    sales_vat_breakdown: list[VatLine] = field(default_factory=list)
    returns_vat_breakdown: list[VatLine] = field(default_factory=list)

    @property
    def is_final(self) -> bool:
        return self.session.status == SessionStatus.CLOSED

    @property
    def net_sales(self) -> Decimal:
        return self.sales_total - self.returns_total

    @property
    def vat_detail(self) -> list[tuple[Decimal, Decimal, Decimal, Decimal]]:
        """Per rate: (rate in percent, VAT on sales, VAT on returns, net VAT)."""
        sales = {line.rate: line.vat for line in self.sales_vat_breakdown}
        returns = {line.rate: line.vat for line in self.returns_vat_breakdown}
        return [
            (line.percent_value, sales.get(line.rate, ZERO), returns.get(line.rate, ZERO), line.vat)
            for line in self.vat_breakdown
        ]

    @property
    def net_vat(self) -> Decimal:
        return sum((line.vat for line in self.vat_breakdown), ZERO)

    @property
    def net_excl_vat(self) -> Decimal:
        return sum((line.net for line in self.vat_breakdown), ZERO)


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
    """The session's store sales per VAT rate (before returns)."""
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


def returned_vat(*, refund_gross: Decimal, line_vat: Decimal, line_gross: Decimal) -> Decimal:
    """The VAT inside ``refund_gross`` given back for (part of) an order line: the line's own VAT in
    proportion, so taking back a whole line gives back exactly the VAT it was sold with."""
    if not line_gross:
        return ZERO
    return money_round(line_vat * refund_gross / line_gross)


def _shipping_vat_rate() -> Decimal:
    from orders.services.placing import SHIPPING_VAT_RATE

    return SHIPPING_VAT_RATE


def _add_vat(rates: dict[Decimal, list[Decimal]], rate: Decimal, gross: Decimal, vat: Decimal) -> None:
    acc = rates.setdefault(rate, [ZERO, ZERO, ZERO])
    acc[0] += gross - vat
    acc[1] += vat
    acc[2] += gross


def _vat_lines(rates: dict[Decimal, list[Decimal]]) -> list[VatLine]:
    return [
        VatLine(rate=r, net=_cents(v[0]), vat=_cents(v[1]), gross=_cents(v[2]))
        for r, v in sorted(rates.items())
    ]


def returns_vat_breakdown(
    lines: list[tuple[int, Decimal, Decimal, Decimal]], totals: dict[int, Decimal]
) -> list[VatLine]:
    """Per VAT rate, what returns gave back (positive amounts). ``lines``: (return id, VAT rate,
    refund TTC, VAT in it); ``totals``: return id -> the return's total_gross. What a return gave
    back beyond its lines is the web order's shipping (the whole order came back), at the shipping
    VAT rate."""
    rates: dict[Decimal, list[Decimal]] = {}
    by_return: dict[int, Decimal] = {}
    for ret_id, rate, refund, vat in lines:
        _add_vat(rates, rate, refund, vat)
        by_return[ret_id] = by_return.get(ret_id, ZERO) + refund
    shipping_rate = _shipping_vat_rate()
    for ret_id, total in totals.items():
        shipping = total - by_return.get(ret_id, ZERO)
        if shipping > 0:
            _add_vat(rates, shipping_rate, shipping, shipping - money_round(shipping / (1 + shipping_rate)))
    return _vat_lines(rates)


def net_vat_breakdown(sales: list[VatLine], returns: list[VatLine]) -> list[VatLine]:
    """Sales minus returns, per rate (a rate with returns only shows negative amounts)."""
    rates: dict[Decimal, list[Decimal]] = {}
    for line in sales:
        _add_vat(rates, line.rate, line.gross, line.vat)
    for line in returns:
        _add_vat(rates, line.rate, -line.gross, -line.vat)
    return _vat_lines(rates)


def session_returns(session: RegisterSession) -> tuple[int, Decimal, list[VatLine]]:
    """(count, total TTC, VAT per rate) of the returns taken back at ``session``. Two queries."""
    totals = dict(Return.objects.filter(session=session).values_list("id", "total_gross"))
    if not totals:
        return 0, ZERO, []
    rows = ReturnLine.objects.filter(ret__session=session).values_list(
        "ret_id", "refund_gross", "order_line__vat_rate", "order_line__total_vat", "order_line__total_gross"
    )
    lines = [
        (ret_id, rate, refund, returned_vat(refund_gross=refund, line_vat=line_vat, line_gross=line_gross))
        for ret_id, refund, rate, line_vat, line_gross in rows
    ]
    total = _cents(sum(totals.values(), ZERO))
    return len(totals), total, returns_vat_breakdown(lines, totals)


def z_report(session: RegisterSession) -> ZReport:
    """From the stored closing figures when the session is closed, else the live figures (X report).
    Sales and VAT are netted of the returns taken back at the session."""
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
    sales_vat = vat_breakdown(session)
    returns_count, returns_total, returns_vat = session_returns(session)
    return ZReport(
        session=session,
        tenders=tenders,
        difference=sum((t.difference for t in tenders), ZERO),
        sales_count=sales["count"],
        sales_total=_cents(sales["total"]),
        discounts_total=_cents(sales["discounts"]),
        vat_breakdown=net_vat_breakdown(sales_vat, returns_vat),
        movements=movements,
        counted_cash=dict(session.counted_cash),
        returns_count=returns_count,
        returns_total=returns_total,
        sales_vat_breakdown=sales_vat,
        returns_vat_breakdown=returns_vat,
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


def legal_context(store) -> dict:
    """The seller's legal mentions a till document prints (``core.legal``): the company, and the
    SIRET of the establishment (the store's own when configured, else the head office's)."""
    from core.legal import seller

    who = seller()
    # python-stdnum's compact form drops the country prefix ("22832047153"): a VAT number is printed
    # with it ("FR22832047153").
    vat_number = who.vat_number if who.vat_number[:2].isalpha() else f"{who.country}{who.vat_number}"
    return {"seller": who, "siret": who.siret_for(getattr(store, "code", None)), "vat_number": vat_number}


def receipt_context(order: Order) -> dict:
    """What the receipt shows (the page and the e-mail), from a ``sale_for_receipt`` order. The
    customer's points come from loyalty through ``pos.loyalty_port`` (None without it)."""
    from .barcodes import sale_barcode_svg
    from .loyalty_port import receipt_points

    lines = list(order.lines.all())
    tenders = list(order.tenders.all())
    vat = order_vat_breakdown(order)
    return {
        **legal_context(order.location),
        "order": order,
        "sale": order.pos_sale,
        "store": order.location,
        "lines": lines,
        "tenders": tenders,
        "change": sum((t.change_given for t in tenders), ZERO),
        "vat_breakdown": vat,
        "vat_totals": VatLine(
            rate=ZERO,
            net=sum((v.net for v in vat), ZERO),
            vat=sum((v.vat for v in vat), ZERO),
            gross=sum((v.gross for v in vat), ZERO),
        ),
        "barcode_svg": sale_barcode_svg(order.number),
        "subtotal": sum((line.gross_before_discount for line in lines), ZERO),
        "points": receipt_points(order_id=order.pk, customer_id=order.customer_id),
    }


# --- the return receipt / store credit note ---------------------------------------------------------


@dataclass(frozen=True)
class ReturnedLine:
    """A line of a return receipt: what came back and the money (TTC) and VAT it gave back."""

    name: str
    sku: str
    quantity: int
    condition: str
    condition_label: str
    vat_rate: Decimal
    refund_gross: Decimal
    refund_vat: Decimal


def return_for_receipt(number: str) -> Return | None:
    """A till return by number with everything its receipt shows (a constant number of queries)."""
    return (
        Return.objects.filter(number=number)
        .select_related("order__pos_sale", "location", "session__register", "user", "exchange_order")
        .prefetch_related("lines__order_line", "refunds", "store_credits")
        .first()
    )


def return_receipt_context(ret: Return) -> dict:
    """What the printed return receipt / store credit note shows, from a ``return_for_receipt``."""
    from .barcodes import sale_barcode_svg

    lines = [
        ReturnedLine(
            name=line.order_line.name,
            sku=line.order_line.sku,
            quantity=line.quantity,
            condition=line.condition,
            condition_label=line.get_condition_display(),
            vat_rate=line.order_line.vat_rate,
            refund_gross=line.refund_gross,
            refund_vat=returned_vat(
                refund_gross=line.refund_gross,
                line_vat=line.order_line.total_vat,
                line_gross=line.order_line.total_gross,
            ),
        )
        for line in ret.lines.all()
    ]
    vat = returns_vat_breakdown(
        [(ret.pk, x.vat_rate, x.refund_gross, x.refund_vat) for x in lines], {ret.pk: ret.total_gross}
    )
    credits = [
        {"credit": credit, "barcode_svg": sale_barcode_svg(credit.code)} for credit in ret.store_credits.all()
    ]
    lines_total = sum((line.refund_gross for line in lines), ZERO)
    original = ret.order
    return {
        **legal_context(ret.location),
        "ret": ret,
        "store": ret.location,
        "original": original,
        "original_date": original.pos_sale.sold_at if hasattr(original, "pos_sale") else original.created_at,
        "register": ret.session.register if ret.session else None,
        "lines": lines,
        "shipping_refunded": ret.total_gross - lines_total if ret.total_gross > lines_total else ZERO,
        "vat_breakdown": vat,
        "vat_total": sum((v.vat for v in vat), ZERO),
        "refunds": list(ret.refunds.all()),
        "store_credits": credits,
        "is_credit_note": bool(credits),
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
    cursor: str = ""  # pass as ``since`` for the changes after this page's read (see store_catalog)
    total: int | None = None  # a full download's first page: how many items all its pages hold
    removed: list[str] = field(default_factory=list)  # SKUs to drop (a delta's first page)


def catalog_cursor(read_at: dt.datetime) -> str:
    """The cursor of a catalog read at ``read_at``: a little earlier, as ``inventory.realtime`` does for
    the stock: a price or variant written by a transaction still open at ``read_at`` (its stamp is
    earlier than its commit) falls inside the margin and comes again in the next delta."""
    from django.conf import settings

    return (read_at - dt.timedelta(seconds=settings.POS_CATALOG_CURSOR_MARGIN_SECONDS)).isoformat()


def parse_catalog_since(value: str, *, now: dt.datetime) -> dt.datetime:
    """A till's ``since``: the moment to send changes from. ``CatalogCursorRefused`` (its message
    says why) for something that is not a cursor, or one older than
    ``POS_CATALOG_DELTA_MAX_AGE_SECONDS`` or in the future: that till downloads the whole catalog."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    from .errors import CatalogCursorRefused

    try:
        since = dt.datetime.fromisoformat(value) if len(value) <= 40 else None
    except ValueError:
        since = None
    if since is None or since.tzinfo is None:
        raise CatalogCursorRefused(
            _("This is not a catalog cursor: download the whole catalog."),
            detail={"since": value[:40], "reason": "invalid"},
        )
    if since > now:
        raise CatalogCursorRefused(
            _("This catalog cursor is in the future: download the whole catalog."),
            detail={"since": value, "reason": "future"},
        )
    if now - since > dt.timedelta(seconds=settings.POS_CATALOG_DELTA_MAX_AGE_SECONDS):
        raise CatalogCursorRefused(
            _("This catalog cursor is too old for a delta: download the whole catalog."),
            detail={"since": value, "reason": "too_old"},
        )
    return since


def _till_variants():
    """Active variants of published products with only what the till shows (the products'
    descriptions in three languages weigh the most)."""
    from django.conf import settings

    from catalog.models import Variant

    return (
        Variant.objects.filter(is_active=True, product__is_published=True)
        .select_related("product__vat_rate")
        .only(
            "sku",
            "ean13",
            "price_ht_override",
            "product__base_price_ht",
            "product__vat_rate__rate",
            *[f"product__name_{code}" for code, _ in settings.LANGUAGES],
        )
    )


def _till_items(variants: list, *, store, by_id: bool = False, at: dt.datetime | None = None) -> list[dict]:
    """The till's rows of ``variants``: options, this store's price (at ``at``), stock here and
    elsewhere. 4 queries. ``variants`` are a run of ids (a catalog page), or any ids when ``by_id``
    (search results, a catalog delta: a few ids far apart)."""
    from catalog.models import OptionValue, Variant
    from inventory import selectors as stock
    from pricing import services as pricing
    from pricing.models import Channel as PriceChannel

    if not variants:
        return []
    ids = [v.pk for v in variants]
    low, high = min(ids), max(ids)
    options: dict[int, list[str]] = {}
    # Not prefetch_related: 5000 option-value instances cost more than the rest of the page.
    names = {o.pk: o.name for o in OptionValue.objects.order_by("option_type_id", "position")}
    through = Variant.option_values.through.objects
    links = (
        (
            through.filter(variant_id__in=ids)
            if by_id
            else through.filter(variant_id__gte=low, variant_id__lte=high)
        )
        .order_by("optionvalue__option_type_id", "optionvalue__position")
        .values_list("variant_id", "optionvalue_id")
    )
    wanted = set(ids)
    for variant_id, value_id in links:
        if variant_id in wanted:
            options.setdefault(variant_id, []).append(names[value_id])
    prices = pricing.unit_prices(variants=variants, channel=PriceChannel.STORE, location=store, at=at)
    here: dict[int, int] = {}
    elsewhere: dict[int, dict[str, int]] = {}
    levels = (
        stock.available_at_stores(variant_ids=ids)
        if by_id
        else stock.available_at_stores(first_variant_id=low, last_variant_id=high)
    )
    for variant_id, location_id, code, available in levels:
        if variant_id not in wanted:
            continue
        if location_id == store.pk:
            here[variant_id] = available
        elif available > 0:
            elsewhere.setdefault(variant_id, {})[code] = available
    return [
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


def search_till(*, store, query: str, limit: int = 24) -> list[dict]:
    """The till's search by words: the shop's engine (``catalog.search.find_products``: names in
    every language, categories, SKUs; typos and accents forgiven), best product first, each
    product's active variants in their order, at most ``limit`` rows in the catalog's shape. 6 queries."""
    from catalog.search import find_products

    hits = find_products(query, limit=limit)
    rank = {hit.product_id: i for i, hit in enumerate(hits)}
    variants = sorted(
        _till_variants().filter(product_id__in=list(rank)),
        key=lambda v: (rank[v.product_id], v.position, v.sku),
    )[:limit]
    return _till_items(variants, store=store, by_id=True)


def store_catalog(
    *,
    store,
    after: int = 0,
    limit: int = 2000,
    code: str = "",
    since: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> CatalogPage:
    """One page (keyset: variant id > ``after``) of what the register needs offline: SKU, EAN, name,
    options, store price, VAT and availability here and at the other stores. 6 queries a page.
    ``code``: only the variant of that EAN-13 or SKU (any case), if any: what a scan the tablet's
    catalog does not know yet asks.

    ``since`` (from ``parse_catalog_since``): only the variants changed since then, the delta: one
    whose own row, product, or price (``pricing.selectors.repriced_variant_ids``) was written since;
    and on the first page (``after`` 0) ``removed``, the SKUs that left the catalog since (switched
    off, product unpublished: derived from the same stamps; deleted: ``catalog.RemovedVariant``).
    A till applies the removals, then the items. 8 queries a page, however many variants changed.
    Stock is not part of the delta: it comes live through ``/ws/stock/`` (with its own cursor).

    Every page carries ``cursor``: the till keeps the one of its first page (``after`` 0), read
    before any other, and passes it as ``since`` next time. A full download's first page also says
    ``total``, how many items its pages hold (the till's progress), from the same query."""
    from django.db.models import Q, Window
    from django.utils import timezone

    from catalog.models import RemovedVariant, Variant
    from pricing import selectors as pricing_read
    from pricing.models import Channel as PriceChannel
    from pricing.models import Promotion

    now = now or timezone.now()
    cursor = catalog_cursor(now)
    found = _till_variants().filter(pk__gt=after)
    changed = Q()
    if since is not None:
        changed = (
            Q(updated_at__gt=since)
            | Q(product__updated_at__gt=since)
            | Q(pk__in=pricing_read.repriced_variant_ids(since=since, now=now))
        )
        found = found.filter(changed)
    if code:
        found = found.filter(Q(ean13=code) | Q(sku__iexact=code))
    counted = since is None and after == 0 and not code
    if counted:  # the till's progress bar: the count rides along in the same query (a window)
        found = found.annotate(total=Window(Count("pk")))
    variants = list(found.order_by("pk")[: limit + 1])
    more = len(variants) > limit
    total = (getattr(variants[0], "total", 0) if variants else 0) if counted else None
    variants = variants[:limit]
    # A delta's few variants lie far apart: their own ids, not the range, for the options and stock.
    items = _till_items(variants, store=store, by_id=since is not None, at=now)
    removed: list[str] = []
    if since is not None and after == 0 and not code:
        left = Variant.objects.filter(changed).filter(Q(is_active=False) | Q(product__is_published=False))
        removed = sorted(
            {*left.values_list("sku", flat=True)}
            | {*RemovedVariant.objects.filter(removed_at__gt=since).values_list("sku", flat=True)}
        )
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
            pricing_read.promotions_of_shop(None),  # a promotion of some web shops is not the till's
            is_active=True,
            requires_coupon=False,
            starts_at__lte=now,
            ends_at__gt=now,
            channel__in=[PriceChannel.ANY, PriceChannel.STORE],
        ).order_by("pk")
    ]
    return CatalogPage(
        items=items,
        next_after=variants[-1].pk if more else None,
        promotions=promotions,
        cursor=cursor,
        removed=removed,
        total=total,
    )


def store_favourites(store) -> list[dict]:
    """The sale screen's tiles at ``store``: SKU and label, in position order (variants switched off
    or products unpublished left out: the till could not sell them)."""
    from .models import FavouriteItem

    rows = (
        FavouriteItem.objects.filter(
            store=store, variant__is_active=True, variant__product__is_published=True
        )
        .select_related("variant__product")
        .order_by("position", "id")
    )
    return [
        {"sku": row.variant.sku, "label": row.label or row.variant.product.name, "position": row.position}
        for row in rows
    ]
