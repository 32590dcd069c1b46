"""Store sales: quote a basket, record a sale (online or replayed from the offline queue).

Pricing, the same rules as the web shop (``orders.services.cart``), with channel ``store`` and the
register's store as location:

- unit gross (TTC) prices from ``pricing.unit_prices`` (the customer's group price list, else the
  catalog price), rounded to the cent; a line's gross is unit gross x quantity minus its line
  discount (a cashier's discount needs ``pos.give_discount`` and a reason);
- the best automatic promotion (national or this store's, no stacking) is taken off what remains,
  then an identified customer's permanent member discount (``pricing.services.customer_benefit``:
  their loyalty tier's percent, e.g. "Gold member -5 %") off the rest, then the coupon off what is
  left; all three are spread over the lines in proportion to their gross, to the cent
  (``core.money.allocate``), so the lines add up exactly to the sale;
- a line's net is ``money_round(gross / (1 + vat))`` and its VAT the difference.

Payment: card, mobile and store credit tenders may not exceed the total; cash may (change due, given
from cash). The sale completes only when the tenders cover the total.

Stock: one ``inventory.services.sell_many`` batch at the store, one line per variant (it locks the
levels in the one global order, so a sale never waits crosswise on another writer's rows). Online, a
missing unit refuses the whole sale (``InsufficientStock``, nothing written). Offline sales already
happened: what is available is sold (``allow_shortfall``), and the rest becomes a ``StockDiscrepancy``
for the store manager (notified after commit). Stock never goes negative. An exchange passes the
units it takes back (``restock``): they go back on the shelf under the same locks, just before.

Idempotency: ``client_uuid`` (the register's UUID for the sale) is unique; a replay returns the
first result and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Subquery
from django.utils import timezone

from accounts.selectors import customer_group_for
from catalog.models import Variant
from core import outbox
from core.money import allocate, money_round
from core.transactions import nested_atomic, one_savepoint
from inventory import services as inventory
from inventory.errors import InvalidQuantity, UnknownSku
from orders.errors import EmptyOrder
from orders.models import Order
from orders.services import store as orders
from orders.services.store import StoreOrderLine
from pricing import services as pricing
from pricing.models import Channel as PriceChannel
from pricing.models import Coupon

from .. import selectors
from ..errors import (
    DiscountNotAllowed,
    DiscountReasonRequired,
    InvalidDiscount,
    InvalidTender,
    SaleTooLarge,
    SaleUuidConflict,
    SessionNotOpen,
    TendersShort,
)
from ..models import (
    CashMovement,
    CashMovementKind,
    PosSale,
    RegisterSession,
    SaleTender,
    SessionStatus,
    StockDiscrepancy,
    Tender,
    member_discount_label,
)
from ..permissions import GIVE_DISCOUNT, ensure_can_use_store
from . import journal

if TYPE_CHECKING:
    from accounts.models import User
    from inventory.models import Location, Reservation

ZERO = Decimal("0.00")
MAX_LINE_QUANTITY = 999
# Tenders a sale may be paid with here; store credit is redeemed by the returns module.
SALE_TENDERS = (Tender.CASH, Tender.CARD, Tender.MOBILE, Tender.STORE_CREDIT)


@dataclass(frozen=True)
class SaleLineInput:
    sku: str
    quantity: int
    discount_gross: Decimal = Decimal("0")
    discount_reason: str = ""


@dataclass(frozen=True)
class TenderInput:
    kind: str
    amount: Decimal
    reference: str = ""


@dataclass(frozen=True)
class QuotedLine:
    variant: Variant
    sku: str
    name: str
    quantity: int
    unit_gross: Decimal
    unit_net: Decimal
    vat_rate: Decimal
    line_discount: Decimal  # the cashier's discount
    discount_gross: Decimal  # line discount + share of promotion and coupon
    total_gross: Decimal
    total_net: Decimal
    discount_reason: str = ""

    @property
    def total_vat(self) -> Decimal:
        return self.total_gross - self.total_net


@dataclass
class Quote:
    lines: list[QuotedLine]
    subtotal_gross: Decimal  # before any discount
    line_discounts: Decimal
    promotion_discount: Decimal
    promotion_name: str
    coupon_discount: Decimal
    coupon: Coupon | None
    coupon_basket_gross: Decimal
    total_gross: Decimal
    total_net: Decimal
    member_discount: Decimal = ZERO  # the customer's standing discount (loyalty tier), TTC
    member_percent: Decimal = ZERO
    member_name: str = ""  # what grants it: the tier's name

    @property
    def member_label(self) -> str:
        """ "Gold member -5 %", as the till and the receipt show it ("" without one)."""
        if not self.member_discount:
            return ""
        return member_discount_label(name=self.member_name, percent=self.member_percent)

    @property
    def total_vat(self) -> Decimal:
        return self.total_gross - self.total_net

    @property
    def discount_gross(self) -> Decimal:
        return self.line_discounts + self.promotion_discount + self.member_discount + self.coupon_discount

    @property
    def vat_breakdown(self) -> list[selectors.VatLine]:
        rates: dict[Decimal, list[Decimal]] = {}
        for line in self.lines:
            acc = rates.setdefault(line.vat_rate, [ZERO, ZERO, ZERO])
            acc[0] += line.total_net
            acc[1] += line.total_vat
            acc[2] += line.total_gross
        return [selectors.VatLine(rate=r, net=v[0], vat=v[1], gross=v[2]) for r, v in sorted(rates.items())]


@dataclass(frozen=True)
class Restock:
    """Units an exchange takes back at the store (``pos.services.returns.create_exchange``): they go
    back to stock in the sale's transaction, the levels of both locked together in the global order."""

    reference: str  # the return's number, on the ledger rows
    lines: list[inventory.StockLine]


