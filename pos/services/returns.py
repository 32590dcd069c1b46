"""Returns and exchanges at the register, store credit.

``create_return`` takes back units of one order: a store sale (returned at the store that sold it)
or a completed web order (returned at any store). In one transaction:

1. The order row is locked (``select_for_update``), then "sold minus cancelled minus already
   returned" is read from the order lines (``OrderLine.quantity_returned``, the one count of units
   that came back, by post or at a till: ``orders.services.record_returned_lines`` adds this return
   to it): two registers returning the last unit at the same moment queue on that lock and the
   second one sees the first's count, so it is refused (``ReturnExceedsSold``).
2. Resellable units go back to the returning store's stock (one ``inventory.services.return_many``
   batch: a ledger row per line, reason ``return``, reference the return number); damaged units become a
   ``DamagedGoods`` row and no stock.
3. The money goes back (``ReturnRefund`` rows):

   - ``original`` for a store sale: to the sale's tenders, card and mobile first, then store credit,
     then cash, never more per tender than it paid minus what earlier returns gave back to it.
     Cash, card and mobile each write a ``CashMovement`` (kind refund, negative) in the open
     register session; card and mobile keep the terminal's refund reference.
   - ``original`` for a web order paid online: ``orders.services.refund_order_part`` refunds the
     returned units to the payment, in part (the provider is asked after commit), with the shipping
     when the return takes back the whole order at once. A web order with no captured payment is
     refunded in cash from the register (a ``CashMovement``) and the result says so.
   - ``store_credit``: a new ``StoreCredit`` of the amount, for the order's customer.
4. When every unit of the order has come back, the order becomes refunded.

Rounding (the one place for return money): an order line's refund for ``q`` more units is
``round(total * (before + q) / sold) - round(total * before / sold)``, so the refunds of a line's
units add up to exactly what the line cost, whatever the order in which they come back. Amounts are
the order lines' TTC euro amounts.
"""

from __future__ import annotations

import secrets
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.money import money_round
from core.numbering import next_number
from inventory import services as inventory
from inventory.services import LotInput
from orders.models import Channel, Order, OrderLine, OrderStatus
from orders.proof import split_barcode_value, verify_sale_proof
from orders.services import LineQuantity, line_refund_amount, refund_order_part, transition_order
from orders.services import record_returned_lines as record_returned_lines
from orders.services.store import record_store_return

from ..errors import (
    ExchangeTenderTooLarge,
    InvalidReturn,
    NotEnoughCash,
    NotOnOrder,
    NotReturnable,
    ReturnExceedsSold,
    SaleNotFound,
    SaleProofRequired,
    SessionNotOpen,
    StoreCreditInsufficient,
    StoreCreditNotFound,
)
from ..models import (
    CashMovement,
    CashMovementKind,
    DamagedGoods,
    RefundMethod,
    RefundTender,
    RegisterSession,
    Return,
    ReturnCondition,
    ReturnLine,
    ReturnRefund,
    SaleTender,
    SessionStatus,
    StoreCredit,
    StoreCreditMovement,
    Tender,
)
from . import journal

if TYPE_CHECKING:
    from accounts.models import User
    from inventory.models import Location

ZERO = Decimal("0.00")
# Which tenders of a store sale get the money back first.
REFUND_PRIORITY = [Tender.CARD, Tender.MOBILE, Tender.STORE_CREDIT, Tender.CASH]
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a till


# --- errors ---------------------------------------------------------------------------------------


RegisterNotOpen = SessionNotOpen  # code register_closed, as for sales


# --- inputs and results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnLineInput:
    sku: str
    quantity: int
    condition: str = ReturnCondition.RESELLABLE


@dataclass
class ReturnResult:
    ret: Return
    lines: list[ReturnLine]
    refunds: list[ReturnRefund]
    store_credit: StoreCredit | None = None
    notes: list[str] = field(default_factory=list)


# --- permissions and look-ups ---------------------------------------------------------------------


def may_use_register_at(user: User | None, store: Location) -> bool:
    from ..permissions import can_use_store

    return can_use_store(user, store.pk)


