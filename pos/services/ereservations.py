"""E-reservations at the till: the store's list, the sale of what the shopper keeps, the release.

A reservation (``orders.services.ereservation``) holds units at this store until its end. At the
till the cashier opens it (search by number, name, e-mail or phone) and either:

- **sells** the lines the shopper keeps: one ordinary till sale (``sales.record_sale``: receipt,
  journal, loyalty, cash as for any sale) at the till's **current** price, not the price shown when
  the shopper reserved (the reservation's lines are an estimate; the store's price on the day
  applies, promotions included). The kept units' reservations are committed by the sale itself
  (``reserved``), never taken twice; the dropped lines' units go back on the shelf; the reservation
  becomes "bought in store". All in one transaction. The sale's ``client_uuid`` makes it
  idempotent: the same request again returns the first sale and changes nothing.
- **releases** it with a reason: every unit back; releasing again changes nothing.

A reservation past its hold cannot be sold (``reservation_expired``), even if the expiry task has
not run yet: the shopper was told the units would go back.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from inventory.models import ReservationStatus
from orders.errors import EReservationNotFound
from orders.models import DeliveryMethod, Order, OrderLine, OrderStatus
from orders.services import ereservation

from .. import selectors
from .returns import ensure_permission
from .sales import SaleLineInput, SaleResult, TenderInput, _clean_uuid, record_sale

if TYPE_CHECKING:
    from accounts.models import User
    from inventory.models import Location

    from ..models import RegisterSession

MAX_RESULTS = 100


@dataclass
class ReservationSale:
    reservation: Order
    sale: SaleResult


def store_reservations(*, store: Location, q: str = "") -> QuerySet[Order]:
    """This store's reservations still held, oldest end first, lines prefetched. ``q``: part of the
    number, the name or e-mail, or the last digits of the phone."""
    qs = (
        Order.objects.filter(
            location=store, delivery_method=DeliveryMethod.RESERVE_IN_STORE, status=OrderStatus.RESERVED
        )
        .select_related("e_reservation", "customer")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by("e_reservation__hold_until", "id")
    )
    q = " ".join((q or "").split())
    if q:
        digits = re.sub(r"\D", "", q)
        match = Q(number__icontains=q) | Q(e_reservation__name__icontains=q) | Q(email__icontains=q)
        if len(digits) >= 4:
            match |= Q(phone__contains=digits[-9:])
        qs = qs.filter(match)
    return qs


def store_reservation(*, store: Location, number: str) -> Order:
    """One reservation of this store, whatever its status (``reservation_not_found`` otherwise)."""
    number = "".join((number or "").split()).upper()
    order = (
        Order.objects.filter(location=store, delivery_method=DeliveryMethod.RESERVE_IN_STORE, number=number)
        .select_related("e_reservation__sale_order", "customer")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .first()
    )
    if order is None:
        raise EReservationNotFound(
            _("No reservation %(number)s at this store.") % {"number": number or "-"},
            detail={"number": number},
        )
    return order


@transaction.atomic
def sell_e_reservation(
    *,
    session: RegisterSession,
    user: User,
    number: str,
    client_uuid: uuid.UUID | str,
    tenders: list[TenderInput],
    keep_lines: list[int] | None = None,
    coupon_code: str = "",
) -> ReservationSale:
    """Sell the kept lines of reservation ``number`` (``keep_lines``: order line ids, all when None)
    at this register (see the module docstring). Refused with nothing written: another store's or an
    unknown reservation (404), one already sold, cancelled or expired (409), no line kept or a line
    not of this reservation (400), the tenders short (400)."""
    client_uuid = _clean_uuid(client_uuid)
    store = session.register.store
    ensure_permission(user, store)
    if (existing := selectors.sale_by_uuid(client_uuid)) is not None:
        sale = record_sale(session=session, user=user, client_uuid=client_uuid, lines=[], tenders=[])
        reservation = Order.objects.filter(e_reservation__sale_order=existing.order).first()
        return ReservationSale(reservation=reservation or existing.order, sale=sale)
    order = ereservation.lock_for_sale(number=number, store=store)
    lines = list(order.lines.select_related("variant", "reservation").order_by("id"))
    if keep_lines is None:
        kept = lines
    else:
        known = {line.pk for line in lines}
        unknown = sorted(set(keep_lines) - known)
        if unknown:
            raise ValidationFailed(
                _("Line %(line)s is not part of reservation %(number)s.")
                % {"line": unknown[0], "number": order.number},
                detail={"lines": unknown, "number": order.number},
            )
        kept = [line for line in lines if line.pk in set(keep_lines)]
    if not kept:
        raise ValidationFailed(
            _("Keep at least one item to sell, or release the reservation."),
            detail={"number": order.number, "field": "lines"},
        )
    sale = record_sale(
        session=session,
        user=user,
        client_uuid=client_uuid,
        lines=[SaleLineInput(sku=line.sku, quantity=line.quantity) for line in kept],
        tenders=tenders,
        customer=order.customer,
        coupon_code=coupon_code,
        reserved=[
            line.reservation
            for line in kept
            if line.reservation is not None and line.reservation.status == ReservationStatus.ACTIVE
        ],
    )
    reservation = ereservation.finish_e_reservation_sale(
        order=order, sale_order=sale.order, kept=kept, user=user
    )
    return ReservationSale(reservation=reservation, sale=sale)


def release_at_till(*, store: Location, user: User, number: str, reason: str) -> Order:
    """The store gives the units of reservation ``number`` back (``reason`` required; idempotent)."""
    ensure_permission(user, store)
    order = store_reservation(store=store, number=number)
    return ereservation.release_e_reservation(order=order, user=user, reason=reason)