@dataclass
class SaleResult:
    order: Order
    change_due: Decimal
    discrepancies: list[StockDiscrepancy] = field(default_factory=list)
    created: bool = True


def quote_sale(
    *, store: Location, lines: list[SaleLineInput], coupon_code: str = "", customer: User | None = None
) -> Quote:
    """Price a basket at ``store`` (see the module docstring). Read-only. Raises ``UnknownSku``,
    ``InvalidQuantity``, ``InvalidCoupon`` and ``ValidationFailed`` (a discount above its line)."""
    if not lines:
        raise EmptyOrder("Scan at least one product.")
    if len(lines) > settings.POS_SALE_MAX_LINES:
        raise SaleTooLarge(
            f"A sale holds at most {settings.POS_SALE_MAX_LINES} lines: split it.",
            detail={"limit": "sale_lines", "max": settings.POS_SALE_MAX_LINES, "lines": len(lines)},
        )
    variants = _variants([line.sku for line in lines])
    group = customer_group_for(customer)
    prices = pricing.unit_prices(
        variants=variants.values(), customer_group=group, channel=PriceChannel.STORE, location=store
    )
    before: list[Decimal] = []
    for line in lines:
        _check_quantity(line)
        discount = money_round(Decimal(line.discount_gross or 0))
        gross = prices[variants[line.sku].pk].gross * line.quantity
        if discount < 0 or discount > gross:
            raise InvalidDiscount(
                "A discount must be between zero and the line total.",
                detail={"sku": line.sku, "discount": str(discount), "line_total": str(gross)},
            )
        before.append(gross - discount)
    subtotal = sum((prices[variants[ln.sku].pk].gross * ln.quantity for ln in lines), ZERO)
    after_lines = sum(before, ZERO)

    benefit = pricing.customer_benefit(customer)  # a loyalty tier's discount and early access
    promotion_discount, promotion_name = ZERO, ""
    best = pricing.automatic_promotions(
        basket_ttc=after_lines,
        channel=PriceChannel.STORE,
        location=store,
        early_access=benefit.early_access,
    )
    if best:
        promotion_discount = pricing.promotion_discount(promotion=best[0], basket_ttc=after_lines)
        promotion_name = best[0].name
    basket = after_lines - promotion_discount

    member_discount, member_percent, member_name = _member_discount(benefit, basket)
    basket -= member_discount

    coupon, coupon_discount = None, ZERO
    if coupon_code and coupon_code.strip():
        coupon = pricing.check_coupon(
            code=coupon_code, basket_ttc=basket, channel=PriceChannel.STORE, location=store, customer=customer
        )
        coupon_discount = pricing.promotion_discount(promotion=coupon.promotion, basket_ttc=basket)

    shares = allocate(promotion_discount + member_discount + coupon_discount, before)
    quoted = []
    for line, line_before, share in zip(lines, before, shares, strict=True):
        variant = variants[line.sku]
        price = prices[variant.pk]
        gross = line_before - share
        quoted.append(
            QuotedLine(
                variant=variant,
                sku=variant.sku,
                name=variant.product.name,
                quantity=line.quantity,
                unit_gross=price.gross,
                unit_net=price.net,
                vat_rate=price.vat_rate,
                line_discount=money_round(Decimal(line.discount_gross or 0)),
                discount_gross=money_round(Decimal(line.discount_gross or 0)) + share,
                total_gross=gross,
                total_net=money_round(gross / (1 + price.vat_rate)),
                discount_reason=(line.discount_reason or "").strip(),
            )
        )
    total = sum((q.total_gross for q in quoted), ZERO)
    return Quote(
        lines=quoted,
        subtotal_gross=subtotal,
        line_discounts=subtotal - after_lines,
        promotion_discount=promotion_discount,
        promotion_name=promotion_name,
        coupon_discount=coupon_discount,
        coupon=coupon,
        coupon_basket_gross=basket,
        total_gross=total,
        total_net=sum((q.total_net for q in quoted), ZERO),
        member_discount=member_discount,
        member_percent=member_percent,
        member_name=member_name,
    )