def ensure_open_session(*, session: RegisterSession, user: User) -> RegisterSession:
    """The session, locked and checked: open, and of a register of a store the user works at."""
    locked = (
        RegisterSession.objects.select_for_update(of=("self",), no_key=True)
        .select_related("register__store")
        .filter(pk=session.pk)
        .first()
    )
    if locked is None or not may_use_register_at(user, locked.register.store):
        raise NotFound(_("No such register session."), detail={"session": session.pk})
    if locked.status != SessionStatus.OPEN:
        raise RegisterNotOpen(
            _("Register session %(id)s is closed: open a session first.") % {"id": locked.pk},
            detail={"session": locked.pk},
        )
    return locked


def normalize_sale_number(value: str) -> str:
    """What a cashier typed or the scanner read on the receipt barcode (the sale number)."""
    return "".join(str(value or "").split()).upper()


def find_returnable_order(*, number: str, store: Location, contact: str = "") -> Order:
    """A store sale of ``store`` by number, or a web order by number and a proof the customer holds
    (``orders.proof``): the check code of its confirmation barcode (``number`` as scanned,
    ``W2026-000012.ABCD2345``) or ``contact``, its e-mail or phone.

    Without a proof, anything but this store's sale is ``SaleProofRequired`` (400, whether the number
    exists or not); with a wrong proof, ``SaleNotFound`` (404), as for a number that does not exist."""
    number, check = split_barcode_value(normalize_sale_number(number))
    order = (
        Order.objects.filter(number=number).select_related("location", "customer").first() if number else None
    )
    if order is not None and order.channel == Channel.STORE and order.location_id == store.pk:
        return order
    if not (check or (contact or "").strip()):
        raise SaleProofRequired(detail={"sale": number or "-"})
    if (
        order is None
        or order.channel == Channel.STORE
        or not verify_sale_proof(order=order, check=check, contact=contact)
    ):
        raise SaleNotFound(
            _("No sale or order %(number)s can be returned at this store.") % {"number": number or "-"},
            detail={"sale": number},
        )
    return order


def customer_label(order: Order) -> str | None:
    """Who bought it, as a return needs it: "Anna M." (no e-mail, phone or address)."""
    customer = order.customer
    if customer is None:
        return None
    first, last = customer.first_name.strip(), customer.last_name.strip()
    if first or last:
        return f"{first} {last[:1]}.".strip() if last else first
    local = customer.email.split("@", 1)[0]
    return f"{local[:1]}***"


def returned_quantities(order: Order) -> dict[int, int]:
    """{order line id: units already returned}, by post or at a till (``OrderLine.quantity_returned``)."""
    return dict(order.lines.filter(quantity_returned__gt=0).values_list("id", "quantity_returned"))


def returnable_lines(order: Order) -> list[dict]:
    """What can still come back: [{sku, name, sold, returned, returnable, unit_refund}] (1 query).
    Units cancelled before shipping never left, so they cannot come back."""
    rows = []
    for line in order.lines.all():
        rows.append(
            {
                "line_id": line.pk,
                "sku": line.sku,
                "name": line.name,
                "sold": line.quantity - line.quantity_cancelled,
                "returned": line.quantity_returned,
                "returnable": line.quantity - line.quantity_cancelled - line.quantity_returned,
                "total_gross": line.total_gross,
            }
        )
    return rows


# --- the operations -------------------------------------------------------------------------------


@transaction.atomic
def create_return(
    *,
    session: RegisterSession,
    user: User,
    sale_number: str,
    lines: list[ReturnLineInput],
    refund: str = RefundMethod.ORIGINAL,
    refund_reference: str = "",
    contact: str = "",
) -> ReturnResult:
    """Take units of a sale or web order back at a register; see the module docstring."""
    if refund not in (RefundMethod.ORIGINAL, RefundMethod.STORE_CREDIT):
        raise InvalidReturn(_("Refund to the original tender or as store credit."), detail={"refund": refund})
    session = ensure_open_session(session=session, user=user)
    result, restock = _take_back(
        session=session, user=user, sale_number=sale_number, lines=lines, method=refund, contact=contact
    )
    ret = result.ret
    inventory.return_many(lines=restock, location=ret.location, reference=ret.number, user=user)
    if refund == RefundMethod.STORE_CREDIT and ret.total_gross > 0:
        credit = issue_store_credit(
            amount=ret.total_gross, customer=ret.order.customer, user=user, source_return=ret
        )
        result.store_credit = credit
        result.refunds.append(
            ReturnRefund.objects.create(
                ret=ret,
                tender=RefundTender.STORE_CREDIT,
                amount=credit.initial_amount,
                reference=credit.code,
                store_credit=credit,
            )
        )
    else:
        _refund_original(result, session=session, user=user, reference=refund_reference)
    _complete_if_all_returned(ret.order, user=user)
    journal.record_return_entry(ret=ret, session=session, user=user)  # the till's chained journal
    return result


