"""The till's chained journal: append entries, and walk the chains to prove nothing changed.

Every append happens in the transaction of what it records (a sale, a return, a session close...):
``_append`` locks the chain's ``JournalHead`` row (SELECT FOR UPDATE), takes the next sequence,
hashes the entry with the previous entry's hash and moves the head. A rollback takes the entry and
the head's move back with it; two sales on one register queue on the head, so the chain never forks.
Heads are always locked in one order, sales < technical < closings, so writers never deadlock on them.

What is recorded where (see ``pos.journal_models``):

- sales journal: ``record_sale_entry`` (from ``sales.record_sale``: an offline sale keeps its till
  time in ``occurred_at`` and enters the chain when the server records it), ``record_return_entry``
  (from ``returns.create_return`` and ``create_exchange``). Each moves the register's perpetual grand
  totals: ``grand_total_perpetual`` += signed TTC, ``grand_total_perpetual_abs`` += |TTC|.
- technical journal: ``record_technical_event`` (session open, cash in/out, line discounts, offline
  sync batches...), ``record_receipt_print`` / ``record_reprint`` (receipt prints: the first is the
  original, every later one a duplicate);
- closings journal: ``record_closing`` (the Z, from ``sessions.close_register_session``), and the
  monthly and yearly closings of ``pos.services.closings``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from core.errors import ValidationFailed
from core.money import money_round

from ..journal_models import (
    GENESIS_HASH,
    EntryKind,
    Journal,
    JournalEntry,
    JournalHead,
    amount,
    entry_hash,
    journal_of,
    optional_amount,
)

if TYPE_CHECKING:
    from accounts.models import User
    from orders.models import Order

    from ..models import PosSale, Register, RegisterSession, SaleTender
    from ..returns_models import Return
    from .sales import Quote

ZERO = Decimal("0.00")
JOURNAL_ORDER = [Journal.SALES, Journal.TECHNICAL, Journal.CLOSINGS]  # the order heads are locked in
# Kinds that move the perpetual grand totals.
GRAND_TOTAL_KINDS = (EntryKind.SALE, EntryKind.RETURN, EntryKind.CANCELLATION)


def rate_key(rate: Decimal) -> str:
    """A VAT rate as a JSON key: ``0.2000``."""
    return f"{Decimal(rate).quantize(Decimal('0.0001')):f}"


def plain(value: Any) -> Any:
    """``value`` as JSON that reads back identical (what a hash needs): amounts and other decimals,
    dates, UUIDs and floats become strings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date | uuid.UUID | float):
        return str(value)
    return value


def _now() -> dt.datetime:
    """The server's clock, the one ``created_at`` of entries (tests move it to build past months)."""
    return timezone.now()


def _lock_head(register_id: int, journal: str) -> JournalHead:
    head = JournalHead.objects.select_for_update().filter(register_id=register_id, journal=journal).first()
    if head is None:
        # The chain's first entry: create the head (a concurrent first writer's insert wins, ours is
        # ignored), then lock it like any other time.
        JournalHead.objects.bulk_create(
            [JournalHead(register_id=register_id, journal=journal)], ignore_conflicts=True
        )
        head = JournalHead.objects.select_for_update().get(register_id=register_id, journal=journal)
    return head


def lock_heads(register_id: int, journals: Iterable[str]) -> dict[str, JournalHead]:
    """Lock the heads of ``journals`` of a register, in the one order (no deadlock between writers)."""
    wanted = set(journals)
    return {j: _lock_head(register_id, j) for j in JOURNAL_ORDER if j in wanted}