def _member_discount(benefit: pricing.Benefit, basket: Decimal) -> tuple[Decimal, Decimal, str]:
    """The identified customer's standing discount on ``basket`` (after the promotion), rounded to
    the cent once; nothing for an anonymous sale (``NO_BENEFIT``) or a customer without one."""
    percent = Decimal(benefit.discount_percent or 0)
    if percent <= 0 or basket <= 0:
        return ZERO, ZERO, ""
    discount = money_round(min(basket * percent / 100, basket))
    # ``label`` is the granting tier's name ("Gold"), when the benefit has one.
    return discount, percent, benefit.label[:60]


@nested_atomic  # the sale API calls it inside the idempotency savepoint (``one_savepoint``)
def record_sale(
    *,
    session: RegisterSession,
    user: User,
    client_uuid: uuid.UUID | str,
    lines: list[SaleLineInput],
    tenders: list[TenderInput],
    customer: User | None = None,
    coupon_code: str = "",
    offline: bool = False,
    sold_at: dt.datetime | None = None,
    restock: Restock | None = None,
    reserved: Sequence[Reservation] = (),
) -> SaleResult:
    """Record a completed store sale (see the module docstring); ``created`` is False on a replay
    (``restock`` is then left to the caller). ``reserved``: units already held for this sale at the
    store (an e-reservation's kept lines, ``pos.services.ereservations``): the sale commits them
    instead of taking available units, so they are never counted twice."""
    client_uuid = _clean_uuid(client_uuid)
    # The session row locked, and whether a sale of this uuid exists, in one statement: a replay
    # (rare) then reads the sale and writes nothing.
    locked = _lock(session.pk, client_uuid=client_uuid)
    if getattr(locked, "replayed_sale", None) is not None:
        existing = selectors.sale_by_uuid(client_uuid)
        if existing is not None:
            ensure_can_use_store(user, session.register.store)
            return _replayed(existing, session)
    # Every error below rolls the whole sale back to this function's savepoint: the order and stock
    # services it calls join it instead of taking savepoints of their own (``core.transactions``).
    with one_savepoint():
        return _record(
            session=locked,
            user=user,
            client_uuid=client_uuid,
            lines=lines,
            tenders=tenders,
            customer=customer,
            coupon_code=coupon_code,
            offline=offline,
            sold_at=sold_at,
            restock=restock,
            reserved=reserved,
        )