def _take_back(
    *,
    session: RegisterSession,
    user: User,
    sale_number: str,
    lines: list[ReturnLineInput],
    method: str,
    contact: str = "",
) -> tuple[ReturnResult, list[inventory.StockLine]]:
    """Steps 1 and 2 of the module docstring: the Return and its lines, and the resellable units for
    the caller to put back on the shelf (one stock batch, after its other locks). No money yet."""
    store = session.register.store
    order = find_returnable_order(number=sale_number, store=store, contact=contact)
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)  # serialises returns of it
    if order.status != OrderStatus.COMPLETED:
        raise NotReturnable(
            _("Order %(number)s is %(status)s: only completed sales and orders can be returned.")
            % {"number": order.number, "status": order.get_status_display().lower()},
            detail={"sale": order.number, "status": order.status},
        )
    if not lines:
        raise InvalidReturn(_("Choose at least one item to return."), detail={"lines": []})
    order_lines = list(order.lines.select_related("variant__product").order_by("id"))
    returned = returned_quantities(order)
    planned: list[tuple[OrderLine, int, str]] = []
    taken: dict[int, int] = defaultdict(int)
    for item in lines:
        _check_line_input(item)
        matching = [line for line in order_lines if line.sku == item.sku]
        if not matching:
            raise NotOnOrder(
                _("%(sku)s is not on %(number)s.") % {"sku": item.sku, "number": order.number},
                detail={"sku": item.sku, "sale": order.number},
            )
        sold = sum(line.quantity - line.quantity_cancelled for line in matching)
        back = sum(returned.get(line.pk, 0) for line in matching)
        returnable = sold - back - sum(taken[line.pk] for line in matching)
        if item.quantity > returnable:
            raise ReturnExceedsSold(
                _("%(sku)s: %(sold)s sold, %(returned)s already returned; %(asked)s cannot come back.")
                % {"sku": item.sku, "sold": sold, "returned": back, "asked": item.quantity},
                detail={
                    "sku": item.sku,
                    "sold": sold,
                    "returned": back,
                    "requested": item.quantity,
                    "returnable": returnable,
                },
            )
        remaining = item.quantity
        for line in matching:
            share = min(
                line.quantity - line.quantity_cancelled - returned.get(line.pk, 0) - taken[line.pk], remaining
            )
            if share > 0:
                planned.append((line, share, item.condition))
                taken[line.pk] += share
                remaining -= share
    year = timezone.localdate().year
    ret = Return.objects.create(
        number=f"R{year}-{next_number(f'return-R-{year}'):06d}",
        order=order,
        location=store,
        session=session,
        user=user,
        refund_method=method,
        total_gross=ZERO,
    )
    created: list[ReturnLine] = []
    restock: list[inventory.StockLine] = []
    done: dict[OrderLine, int] = defaultdict(int)
    for line, quantity, condition in planned:
        before = returned.get(line.pk, 0) + done[line]
        refund = _line_refund(line, before=before, quantity=quantity)
        done[line] += quantity
        return_line = ReturnLine.objects.create(
            ret=ret, order_line=line, quantity=quantity, condition=condition, refund_gross=refund
        )
        return_line.order_line = line
        created.append(return_line)
        if condition == ReturnCondition.RESELLABLE:
            lot = _lot_of(line) if line.variant.product.tracks_lots else None
            restock.append(inventory.StockLine(line.variant, quantity, lot))
        else:
            DamagedGoods.objects.create(
                return_line=return_line,
                location=store,
                variant=line.variant,
                quantity=quantity,
                note=f"{ret.number} / {order.number}",
                recorded_by=user,
            )
    ret.total_gross = sum((line.refund_gross for line in created), ZERO)
    ret.save(update_fields=["total_gross"])
    record_returned_lines(
        order=order,
        lines=[LineQuantity(line.pk, quantity) for line, quantity in done.items()],
        reference=ret.number,
        user=user,
    )
    record_store_return(order=order, return_id=ret.pk, location=store, user=user)
    return ReturnResult(ret=ret, lines=created, refunds=[]), restock