def _append(
    *,
    head: JournalHead,
    kind: str,
    user: User | None,
    payload: dict[str, Any],
    session: RegisterSession | None = None,
    reference: str = "",
    period: str = "",
    total_gross: Decimal = ZERO,
    vat: dict[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
    grand_totals: tuple[Decimal, Decimal] | None = None,
) -> JournalEntry:
    """Append one entry to the locked ``head``'s chain (the caller's transaction)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A journal entry is written in the transaction of what it records.")
    assert journal_of(kind) == head.journal, (kind, head.journal)
    now = _now()
    total_gross = money_round(Decimal(total_gross))
    if kind in GRAND_TOTAL_KINDS:
        head.grand_total_perpetual += total_gross
        head.grand_total_perpetual_abs += abs(total_gross)
        grand_totals = (head.grand_total_perpetual, head.grand_total_perpetual_abs)
    entry = JournalEntry(
        register_id=head.register_id,
        journal=head.journal,
        sequence=head.last_sequence + 1,
        kind=kind,
        session=session,
        created_at=now,
        occurred_at=occurred_at or now,
        user=user,
        reference=reference[:64],
        period=period,
        total_gross=total_gross,
        vat=plain(vat or {}),
        grand_total_perpetual=grand_totals[0] if grand_totals else None,
        grand_total_perpetual_abs=grand_totals[1] if grand_totals else None,
        payload=plain(payload),
        previous_hash=head.last_hash,
    )
    entry.hash = entry.compute_hash()
    entry.save(force_insert=True)
    head.last_sequence = entry.sequence
    head.last_hash = entry.hash
    head.save(
        update_fields=["last_sequence", "last_hash", "grand_total_perpetual", "grand_total_perpetual_abs"]
    )
    return entry


def _vat_dict(rows: Iterable[tuple[Decimal, Decimal, Decimal, Decimal]]) -> dict[str, dict[str, str]]:
    """{rate: {net, vat, gross}} from (rate, net, vat, gross) rows, summed per rate."""
    acc: dict[str, list[Decimal]] = {}
    for rate, net, vat, gross in rows:
        sums = acc.setdefault(rate_key(rate), [ZERO, ZERO, ZERO])
        sums[0] += net
        sums[1] += vat
        sums[2] += gross
    return {
        k: {"net": amount(v[0]), "vat": amount(v[1]), "gross": amount(v[2])} for k, v in sorted(acc.items())
    }


# --- the sales journal ----------------------------------------------------------------------------


def record_sale_entry(*, sale: PosSale, quote: Quote, tenders: Sequence[SaleTender]) -> JournalEntry:
    """A store sale, in ``record_sale``'s transaction (after its tenders: ``tenders`` are the
    ``SaleTender`` rows it just wrote, in their order, so they are not read back). Its line discounts
    (the cashier's, with their reason) are one technical entry of the same register."""
    session = sale.session
    order = sale.order
    register_id = session.register_id
    discounted = [q for q in quote.lines if q.line_discount]
    heads = lock_heads(register_id, [Journal.SALES, Journal.TECHNICAL] if discounted else [Journal.SALES])
    payload = {
        "number": order.number,
        "register": session.register.code,
        "store": session.register.store.code,
        "session": session.pk,
        "client_uuid": str(sale.client_uuid),
        "offline": sale.was_offline,
        "customer": order.customer_id,
        "lines": [
            {
                "sku": q.sku,
                "name": q.name,
                "quantity": q.quantity,
                "unit_gross": amount(q.unit_gross),
                "vat_rate": rate_key(q.vat_rate),
                "discount": amount(q.discount_gross),
                "total_net": amount(q.total_net),
                "total_vat": amount(q.total_vat),
                "total_gross": amount(q.total_gross),
            }
            for q in quote.lines
        ],
        "tenders": [
            {
                "tender": t.tender,
                "amount": amount(t.amount),
                "change": amount(t.change_given),
                "net": amount(t.amount - t.change_given),
            }
            for t in tenders
        ],
        "total_net": amount(quote.total_net),
        "total_vat": amount(quote.total_vat),
        "total_gross": amount(quote.total_gross),
        "discounts": amount(quote.discount_gross),
    }
    entry = _append(
        head=heads[Journal.SALES],
        kind=EntryKind.SALE,
        user=sale.cashier,
        session=session,
        reference=order.number,
        total_gross=quote.total_gross,
        vat=_vat_dict((q.vat_rate, q.total_net, q.total_vat, q.total_gross) for q in quote.lines),
        occurred_at=sale.sold_at,
        payload=payload,
    )
    if discounted:
        _append(
            head=heads[Journal.TECHNICAL],
            kind=EntryKind.LINE_DISCOUNT,
            user=sale.cashier,
            session=session,
            reference=order.number,
            occurred_at=sale.sold_at,
            payload={
                "number": order.number,
                "lines": [
                    {
                        "sku": q.sku,
                        "unit_gross": amount(q.unit_gross),
                        "quantity": q.quantity,
                        "discount": amount(q.line_discount),
                        "reason": q.discount_reason,
                    }
                    for q in discounted
                ],
            },
        )
    return entry


def record_return_entry(*, ret: Return, session: RegisterSession, user: User) -> JournalEntry:
    """A return (or the return half of an exchange), in its transaction, once its refunds are written:
    the refunded TTC, negative, per VAT rate in the proportion of the returned lines' own net and VAT."""
    from orders.services.placing import SHIPPING_VAT_RATE

    heads = lock_heads(session.register_id, [Journal.SALES])
    rows = []
    lines_payload = []
    for line in ret.lines.select_related("order_line").order_by("id"):
        sold = line.order_line
        gross = line.refund_gross
        net = money_round(gross * sold.total_net / sold.total_gross) if sold.total_gross else gross
        rows.append((sold.vat_rate, -net, -(gross - net), -gross))
        lines_payload.append(
            {
                "sku": sold.sku,
                "name": sold.name,
                "quantity": line.quantity,
                "condition": line.condition,
                "vat_rate": rate_key(sold.vat_rate),
                "refund_gross": amount(gross),
            }
        )
    shipping = ret.total_gross - sum((line.refund_gross for line in ret.lines.all()), ZERO)
    if shipping:  # a whole web order came back: its shipping was refunded too
        net = money_round(shipping / (1 + SHIPPING_VAT_RATE))
        rows.append((SHIPPING_VAT_RATE, -net, -(shipping - net), -shipping))
    refunds = list(ret.refunds.order_by("id").values_list("tender", "amount"))
    return _append(
        head=heads[Journal.SALES],
        kind=EntryKind.RETURN,
        user=user,
        session=session,
        reference=ret.number,
        total_gross=-ret.total_gross,
        vat=_vat_dict(rows),
        payload={
            "number": ret.number,
            "order": ret.order.number,
            "register": session.register.code,
            "session": session.pk,
            "refund_method": ret.refund_method,
            "exchange_order": ret.exchange_order.number if ret.exchange_order is not None else None,
            "lines": lines_payload,
            "shipping": amount(shipping),
            "refunds": [{"tender": t, "amount": amount(a)} for t, a in refunds],
            "total_gross": amount(-ret.total_gross),
        },
    )


# --- the technical journal ------------------------------------------------------------------------


@transaction.atomic
def record_technical_event(*, register: Register, kind: str, user: User | None, detail: dict) -> JournalEntry:
    """One technical event of ``register`` (``EntryKind``: session_open, cash_in, drawer_open...)."""
    if kind not in EntryKind.values or journal_of(kind) != Journal.TECHNICAL:
        raise ValidationFailed(f"{kind!r} is not a technical event.", detail={"kind": kind})
    if not isinstance(detail, dict):
        raise ValidationFailed("The detail of an event is an object.", detail={"kind": kind})
    from ..models import RegisterSession

    session_id = detail.get("session")
    session = (
        RegisterSession.objects.filter(pk=session_id, register_id=register.pk).first()
        if isinstance(session_id, int)
        else None
    )
    head = lock_heads(register.pk, [Journal.TECHNICAL])[Journal.TECHNICAL]
    occurred = detail.get("occurred_at")
    return _append(
        head=head,
        kind=kind,
        user=user,
        session=session,
        reference=str(detail.get("reference", ""))[:64],
        occurred_at=occurred if isinstance(occurred, dt.datetime) else None,
        payload=detail,
    )


def _print_entries(order: Order):
    return JournalEntry.objects.filter(
        journal=Journal.TECHNICAL,
        reference=order.number,
        kind__in=[EntryKind.RECEIPT_PRINT, EntryKind.REPRINT],
    )


@transaction.atomic
def record_receipt_print(*, order: Order, user: User) -> int:
    """A print of a store sale's receipt: the first one is the original (0 is returned), each later
    one a duplicate (its number, 1, 2...). Counted under the register's technical head lock, so two
    prints at once cannot both be the original."""
    register_id = order.pos_sale.session.register_id
    head = lock_heads(register_id, [Journal.TECHNICAL])[Journal.TECHNICAL]
    printed = _print_entries(order).count()
    if printed == 0:
        _append(
            head=head,
            kind=EntryKind.RECEIPT_PRINT,
            user=user,
            reference=order.number,
            payload={"number": order.number, "duplicate": 0},
        )
        return 0
    return _reprint(head=head, order=order, user=user, number=printed)


@transaction.atomic
def record_reprint(*, order: Order, user: User) -> int:
    """A duplicate of a store sale's receipt: how many duplicates so far, this one included."""
    register_id = order.pos_sale.session.register_id
    head = lock_heads(register_id, [Journal.TECHNICAL])[Journal.TECHNICAL]
    duplicates = _print_entries(order).filter(kind=EntryKind.REPRINT).count() + 1
    return _reprint(head=head, order=order, user=user, number=duplicates)


def _reprint(*, head: JournalHead, order: Order, user: User, number: int) -> int:
    _append(
        head=head,
        kind=EntryKind.REPRINT,
        user=user,
        reference=order.number,
        payload={"number": order.number, "duplicate": number},
    )
    return number


@transaction.atomic
def record_offline_sync(*, user: User, numbers: list[str]) -> list[JournalEntry]:
    """One technical entry per register for a sync batch of offline sales (``numbers``: the sales the
    batch recorded, in the order the server received them)."""
    from ..models import PosSale

    sales = list(
        PosSale.objects.filter(order__number__in=numbers).values_list(
            "order__number", "session__register_id", "sold_at"
        )
    )
    if not sales:
        return []
    position = {number: i for i, number in enumerate(numbers)}
    per_register: dict[int, list[tuple[str, dt.datetime]]] = {}
    for number, register_id, sold_at in sorted(sales, key=lambda s: position[s[0]]):
        per_register.setdefault(register_id, []).append((number, sold_at))
    entries = []
    for register_id in sorted(per_register):
        head = lock_heads(register_id, [Journal.TECHNICAL])[Journal.TECHNICAL]
        batch = per_register[register_id]
        entries.append(
            _append(
                head=head,
                kind=EntryKind.OFFLINE_SYNC,
                user=user,
                payload={
                    "count": len(batch),
                    "sales": [n for n, _ in batch],
                    "sold_from": min(s for _, s in batch),
                    "sold_to": max(s for _, s in batch),
                },
            )
        )
    return entries


# --- the closings journal (the Z; monthly and yearly closings: pos.services.closings) ------------


@dataclass
class Totals:
    """What a closing adds up from the sales chain."""

    sales_count: int = 0
    returns_count: int = 0
    sales_total: Decimal = ZERO
    returns_total: Decimal = ZERO
    vat: dict[str, list[Decimal]] = field(default_factory=dict)
    tenders: dict[str, Decimal] = field(default_factory=dict)
    first_sequence: int | None = None
    last_sequence: int | None = None
    grand_total_perpetual: Decimal = ZERO
    grand_total_perpetual_abs: Decimal = ZERO

    @property
    def net_total(self) -> Decimal:
        return self.sales_total - self.returns_total

    def add(self, kind: str, sequence: int, total: Decimal, vat: dict, payload: dict, gt, gt_abs) -> None:
        if kind == EntryKind.SALE:
            self.sales_count += 1
            self.sales_total += total
            for tender in payload.get("tenders", []):
                key = tender["tender"]
                self.tenders[key] = self.tenders.get(key, ZERO) + Decimal(tender["net"])
        else:
            self.returns_count += 1
            self.returns_total -= total
            for refund in payload.get("refunds", []):
                key = refund["tender"]
                self.tenders[key] = self.tenders.get(key, ZERO) - Decimal(refund["amount"])
        for rate, sums in vat.items():
            acc = self.vat.setdefault(rate, [ZERO, ZERO, ZERO])
            acc[0] += Decimal(sums["net"])
            acc[1] += Decimal(sums["vat"])
            acc[2] += Decimal(sums["gross"])
        if self.first_sequence is None:
            self.first_sequence = sequence
        self.last_sequence = sequence
        self.grand_total_perpetual = gt
        self.grand_total_perpetual_abs = gt_abs

    def vat_dict(self) -> dict[str, dict[str, str]]:
        return {
            rate: {"net": amount(v[0]), "vat": amount(v[1]), "gross": amount(v[2])}
            for rate, v in sorted(self.vat.items())
        }

    def payload(self) -> dict[str, Any]:
        return {
            "sales_count": self.sales_count,
            "returns_count": self.returns_count,
            "sales_total": amount(self.sales_total),
            "returns_total": amount(self.returns_total),
            "net_total": amount(self.net_total),
            "vat": self.vat_dict(),
            "tenders": {k: amount(v) for k, v in sorted(self.tenders.items())},
            "first_sequence": self.first_sequence,
            "last_sequence": self.last_sequence,
            "grand_total_perpetual": amount(self.grand_total_perpetual),
            "grand_total_perpetual_abs": amount(self.grand_total_perpetual_abs),
        }


def totals_of(entries, *, start: tuple[Decimal, Decimal] = (ZERO, ZERO)) -> Totals:
    """Add up sales-chain entries (a queryset, streamed); ``start``: the grand totals before them."""
    totals = Totals(grand_total_perpetual=start[0], grand_total_perpetual_abs=start[1])
    rows = (
        entries.filter(journal=Journal.SALES, kind__in=GRAND_TOTAL_KINDS)
        .order_by("sequence")
        .values_list(
            "kind",
            "sequence",
            "total_gross",
            "vat",
            "payload",
            "grand_total_perpetual",
            "grand_total_perpetual_abs",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        totals.add(*row)
    return totals


def record_closing(*, session: RegisterSession, user: User) -> JournalEntry:
    """The Z of a session being closed (``close_register_session``'s transaction): a technical
    session_close entry, and a Z closing computed from the session's sales-chain entries."""
    register_id = session.register_id
    heads = lock_heads(register_id, [Journal.SALES, Journal.TECHNICAL, Journal.CLOSINGS])
    sales_head = heads[Journal.SALES]
    totals = totals_of(JournalEntry.objects.filter(register_id=register_id, session=session))
    totals.grand_total_perpetual = sales_head.grand_total_perpetual
    totals.grand_total_perpetual_abs = sales_head.grand_total_perpetual_abs
    _append(
        head=heads[Journal.TECHNICAL],
        kind=EntryKind.SESSION_CLOSE,
        user=user,
        session=session,
        payload={
            "session": session.pk,
            "expected": session.expected,
            "counted": session.counted,
            "difference": optional_amount(session.difference),
        },
    )
    return _append(
        head=heads[Journal.CLOSINGS],
        kind=EntryKind.Z,
        user=user,
        session=session,
        period=f"session-{session.pk}",
        total_gross=totals.net_total,
        vat=totals.vat_dict(),
        grand_totals=(totals.grand_total_perpetual, totals.grand_total_perpetual_abs),
        payload={
            "register": session.register.code,
            "session": session.pk,
            "opened_at": session.opened_at,
            "closed_at": session.closed_at,
            **totals.payload(),
        },
    )


def z_closing(session: RegisterSession) -> JournalEntry | None:
    """The Z closing entry of a closed session (for the Z report's journal block)."""
    return JournalEntry.objects.filter(
        register_id=session.register_id, kind=EntryKind.Z, period=f"session-{session.pk}"
    ).first()


def append_period_closing(
    *, register_id: int, kind: str, period: str, totals: Totals, payload: dict[str, Any]
) -> JournalEntry:
    """A monthly or yearly closing (``pos.services.closings``, in its transaction)."""
    head = lock_heads(register_id, [Journal.CLOSINGS])[Journal.CLOSINGS]
    return _append(
        head=head,
        kind=kind,
        user=None,
        period=period,
        total_gross=totals.net_total,
        vat=totals.vat_dict(),
        grand_totals=(totals.grand_total_perpetual, totals.grand_total_perpetual_abs),
        payload={**payload, **totals.payload()},
    )


# --- verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    register: str
    journal: str
    sequence: int
    problem: str

    def __str__(self) -> str:
        return f"register {self.register}, {self.journal} journal, entry #{self.sequence}: {self.problem}"


@dataclass
class Verification:
    chains: int = 0
    entries: int = 0
    broken: Break | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_chains(*, register_code: str | None = None) -> Verification:
    """Walk every chain (or one register's): sequence continuity from 1, each previous hash, each
    recomputed hash, the sales chain's grand totals recomputed, and the head at the last entry.
    Stops at the first broken entry. Streams the entries (``.iterator()``)."""
    from ..models import Register

    result = Verification()
    registers = Register.objects.order_by("code")
    if register_code:
        registers = registers.filter(code=register_code)
    heads = {(h.register_id, h.journal): h for h in JournalHead.objects.all()}
    for register in registers:
        for journal in JOURNAL_ORDER:
            head = heads.get((register.pk, journal))
            entries = JournalEntry.objects.filter(register=register, journal=journal).order_by("sequence")
            if head is None and not entries.exists():
                continue
            result.chains += 1
            broken = _verify_chain(register, journal, entries, head, result)
            if broken is not None:
                result.broken = broken
                return result
    return result


def _verify_chain(
    register, journal: str, entries, head: JournalHead | None, result: Verification
) -> Break | None:
    def broken(sequence: int, problem: str) -> Break:
        return Break(register=register.code, journal=journal, sequence=sequence, problem=problem)

    expected_sequence, previous, gt, gt_abs = 1, GENESIS_HASH, ZERO, ZERO
    for entry in entries.iterator(chunk_size=2000):
        result.entries += 1
        if entry.sequence != expected_sequence:
            return broken(entry.sequence, f"sequence {entry.sequence} where {expected_sequence} was expected")
        if entry.previous_hash != previous:
            return broken(entry.sequence, "its previous hash is not the hash of the entry before it")
        if entry.compute_hash() != entry.hash:
            return broken(
                entry.sequence, "its content does not match its hash (changed after it was written)"
            )
        if entry.kind in GRAND_TOTAL_KINDS:
            gt += entry.total_gross
            gt_abs += abs(entry.total_gross)
            if entry.grand_total_perpetual != gt or entry.grand_total_perpetual_abs != gt_abs:
                return broken(
                    entry.sequence,
                    f"grand totals {entry.grand_total_perpetual} / "
                    f"{entry.grand_total_perpetual_abs} where {amount(gt)} / {amount(gt_abs)} add up",
                )
        expected_sequence += 1
        previous = entry.hash
    last = expected_sequence - 1
    if head is None or head.last_sequence != last or head.last_hash != previous:
        said = head.last_sequence if head else 0
        if said > last:
            return broken(last + 1, f"missing: the chain head says #{said}, the chain ends at #{last}")
        return broken(last, f"the chain head (#{said}) does not match the last entry")
    return None


def entry_fields(entry: JournalEntry) -> dict[str, Any]:
    """The hashed fields of an entry plus its hash (the archive's JSON)."""
    return {**entry.canonical(), "hash": entry.hash}


def hash_of_fields(fields: dict[str, Any]) -> str:
    """The hash of an entry given as ``entry_fields`` (without its ``hash`` key)."""
    return entry_hash({k: v for k, v in fields.items() if k != "hash"})


__all__ = [
    "record_closing",
    "record_offline_sync",
    "record_receipt_print",
    "record_reprint",
    "record_return_entry",
    "record_sale_entry",
    "record_technical_event",
    "verify_chains",
]
