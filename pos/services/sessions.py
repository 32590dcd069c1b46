"""Register sessions: open with a counted float, cash in and out, close with a cash count (Z report).

Every amount that enters or leaves a drawer is a ``CashMovement`` row (append-only); a session's
expected amount per tender is the sum of its movements (``pos.selectors.expected_by_tender``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.money import money_round

from .. import selectors
from ..errors import (
    InvalidAmount,
    InvalidCashCount,
    NotEnoughCash,
    RegisterInactive,
    SessionAlreadyOpen,
    SessionNotOpen,
)
from ..models import CashMovement, CashMovementKind, Register, RegisterSession, SessionStatus, Tender
from ..permissions import ensure_can_use_store
from ..selectors import DENOMINATIONS, ZReport
from . import journal

if TYPE_CHECKING:
    from accounts.models import User

ZERO = Decimal("0.00")


def clean_amount(value, *, allow_zero: bool = False, field: str = "amount") -> Decimal:
    """A positive amount of money with at most 2 decimals, or InvalidAmount."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidAmount(detail={field: str(value)}) from None
    if (
        not amount.is_finite()
        or amount != money_round(amount)
        or amount < 0
        or (amount == 0 and not allow_zero)
    ):
        raise InvalidAmount(detail={field: str(value)})
    return money_round(amount)


@transaction.atomic
def open_register_session(*, register: Register, user: User, opening_float) -> RegisterSession:
    """Open a session on ``register`` with the counted float (an ``opening_float`` cash movement).

    One open session per register (a database constraint): a second open is ``SessionAlreadyOpen``.
    """
    ensure_can_use_store(user, register.store)
    if not register.is_active:
        raise RegisterInactive(detail={"register": register.code})
    amount = clean_amount(opening_float, allow_zero=True, field="opening_float")
    try:
        with transaction.atomic():
            session = RegisterSession.objects.create(register=register, opened_by=user, opening_float=amount)
    except IntegrityError:
        raise SessionAlreadyOpen(
            f"Register {register.name} already has an open session: close it first.",
            detail={"register": register.code},
        ) from None
    CashMovement.objects.create(
        session=session, kind=CashMovementKind.OPENING_FLOAT, tender=Tender.CASH, amount=amount, user=user
    )
    journal.record_technical_event(
        register=register,
        kind="session_open",
        user=user,
        detail={"session": session.pk, "opening_float": amount},
    )
    return session


@transaction.atomic
def cash_in_out(*, session: RegisterSession, user: User, amount, kind: str, reason: str) -> CashMovement:
    """Cash put into (``cash_in``) or taken out of (``cash_out``) the drawer, with a reason."""
    if kind not in (CashMovementKind.CASH_IN, CashMovementKind.CASH_OUT):
        raise InvalidAmount("The kind must be cash_in or cash_out.", detail={"kind": kind})
    value = clean_amount(amount)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidAmount("Say why the cash moves.", detail={"reason": ""})
    session = _lock_open(session, user)
    if kind == CashMovementKind.CASH_OUT:
        in_drawer = selectors.expected_by_tender(session)[Tender.CASH]
        if value > in_drawer:
            raise NotEnoughCash(
                f"The drawer should hold {in_drawer} EUR; {value} EUR cannot be taken out.",
                detail={"in_drawer": str(in_drawer), "amount": str(value)},
            )
        value = -value
    movement = CashMovement.objects.create(
        session=session, kind=kind, tender=Tender.CASH, amount=value, reference=reason[:120], user=user
    )
    journal.record_technical_event(
        register=session.register,
        kind=kind,
        user=user,
        detail={"session": session.pk, "amount": value, "reason": reason},
    )
    return movement


def counted_cash(counts: dict) -> tuple[dict[str, int], Decimal]:
    """Normalise ``{"20": 3, "0.5": 4}`` to ``{"20.00": 3, "0.50": 4}`` and add it up."""
    if not isinstance(counts, dict):
        raise InvalidCashCount("Give the count as {denomination: number of notes or coins}.")
    clean: dict[str, int] = {}
    total = ZERO
    for key, number in counts.items():
        try:
            denomination = Decimal(str(key)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise InvalidCashCount(
                f"{key} is not a denomination.", detail={"denomination": str(key)}
            ) from None
        if denomination not in DENOMINATIONS:
            raise InvalidCashCount(f"{key} is not a euro note or coin.", detail={"denomination": str(key)})
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise InvalidCashCount(
                f"The number of {key} must be a whole number, zero or more.",
                detail={"denomination": str(key)},
            )
        clean[str(denomination)] = clean.get(str(denomination), 0) + number
        total += denomination * number
    return clean, total


@transaction.atomic
def close_register_session(
    *, session: RegisterSession, user: User, counts: dict[str, int], card_total=None
) -> ZReport:
    """Close with the cash counted per denomination (and the card terminal's total, if given).

    Expected per tender = the sum of the session's movements; counted cash = the count; card = the
    terminal's total or, without one, the expected card amount; other tenders are taken as expected.
    A closed session cannot be closed again (``SessionNotOpen``).
    """
    clean, cash = counted_cash(counts)
    card = None if card_total is None else clean_amount(card_total, allow_zero=True, field="card_total")
    session = _lock_open(session, user)
    expected = selectors.expected_by_tender(session)
    counted = dict(expected)
    counted[Tender.CASH] = cash
    if card is not None:
        expected.setdefault(Tender.CARD, ZERO)
        counted[Tender.CARD] = card
    session.status = SessionStatus.CLOSED
    session.closed_by = user
    session.closed_at = timezone.now()
    session.counted_cash = clean
    session.expected = {k: str(v) for k, v in expected.items()}
    session.counted = {k: str(v) for k, v in counted.items()}
    session.difference = sum((counted[k] - expected[k] for k in expected), ZERO)
    session.save(
        update_fields=[
            "status",
            "closed_by",
            "closed_at",
            "counted_cash",
            "expected",
            "counted",
            "difference",
        ]
    )
    journal.record_closing(session=session, user=user)  # the Z, chained in the till's journal
    return selectors.z_report(session)


def _lock_open(session: RegisterSession, user: User) -> RegisterSession:
    # Lock the session row only, as NO KEY UPDATE: sales in flight insert rows that reference it.
    locked = (
        RegisterSession.objects.select_for_update(of=("self",), no_key=True)
        .select_related("register__store")
        .get(pk=session.pk)
    )
    ensure_can_use_store(user, locked.register.store)
    if locked.status != SessionStatus.OPEN:
        raise SessionNotOpen(
            f"Session {locked.pk} of {locked.register.name} is closed.",
            detail={"session": locked.pk, "status": locked.status},
        )
    return locked