def _check_line_input(item: ReturnLineInput) -> None:
    quantity = item.quantity
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise InvalidReturn(
            _("Every line needs a quantity of at least 1."), detail={"sku": item.sku, "quantity": quantity}
        )
    if item.condition not in ReturnCondition.values:
        raise InvalidReturn(
            _("The condition is resellable or damaged."),
            detail={"sku": item.sku, "condition": item.condition},
        )


def _line_refund(line: OrderLine, *, before: int, quantity: int) -> Decimal:
    """The rounding rule of the module docstring (``orders.services.line_refund_amount``)."""
    return line_refund_amount(line, before=before, quantity=quantity)


def _lot_of(line: OrderLine) -> LotInput | None:
    """The batch a lot-tracked unit left from (the sale's ledger row), so it goes back to it."""
    from inventory.selectors import lot_taken_by

    taken = lot_taken_by(variant_id=line.variant_id, reference=line.order.number)
    if taken is None:
        return LotInput(batch=f"RETURN-{line.order.number}")
    return LotInput(batch=taken[0], expiry_date=taken[1])


def _refund_original(
    result: ReturnResult,
    *,
    session: RegisterSession,
    user: User,
    reference: str,
    amount: Decimal | None = None,
) -> None:
    """Give ``amount`` (default: the whole return) back to the order's own tenders."""
    ret = result.ret
    order = ret.order
    remaining = ret.total_gross if amount is None else amount
    if remaining <= 0:
        return
    if order.channel == Channel.WEB:
        _refund_web_order(result, session=session, user=user, amount=remaining, whole_allowed=amount is None)
        return
    paid = _tender_room(order)
    for tender in REFUND_PRIORITY:
        amount = min(remaining, paid.get(tender, ZERO))
        if amount <= 0:
            continue
        remaining -= amount
        if tender == Tender.STORE_CREDIT:
            credit = issue_store_credit(amount=amount, customer=order.customer, user=user, source_return=ret)
            result.store_credit = credit
            result.refunds.append(
                ReturnRefund.objects.create(
                    ret=ret, tender=tender, amount=amount, reference=credit.code, store_credit=credit
                )
            )
        else:
            result.refunds.append(
                _register_refund(
                    ret, session=session, user=user, tender=tender, amount=amount, reference=reference
                )
            )
    if remaining > 0:  # a sale without tender rows (imported): the drawer pays
        result.refunds.append(
            _register_refund(
                ret, session=session, user=user, tender=Tender.CASH, amount=remaining, reference=""
            )
        )


def _tender_room(order: Order) -> dict[str, Decimal]:
    """Per tender of a store sale: what it paid (less change) minus what earlier returns gave back."""
    room: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for tender, amount, change in SaleTender.objects.filter(order=order).values_list(
        "tender", "amount", "change_given"
    ):
        room[tender] += amount - change
    refunded = (
        ReturnRefund.objects.filter(ret__order=order)
        .values("tender")
        .annotate(total=Sum("amount"))
        .values_list("tender", "total")
    )
    for tender, total in refunded:
        if tender in room:
            room[tender] -= total
    return room