def _record(
    *,
    session: RegisterSession,
    user: User,
    client_uuid: uuid.UUID,
    lines: list[SaleLineInput],
    tenders: list[TenderInput],
    customer: User | None,
    coupon_code: str,
    offline: bool,
    sold_at: dt.datetime | None,
    restock: Restock | None,
    reserved: Sequence[Reservation] = (),
) -> SaleResult:
    session = _check_open_session(session, user, offline=offline)
    store = session.register.store
    check_discounts(lines, user)
    quote = quote_sale(store=store, lines=lines, coupon_code=coupon_code, customer=customer)
    paid, change = _check_tenders(tenders, quote.total_gross)

    reasons = "; ".join(
        f"{q.sku}: -{q.line_discount} ({q.discount_reason})" for q in quote.lines if q.line_discount
    )
    order = orders.record_store_order(
        store=store,
        cashier=user,
        customer=customer,
        reference=str(client_uuid),
        note=f"sold at {session.register.code}" + (f"; discounts {reasons}" if reasons else ""),
        lines=[
            StoreOrderLine(
                variant=q.variant,
                sku=q.sku,
                name=q.name,
                quantity=q.quantity,
                unit_price_net=q.unit_net,
                vat_rate=q.vat_rate,
                discount_gross=q.discount_gross,
                total_net=q.total_net,
                total_vat=q.total_vat,
                total_gross=q.total_gross,
            )
            for q in quote.lines
        ],
    )
    if quote.coupon is not None:
        pricing.redeem_coupon(
            code=quote.coupon.code,
            basket_ttc=quote.coupon_basket_gross,
            reference=order.number,
            channel=PriceChannel.STORE,
            location=store,
            customer=customer,
        )
    discrepancies = _take_stock(
        quote, order=order, store=store, user=user, offline=offline, restock=restock, reserved=reserved
    )
    sale = PosSale.objects.create(
        order=order,
        session=session,
        client_uuid=client_uuid,
        cashier=user,
        was_offline=offline,
        sold_at=sold_at or timezone.now(),
        member_discount=quote.member_discount,
        member_percent=quote.member_percent,
        member_name=quote.member_name,
    )
    _spend_store_credits(paid, order=order, user=user)
    written = _write_tenders(paid, change, order=order, session=session, user=user)
    # the till's chained journal, this transaction
    journal.record_sale_entry(sale=sale, quote=quote, tenders=written)
    if discrepancies:
        from .. import tasks

        outbox.enqueue(tasks.notify_stock_discrepancies, discrepancy_ids=[d.pk for d in discrepancies])
    return SaleResult(order=order, change_due=change, discrepancies=discrepancies)


def check_discounts(lines: list[SaleLineInput], user: User) -> None:
    """A line discount needs ``pos.give_discount`` and a reason."""
    for line in lines:
        if Decimal(line.discount_gross or 0) != 0:
            if not user.has_perm(GIVE_DISCOUNT):
                raise DiscountNotAllowed(
                    "Only a store manager can give a discount.", detail={"sku": line.sku}
                )
            if not (line.discount_reason or "").strip():
                raise DiscountReasonRequired(detail={"sku": line.sku})


# --- internals ------------------------------------------------------------------------------------