def _register_refund(
    ret: Return, *, session: RegisterSession, user: User, tender: str, amount: Decimal, reference: str
) -> ReturnRefund:
    reference = (reference or "").strip()[:80] if tender != Tender.CASH else ""
    if tender == Tender.CASH:
        from .. import selectors

        in_drawer = selectors.expected_by_tender(session)[Tender.CASH]
        if amount > in_drawer:
            raise NotEnoughCash(
                _("The drawer should hold %(in_drawer)s EUR: %(amount)s EUR cannot be refunded in cash.")
                % {"in_drawer": in_drawer, "amount": amount},
                detail={"in_drawer": str(in_drawer), "amount": str(amount)},
            )
    movement = CashMovement.objects.create(
        session=session,
        kind=CashMovementKind.REFUND,
        tender=tender,
        amount=-amount,
        reference=f"{ret.number} {reference}".strip()[:120],
        user=user,
    )
    return ReturnRefund.objects.create(
        ret=ret, tender=tender, amount=amount, reference=reference, cash_movement=movement
    )


def _refund_web_order(
    result: ReturnResult, *, session: RegisterSession, user: User, amount: Decimal, whole_allowed: bool
) -> None:
    """A web order paid online: the returned units go back to the payment (a partial refund, after
    commit), with the shipping when the whole order comes back at once. Without a captured payment
    the drawer pays. ``amount`` below the return's value (an exchange used part of it) is refunded
    as the units' share first, the rest as a free amount, so the online refund equals ``amount``."""
    from payments.models import Payment, PaymentStatus

    ret = result.ret
    order = ret.order
    captured = Payment.objects.filter(order=order, status=PaymentStatus.CAPTURED).exists()
    if not captured:
        result.notes.append(
            _("No online payment to refund: %(amount)s EUR refunded in cash.") % {"amount": amount}
        )
        result.refunds.append(
            _register_refund(ret, session=session, user=user, tender=Tender.CASH, amount=amount, reference="")
        )
        return
    lines = [LineQuantity(line.order_line_id, line.quantity) for line in result.lines]
    whole = (
        whole_allowed
        and not ReturnLine.objects.filter(order_line__order=order).exclude(ret=ret).exists()
        and sum(line.quantity for line in result.lines) == sum(order.lines.values_list("quantity", flat=True))
    )
    if whole_allowed:
        action = refund_order_part(
            order=order,
            lines=lines,
            shipping=whole and order.shipping_gross > order.shipping_refunded,
            reason=f"return {ret.number}",
            user=user,
            key=f"pos-return-{ret.pk}",
            via="original",
            external_reference=ret.number,
        )
    else:  # the rest of an exchange: an amount, not units (the units paid for the new sale)
        action = refund_order_part(
            order=order,
            amount=amount,
            reason=f"return {ret.number} (exchange balance)",
            user=user,
            key=f"pos-return-{ret.pk}",
            via="original",
            external_reference=ret.number,
        )
    if action.amount != ret.total_gross and whole_allowed:
        ret.total_gross = action.amount  # the shipping, when the whole order came back
        ret.save(update_fields=["total_gross"])
    result.refunds.append(
        ReturnRefund.objects.create(
            ret=ret,
            tender=RefundTender.ONLINE,
            amount=action.amount,
            reference=str(action.refund_ids[0]) if action.refund_ids else "",
        )
    )


def _complete_if_all_returned(order: Order, *, user: User) -> None:
    """Every unit back: the order is refunded (unless the online refund of the last units already
    made it so)."""
    status = Order.objects.values_list("status", flat=True).get(pk=order.pk)
    if status == OrderStatus.REFUNDED:
        return
    counts = order.lines.values_list("quantity", "quantity_cancelled", "quantity_returned")
    if all(returned >= quantity - cancelled for quantity, cancelled, returned in counts):
        transition_order(order=order, to_status=OrderStatus.REFUNDED, user=user, note="returned")


# --- store credit ---------------------------------------------------------------------------------


def _new_credit_code() -> str:
    body = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"SC-{body[:4]}-{body[4:8]}-{body[8:]}"


@transaction.atomic
def issue_store_credit(
    *, amount: Decimal, user: User, customer: User | None = None, source_return: Return | None = None
) -> StoreCredit:
    amount = money_round(Decimal(amount))
    if amount <= 0:
        raise ValidationFailed(
            _("A store credit must be worth more than nothing."), detail={"amount": str(amount)}
        )
    credit = StoreCredit.objects.create(
        code=_new_credit_code(),
        customer=customer,
        initial_amount=amount,
        balance=amount,
        issued_by=user,
        source_return=source_return,
    )
    StoreCreditMovement.objects.create(
        credit=credit, amount=amount, reference=source_return.number if source_return else "", user=user
    )
    return credit


@transaction.atomic
def redeem_store_credit(*, code: str, amount: Decimal, reference: str, user: User) -> StoreCredit:
    """Spend ``amount`` of a store credit (a sale paid with it): one conditional UPDATE, one ledger row."""
    amount = money_round(Decimal(amount))
    code = (code or "").strip().upper()
    if amount <= 0:
        raise ValidationFailed(
            _("Spend more than nothing from a store credit."), detail={"amount": str(amount)}
        )
    credit = StoreCredit.objects.filter(code=code).first() if code else None
    if credit is None:
        raise StoreCreditNotFound(
            _("No store credit %(code)s.") % {"code": code or "-"}, detail={"code": code}
        )
    updated = StoreCredit.objects.filter(pk=credit.pk, balance__gte=amount).update(
        balance=F("balance") - amount
    )
    if not updated:
        credit.refresh_from_db()
        raise StoreCreditInsufficient(
            _("Store credit %(code)s holds %(balance)s EUR, %(amount)s EUR asked.")
            % {"code": code, "balance": credit.balance, "amount": amount},
            detail={"code": code, "balance": str(credit.balance), "requested": str(amount)},
        )
    StoreCreditMovement.objects.create(credit=credit, amount=-amount, reference=reference[:120], user=user)
    credit.refresh_from_db()
    return credit


def store_credit_by_code(code: str) -> StoreCredit:
    code = (code or "").strip().upper()
    credit = StoreCredit.objects.filter(code=code).first() if code else None
    if credit is None:
        raise StoreCreditNotFound(
            _("No store credit %(code)s.") % {"code": code or "-"}, detail={"code": code}
        )
    return credit


def ensure_permission(user: User | None, store: Location) -> None:
    if not may_use_register_at(user, store):
        raise PermissionDenied(
            _("You may not use the registers of this store."), detail={"location": store.code}
        )


# --- exchanges ------------------------------------------------------------------------------------


@dataclass
class ExchangeResult:
    returned: ReturnResult
    sale: Any  # pos.services.sales.SaleResult
    credit_applied: Decimal
    created: bool = True