def _clean_uuid(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise InvalidTender("The sale id must be a UUID.", detail={"uuid": str(value)}) from None


def _replayed(existing: PosSale, session: RegisterSession) -> SaleResult:
    if existing.session.register.store_id != session.register.store_id:
        raise SaleUuidConflict(detail={"uuid": str(existing.client_uuid)})
    order = existing.order
    change = sum((t.change_given for t in selectors.sale_tenders(order)), ZERO)
    return SaleResult(
        order=order,
        change_due=change,
        discrepancies=list(StockDiscrepancy.objects.filter(order=order).select_related("variant")),
        created=False,
    )


def _check_open_session(locked: RegisterSession, user: User, *, offline: bool) -> RegisterSession:
    """The session (``locked`` by the caller), open. An offline sale whose session was closed before it
    could sync goes to the register's session open now, if any: the sale happened and must not be lost."""
    ensure_can_use_store(user, locked.register.store)
    if locked.status != SessionStatus.OPEN and offline:
        current = RegisterSession.objects.filter(
            register_id=locked.register_id, status=SessionStatus.OPEN
        ).first()
        if current is not None:
            locked = _lock(current.pk)
    if locked.status != SessionStatus.OPEN:
        raise SessionNotOpen(
            f"Session {locked.pk} of {locked.register.name} is closed: open a session to sell.",
            detail={"session": locked.pk},
        )
    return locked


def _lock(session_id: int, *, client_uuid: uuid.UUID | None = None) -> RegisterSession:
    """The session row only, as NO KEY UPDATE: the sale's rows reference it (KEY SHARE), a close waits.
    With ``client_uuid``: ``replayed_sale`` is the id of the sale already recorded under it, or None."""
    sessions = RegisterSession.objects.select_for_update(of=("self",), no_key=True).select_related(
        "register__store"
    )
    if client_uuid is not None:
        sale = PosSale.objects.filter(client_uuid=client_uuid).values("pk")[:1]
        sessions = sessions.annotate(replayed_sale=Subquery(sale))
    return sessions.get(pk=session_id)


def _variants(skus: list[str]) -> dict[str, Variant]:
    found = {
        v.sku: v
        for v in Variant.objects.filter(sku__in=set(skus), is_active=True).select_related("product__vat_rate")
    }
    for sku in skus:
        if sku not in found:
            raise UnknownSku(f"No product has the SKU {sku}.", detail={"sku": sku})
    return found


def _check_quantity(line: SaleLineInput) -> None:
    q = line.quantity
    if not isinstance(q, int) or isinstance(q, bool) or not 1 <= q <= MAX_LINE_QUANTITY:
        raise InvalidQuantity(
            f"The quantity of {line.sku} must be a whole number from 1 to {MAX_LINE_QUANTITY}.",
            detail={"sku": line.sku, "quantity": q},
        )


def _check_tenders(tenders: list[TenderInput], total: Decimal) -> tuple[list[TenderInput], Decimal]:
    """The tenders, cleaned, and the change due. Non-cash may not exceed the total; all must cover it."""
    if not tenders:
        raise TendersShort(f"Take a payment of {total} EUR.", detail={"total": str(total), "paid": "0.00"})
    clean = []
    for t in tenders:
        if t.kind not in SALE_TENDERS:
            raise InvalidTender(f"{t.kind!r} is not a payment method here.", detail={"kind": t.kind})
        amount = Decimal(str(t.amount))
        if not amount.is_finite() or amount <= 0 or amount != money_round(amount):
            raise InvalidTender(
                "A payment must be greater than zero, to the cent.", detail={"amount": str(t.amount)}
            )
        reference = (t.reference or "").strip()[:120]
        if t.kind == Tender.STORE_CREDIT and not reference:
            raise InvalidTender(
                "A store credit payment needs the credit's code.",
                detail={"kind": t.kind, "field": "reference"},
            )
        clean.append(TenderInput(kind=t.kind, amount=amount, reference=reference))
    cash = sum((t.amount for t in clean if t.kind == Tender.CASH), ZERO)
    other = sum((t.amount for t in clean if t.kind != Tender.CASH), ZERO)
    if other > total:
        raise InvalidTender(
            "Card and mobile payments cannot exceed the total: only cash gives change.",
            detail={"total": str(total), "non_cash": str(other)},
        )
    if cash + other < total:
        raise TendersShort(
            f"{cash + other} EUR paid, {total} EUR due.",
            detail={"total": str(total), "paid": str(cash + other), "missing": str(total - cash - other)},
        )
    return clean, cash + other - total


def _take_stock(
    quote: Quote,
    *,
    order: Order,
    store: Location,
    user: User,
    offline: bool,
    restock: Restock | None,
    reserved: Sequence[Reservation] = (),
) -> list[StockDiscrepancy]:
    wanted: dict[int, tuple[Variant, int]] = {}
    for q in quote.lines:
        variant, quantity = wanted.get(q.variant.pk, (q.variant, 0))
        wanted[q.variant.pk] = (variant, quantity + q.quantity)
    if reserved:
        # Held units first (reservation rows, then levels: inventory's lock order); only what the
        # reservations do not cover is taken from the available stock below.
        for reservation in reserved:
            variant, quantity = wanted.get(reservation.variant_id, (reservation.variant, 0))
            if reservation.location_id != store.pk or quantity < reservation.quantity:
                raise InvalidQuantity(
                    "A reservation sold at a till must be of its store and within the sale.",
                    detail={"reservation": str(reservation.pk), "sku": reservation.variant.sku},
                )
            wanted[reservation.variant_id] = (variant, quantity - reservation.quantity)
        inventory.commit_many(reservations=list(reserved), user=user)
        wanted = {pk: row for pk, row in wanted.items() if row[1] > 0}
        if not wanted:
            return []
    lines = [inventory.StockLine(*wanted[variant_id]) for variant_id in sorted(wanted)]
    if restock is not None and restock.lines:
        # Every level of the exchange at once, in the global order, before any of them changes.
        inventory.lock_levels([(store, line.variant) for line in [*restock.lines, *lines]])
        inventory.return_many(lines=restock.lines, location=store, reference=restock.reference, user=user)
    # Offline, the goods already left the store: sell what the stock still holds, record the rest.
    changes = inventory.sell_many(
        lines=lines, location=store, reference=order.number, user=user, allow_shortfall=offline
    )
    return [
        StockDiscrepancy.objects.create(
            location=store,
            variant=line.variant,
            quantity=change.shortfall,
            order=order,
            note=(
                f"Offline sale {order.number}: {line.quantity} sold, "
                f"{line.quantity - change.shortfall} in stock."
            ),
        )
        for line, change in zip(lines, changes, strict=True)
        if change.shortfall
    ]


def _spend_store_credits(tenders: list[TenderInput], *, order: Order, user: User) -> None:
    """Take store-credit tenders off their credits (code in ``reference``), in the sale's transaction:
    an unknown code or a balance too small refuses the whole sale."""
    from .returns import redeem_store_credit  # returns builds on sales (exchanges): import here

    for t in tenders:
        if t.kind == Tender.STORE_CREDIT:
            redeem_store_credit(code=t.reference, amount=t.amount, reference=order.number, user=user)


def _write_tenders(
    tenders: list[TenderInput], change: Decimal, *, order: Order, session: RegisterSession, user: User
) -> list[SaleTender]:
    """One SaleTender per payment; one CashMovement per tender kind (cash net of the change).
    Returns the SaleTender rows, in the order of the payments."""
    remaining_change = change
    rows = []
    for t in tenders:
        given = min(remaining_change, t.amount) if t.kind == Tender.CASH else ZERO
        remaining_change -= given
        rows.append(
            SaleTender(
                order=order,
                session=session,
                tender=t.kind,
                amount=t.amount,
                authorisation_reference=t.reference,
                change_given=given,
            )
        )
    SaleTender.objects.bulk_create(rows)
    per_kind: dict[str, Decimal] = {}
    for row in rows:
        per_kind[row.tender] = per_kind.get(row.tender, ZERO) + row.amount - row.change_given
    CashMovement.objects.bulk_create(
        CashMovement(
            session=session,
            kind=CashMovementKind.SALE,
            tender=kind,
            amount=amount,
            reference=order.number,
            user=user,
        )
        for kind, amount in per_kind.items()
        if amount
    )
    return rows