@transaction.atomic
def create_exchange(
    *,
    session: RegisterSession,
    user: User,
    client_uuid,
    sale_number: str,
    return_lines: list[ReturnLineInput],
    sale_lines: list,
    tenders: list | None = None,
    customer: User | None = None,
    coupon_code: str = "",
    refund: str = RefundMethod.ORIGINAL,
    refund_reference: str = "",
    contact: str = "",
) -> ExchangeResult:
    """A return and a new sale in one transaction: all of it happens, or none of it.

    The returned goods' value pays the new sale first. It goes through the drawer: the return writes
    a cash refund (``CashMovement`` kind refund, tender cash, reference "<return> exchange") and the
    new sale (``pos.services.sales.record_sale``) takes the same amount as a cash tender, so the
    drawer's expected cash does not move. Whatever the new sale costs beyond it is paid with
    ``tenders``; whatever the returned goods were worth beyond the new sale is refunded like a
    return (``refund``: the original tender, or store credit).

    Idempotent by ``client_uuid`` (the new sale's UUID): a replay returns the first exchange and
    writes nothing.
    """
    from . import sales

    tenders = list(tenders or [])
    replay = _replayed_exchange(client_uuid)
    if replay is not None:
        return replay
    if refund not in (RefundMethod.ORIGINAL, RefundMethod.STORE_CREDIT):
        raise InvalidReturn(_("Refund to the original tender or as store credit."), detail={"refund": refund})
    session = ensure_open_session(session=session, user=user)
    store = session.register.store
    # Locks in the order every writer takes them: the register session, the returned order, the
    # document numbers (return, then sale), and last the stock levels of both the returned and the
    # new lines, together in the global order (in record_sale, see ``sales.Restock``).
    result, restock = _take_back(
        session=session,
        user=user,
        sale_number=sale_number,
        lines=return_lines,
        method=RefundMethod.EXCHANGE,
        contact=contact,
    )
    ret = result.ret
    customer = customer or ret.order.customer
    quote = sales.quote_sale(store=store, lines=sale_lines, coupon_code=coupon_code, customer=customer)
    applied = min(ret.total_gross, quote.total_gross)
    non_cash = sum((Decimal(str(t.amount)) for t in tenders if t.kind != Tender.CASH), ZERO)
    if non_cash + applied > quote.total_gross:
        raise ExchangeTenderTooLarge(
            _("%(due)s EUR is left to pay after the exchange: card and mobile cannot pay more.")
            % {"due": quote.total_gross - applied},
            detail={"due": str(quote.total_gross - applied), "non_cash": str(non_cash)},
        )
    exchange_tender = []
    if applied > 0:
        exchange_tender = [
            sales.TenderInput(kind=Tender.CASH, amount=applied, reference=f"exchange {ret.number}")
        ]
    sold = sales.record_sale(
        session=session,
        user=user,
        client_uuid=client_uuid,
        lines=sale_lines,
        tenders=[*tenders, *exchange_tender],  # the exchange last: change comes from the customer's cash
        customer=customer,
        coupon_code=coupon_code,
        restock=sales.Restock(reference=ret.number, lines=restock),
    )
    if not sold.created:  # the UUID was an earlier sale's: it took nothing back, so do it here
        inventory.return_many(lines=restock, location=store, reference=ret.number, user=user)
    if applied > 0:
        movement = CashMovement.objects.create(
            session=session,
            kind=CashMovementKind.REFUND,
            tender=Tender.CASH,
            amount=-applied,
            reference=f"{ret.number} exchange {sold.order.number}"[:120],
            user=user,
        )
        result.refunds.append(
            ReturnRefund.objects.create(
                ret=ret,
                tender=RefundTender.EXCHANGE,
                amount=applied,
                reference=sold.order.number,
                cash_movement=movement,
            )
        )
    ret.exchange_order = sold.order
    ret.save(update_fields=["exchange_order"])
    rest = ret.total_gross - applied
    if rest > 0 and refund == RefundMethod.STORE_CREDIT:
        credit = issue_store_credit(amount=rest, customer=ret.order.customer, user=user, source_return=ret)
        result.store_credit = credit
        result.refunds.append(
            ReturnRefund.objects.create(
                ret=ret,
                tender=RefundTender.STORE_CREDIT,
                amount=rest,
                reference=credit.code,
                store_credit=credit,
            )
        )
    elif rest > 0:
        _refund_original(result, session=session, user=user, reference=refund_reference, amount=rest)
    _complete_if_all_returned(ret.order, user=user)
    journal.record_return_entry(ret=ret, session=session, user=user)  # after the new sale's entry
    return ExchangeResult(returned=result, sale=sold, credit_applied=applied)


def _replayed_exchange(client_uuid) -> ExchangeResult | None:
    from . import sales

    try:
        key = client_uuid if isinstance(client_uuid, uuid.UUID) else uuid.UUID(str(client_uuid))
    except ValueError:
        raise InvalidReturn(_("The sale id must be a UUID."), detail={"uuid": str(client_uuid)}) from None
    ret = (
        Return.objects.filter(exchange_order__pos_sale__client_uuid=key)
        .select_related("order", "exchange_order")
        .first()
    )
    if ret is None:
        return None
    lines = list(ret.lines.select_related("order_line"))
    refunds = list(ret.refunds.all())
    applied = sum((r.amount for r in refunds if r.tender == RefundTender.EXCHANGE), ZERO)
    credit = next((r.store_credit for r in refunds if r.store_credit_id), None)
    change = sum(
        SaleTender.objects.filter(order=ret.exchange_order).values_list("change_given", flat=True), ZERO
    )
    assert ret.exchange_order is not None  # found through exchange_order
    sale = sales.SaleResult(order=ret.exchange_order, change_due=change, created=False)
    return ExchangeResult(
        returned=ReturnResult(ret=ret, lines=lines, refunds=refunds, store_credit=credit),
        sale=sale,
        credit_applied=applied,
        created=False,
    )
