"""E-reservation: a shopper reserves items at a store to try them, and pays at the till, or not.

The order (delivery method ``reserve_store``, number ``R<year>-<n>``, channel web) is placed in
status ``reserved`` with no payment: its lines' units are reserved at the store at once (they leave
"available" for the web and every till), and an ``EReservation`` row says who comes and until when
the store holds them (``E_RESERVATION_HOLD_HOURS``, 48 by default). It then ends one way:

- **bought in store**: the till sells the lines the shopper keeps at the till's current price (a till
  sale of its own, ``pos.services.ereservations.sell_e_reservation``): the kept units' reservations
  are committed by that sale, the others released (``finish_e_reservation_sale``, same transaction);
- **cancelled**: by the shopper (``cancel_e_reservation``), by the store (``release_e_reservation``,
  with a reason) or at expiry (``expire_e_reservations``, beat, every 5 minutes): every unit back.

The order never counts as revenue: it is never paid, and ``bought_in_store`` is not ``completed``
(the till sale is the revenue). Each inventory reservation lives ``EXPIRY_GRACE`` past the hold, so
inventory's own ``release_expired_reservations`` leaves it to ``expire_e_reservations``, which
cancels the order and releases the units together (as click & collect's ``hold_until`` does).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import customer_group_for
from core import events, outbox
from core.auth import is_signed_in
from core.errors import ValidationFailed
from core.text import has_control_characters
from inventory import selectors as stock
from inventory import services as inventory
from inventory.errors import InsufficientStock, InvalidQuantity, UnknownLocation
from inventory.models import Location, LocationKind, ReservationStatus

from .. import notifications
from ..errors import (
    EmptyOrder,
    EReservationClosed,
    EReservationExpired,
    EReservationLimit,
    EReservationNotFound,
    StoreNotReserving,
)
from ..events import EReservationEnded, EReservationPlaced
from ..models import (
    Cart,
    CartStatus,
    Channel,
    DeliveryMethod,
    EReservation,
    EReservationOutcome,
    Order,
    OrderLine,
    OrderStatus,
)
from ..notification_log import NotificationKind
from . import shop_options
from .placing import LineInput, _log, _new_order, _priced_web_lines, _set_web_totals, transition_order

if TYPE_CHECKING:
    from accounts.models import User
    from catalog.models import Variant

PREFIX = "R"
# The inventory reservation outlives the hold by this much: expire_e_reservations ends it first.
EXPIRY_GRACE = dt.timedelta(hours=12)
TOKEN_SALT = "orders.ereservation"


@dataclass(frozen=True)
class ReserveLine:
    variant: Variant
    quantity: int


@dataclass(frozen=True)
class StoreChoice:
    """A store and whether it can hold every line now (``missing``: the SKUs it cannot)."""

    location: Location
    missing: list[str]

    @property
    def ok(self) -> bool:
        return not self.missing


def hold_hours() -> int:
    return int(settings.E_RESERVATION_HOLD_HOURS)


def reserving_stores() -> list[Location]:
    """Active stores that take reservations, by name."""
    return list(
        Location.objects.filter(kind=LocationKind.STORE, is_active=True, accepts_reservations=True).order_by(
            "name"
        )
    )


def store_choices(*, lines: list[ReserveLine]) -> list[StoreChoice]:
    """Every store taking reservations, with the lines it cannot hold now (one stock query)."""
    stores = reserving_stores()
    available = stock.available_by_location(
        variant_ids=[line.variant.pk for line in lines], location_ids=[s.pk for s in stores]
    )
    return [
        StoreChoice(
            location=store,
            missing=[
                line.variant.sku
                for line in lines
                if available.get((line.variant.pk, store.pk), 0) < line.quantity
            ],
        )
        for store in stores
    ]


def cancel_token(order: Order) -> str:
    """What a guest needs to see or cancel their reservation (the e-mail's link carries it)."""
    return signing.dumps(order.number, salt=TOKEN_SALT)


def order_for_token(*, number: str, token: str) -> Order | None:
    try:
        signed = signing.loads(token or "", salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if signed != number:
        return None
    return Order.objects.filter(number=number, delivery_method=DeliveryMethod.RESERVE_IN_STORE).first()


def reserve_in_store(
    *,
    lines: list[ReserveLine],
    store_code: str,
    customer: User | None = None,
    name: str = "",
    email: str = "",
    phone: str = "",
    language: str = "fr",
    idempotency_key: str = "",
    cart: Cart | None = None,
    shop_id: int | None = None,
) -> Order:
    """Hold ``lines`` at the store ``store_code`` for ``E_RESERVATION_HOLD_HOURS``; the shopper pays
    at the till. A signed-in ``customer`` or a guest with name, e-mail and phone. Refused, with
    nothing written: no line or a quantity below 1 (``empty_order`` / ``invalid_quantity``), more
    than ``E_RESERVATION_MAX_UNITS`` units or ``E_RESERVATION_MAX_ACTIVE`` reservations held
    (``reservation_limit``), an unknown store (``unknown_location``), a store that takes no
    reservations (``store_not_reserving``), a unit the store does not have (``insufficient_stock``),
    a shop (``shop_id``, the request's) that does not offer reservations (``method_not_offered``).

    The same ``idempotency_key`` from the same shopper returns the first reservation. With ``cart``,
    the cart is closed (its lines are now reserved). After commit: the shopper's confirmation and the
    store's notice by e-mail, ``order.reserved`` for the apps above."""
    user = customer if customer is not None and is_signed_in(customer) else None
    name, email, phone = _clean_contact(user, name=name, email=email, phone=phone)
    reference = _reference(user=user, email=email, key=idempotency_key)
    if reference and (existing := Order.objects.filter(channel=Channel.WEB, reference=reference).first()):
        return existing
    shop_options.check_delivery_method(shop_options.shop_methods(shop_id), DeliveryMethod.RESERVE_IN_STORE)
    lines = _clean_lines(lines)
    store = _store(store_code)
    with transaction.atomic():
        _check_active_limit(user=user, email=email)
        order = _new_order(
            channel=Channel.WEB,
            prefix=PREFIX,
            status=OrderStatus.RESERVED,
            location=store,
            delivery_method=DeliveryMethod.RESERVE_IN_STORE,
            email=email,
            customer=user,
            currency="EUR",
            reference=reference,
        )
        order.phone = phone
        order.language = language or order.language
        order.shop_id = shop_id  # the shop it was made on
        priced = _priced_web_lines(
            order,
            [LineInput(variant=line.variant, quantity=line.quantity) for line in lines],
            customer_group=customer_group_for(user),
            order_discount=Decimal("0"),
            price_location=store,
            shop_id=shop_id,  # the price shown: the shop's (the till charges its own on the day)
        )
        try:
            taken = inventory.reserve_many(
                lines=[inventory.StockLine(line.variant, line.quantity) for line in priced],
                location=store,
                ttl_seconds=int((dt.timedelta(hours=hold_hours()) + EXPIRY_GRACE).total_seconds()),
                reference=order.number,
                user=user,
            )
        except InsufficientStock as exc:
            raise _out_of_stock(exc, store) from None
        hold_until = taken[0].expires_at - EXPIRY_GRACE
        for line, reservation in zip(priced, taken, strict=True):
            line.reservation = reservation
            line.save()
        _set_web_totals(order, priced)
        EReservation.objects.create(order=order, name=name, hold_until=hold_until)
        _log(order, "", OrderStatus.RESERVED, user=user, note="reserved to try in store")
        if cart is not None:
            Cart.objects.filter(pk=cart.pk, status=CartStatus.OPEN).update(
                status=CartStatus.CHECKED_OUT, order=order
            )
        notifications.schedule_email(order_id=order.pk, kind=NotificationKind.RESERVED)
        _schedule_store_notice(order)
        events.publish(EReservationPlaced(order_id=order.pk, number=order.number, location_id=store.pk))
    return order


def cancel_e_reservation(*, order: Order, user: User | None = None) -> Order:
    """The shopper will not come: every unit back on the shelf. Cancelling again changes nothing;
    a reservation already bought is a ``reservation_closed`` conflict."""
    return _end(
        order=order, outcome=EReservationOutcome.CANCELLED, user=user, reason="cancelled by the shopper"
    )


def release_e_reservation(*, order: Order, user: User, reason: str) -> Order:
    """The store gives the units back (the shopper came and took nothing, or called): ``reason`` is
    required. Releasing again changes nothing; a reservation already bought is a conflict."""
    reason = (reason or "").strip()
    if not reason or has_control_characters(reason):
        raise ValidationFailed(_("Say why the reservation is released."), detail={"field": "reason"})
    return _end(order=order, outcome=EReservationOutcome.RELEASED, user=user, reason=reason[:250])


def expire_e_reservations(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Beat: cancel the reservations past their hold, each in its own short transaction, units
    released (ledger: expired) and the shopper told by e-mail. Re-runnable. Returns how many ended."""
    now = now or timezone.now()
    ids = list(
        EReservation.objects.filter(
            outcome=EReservationOutcome.ACTIVE,
            hold_until__lte=now,
            order__status=OrderStatus.RESERVED,
        )
        .order_by("hold_until")
        .values_list("order_id", flat=True)[:limit]
    )
    ended = 0
    for order_id in ids:
        with transaction.atomic():
            order = Order.objects.select_for_update().filter(pk=order_id).first()
            hold = EReservation.objects.filter(order_id=order_id).first()
            if order is None or hold is None or order.status != OrderStatus.RESERVED or hold.hold_until > now:
                continue  # sold, cancelled or extended meanwhile
            _close(order, hold, outcome=EReservationOutcome.EXPIRED, user=None, reason="hold expired")
            notifications.schedule_email(order_id=order.pk, kind=NotificationKind.RESERVATION_EXPIRED)
            ended += 1
    return ended


def remind_e_reservations(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Beat: e-mail the shoppers whose hold ends within ``E_RESERVATION_REMINDER_HOURS`` (once each)."""
    now = now or timezone.now()
    soon = now + dt.timedelta(hours=settings.E_RESERVATION_REMINDER_HOURS)
    ids = list(
        EReservation.objects.filter(
            outcome=EReservationOutcome.ACTIVE,
            reminded_at__isnull=True,
            hold_until__gt=now,
            hold_until__lte=soon,
            order__status=OrderStatus.RESERVED,
        ).values_list("pk", flat=True)[:limit]
    )
    reminded = 0
    for pk in ids:
        with transaction.atomic():
            marked = EReservation.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now)
            if marked:
                order_id = EReservation.objects.values_list("order_id", flat=True).get(pk=pk)
                notifications.schedule_email(order_id=order_id, kind=NotificationKind.RESERVATION_REMINDER)
                reminded += 1
    return reminded


# --- the till's side (called by pos.services.ereservations inside the sale's transaction) -------------


def lock_for_sale(*, number: str, store: Location, now: dt.datetime | None = None) -> Order:
    """The reservation ``number`` at ``store``, locked, still held: ``reservation_not_found``,
    ``reservation_closed`` (bought, cancelled, released) or ``reservation_expired``."""
    order = _lock_at(number=number, store=store)
    hold = order.e_reservation
    if order.status != OrderStatus.RESERVED:
        raise _closed(order, hold)
    if hold.hold_until <= (now or timezone.now()):
        raise EReservationExpired(
            _("Reservation %(number)s expired on %(when)s: its units are no longer held.")
            % {"number": order.number, "when": _local(hold.hold_until)},
            detail={"number": order.number, "hold_until": hold.hold_until.isoformat()},
        )
    return order


def finish_e_reservation_sale(*, order: Order, sale_order: Order, kept: list[OrderLine], user: User) -> Order:
    """Close a reservation the till just sold (``order`` locked by ``lock_for_sale``, ``kept`` the
    lines sold, whose reservations the sale committed): the other lines' units go back, the order
    becomes ``bought in store`` and remembers the sale. Call inside the sale's transaction."""
    kept_ids = {line.pk for line in kept}
    dropped = [
        line.reservation
        for line in order.lines.select_related("reservation")
        if line.pk not in kept_ids
        and line.reservation is not None
        and line.reservation.status == ReservationStatus.ACTIVE
    ]
    if dropped:
        inventory.release_many(reservations=dropped, user=user)
    transition_order(
        order=order, to_status=OrderStatus.BOUGHT_IN_STORE, user=user, note=f"sold as {sale_order.number}"
    )
    hold = EReservation.objects.select_for_update().get(order=order)
    hold.outcome = EReservationOutcome.SOLD
    hold.sale_order = sale_order
    hold.closed_at = timezone.now()
    hold.closed_by = user
    hold.reason = f"{len(kept)} of {len(kept) + len(dropped)} lines kept" if dropped else ""
    hold.save(update_fields=["outcome", "sale_order", "closed_at", "closed_by", "reason"])
    events.publish(EReservationEnded(order_id=order.pk, number=order.number, location_id=order.location_id))
    order.refresh_from_db()
    return order


# --- internals ------------------------------------------------------------------------------------


def _end(*, order: Order, outcome: str, user: User | None, reason: str) -> Order:
    with transaction.atomic():
        locked = Order.objects.select_for_update().filter(pk=order.pk).first()
        if locked is None or locked.delivery_method != DeliveryMethod.RESERVE_IN_STORE:
            raise EReservationNotFound(_("No such reservation."), detail={"number": order.number})
        hold = EReservation.objects.select_for_update().get(order=locked)
        if locked.status == OrderStatus.CANCELLED:
            return locked  # cancelled, released or expired already: nothing more to do
        if locked.status != OrderStatus.RESERVED:
            raise _closed(locked, hold)
        _close(locked, hold, outcome=outcome, user=user, reason=reason)
    locked.refresh_from_db()
    return locked


def _close(order: Order, hold: EReservation, *, outcome: str, user: User | None, reason: str) -> None:
    """Cancel the order (units released: by expiry when it expired) and record how it ended."""
    active = [
        line.reservation
        for line in order.lines.select_related("reservation")
        if line.reservation is not None and line.reservation.status == ReservationStatus.ACTIVE
    ]
    if active:
        inventory.release_many(
            reservations=active,
            user=user if is_signed_in(user) else None,
            expired=outcome == EReservationOutcome.EXPIRED,
        )
    transition_order(order=order, to_status=OrderStatus.CANCELLED, user=user, note=reason)
    hold.outcome = outcome
    hold.reason = reason[:250]
    hold.closed_at = timezone.now()
    hold.closed_by = user if is_signed_in(user) else None
    hold.save(update_fields=["outcome", "reason", "closed_at", "closed_by"])
    events.publish(EReservationEnded(order_id=order.pk, number=order.number, location_id=order.location_id))


def _lock_at(*, number: str, store: Location) -> Order:
    number = (number or "").strip().upper()
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("e_reservation", "customer", "location")
        .filter(number=number, location=store, delivery_method=DeliveryMethod.RESERVE_IN_STORE)
        .first()
    )
    if order is None:
        raise EReservationNotFound(
            _("No reservation %(number)s at this store.") % {"number": number or "-"},
            detail={"number": number},
        )
    return order


def _closed(order: Order, hold: EReservation) -> EReservationClosed:
    if hold.outcome == EReservationOutcome.SOLD and hold.sale_order_id:
        sale = Order.objects.filter(pk=hold.sale_order_id).values_list("number", flat=True).first()
        message = _("Reservation %(number)s was already sold (%(sale)s).") % {
            "number": order.number,
            "sale": sale,
        }
    elif hold.outcome == EReservationOutcome.EXPIRED:
        message = _("Reservation %(number)s expired: its units are back on the shelf.") % {
            "number": order.number
        }
    else:
        message = _("Reservation %(number)s was cancelled: its units are back on the shelf.") % {
            "number": order.number
        }
    return EReservationClosed(
        message, detail={"number": order.number, "status": order.status, "outcome": hold.outcome}
    )


class ContactRequired(ValidationFailed):
    """A guest left out what the store needs to reach them (a domain rule, not a malformed field)."""

    code = "contact_required"
    default_message = "Give your name, e-mail address and phone number."


def _clean_contact(user: User | None, *, name: str, email: str, phone: str) -> tuple[str, str, str]:
    from .checkout import _clean_email, _clean_phone

    name = " ".join((name or "").split())
    if user is not None:
        name = name or user.get_full_name() or user.email
        email = email or user.email
        phone = phone or getattr(user, "phone", "") or ""
    if not name:
        raise ContactRequired(_("Give the name the store should ask for."), detail={"field": "name"})
    if len(name) > 120 or has_control_characters(name):
        raise ValidationFailed(_("Give the name the store should ask for."), detail={"field": "name"})
    if not (email or "").strip():
        raise ContactRequired(_("Enter a valid e-mail address."), detail={"field": "email"})
    email = _clean_email(email)
    phone = _clean_phone(phone)
    # Digits only (and a leading +): the till finds it by any run of digits the shopper says.
    phone = ("+" if phone.startswith("+") else "") + "".join(c for c in phone if c.isdigit())
    if user is None and not phone:
        raise ContactRequired(_("Give a phone number so the store can reach you."), detail={"field": "phone"})
    return name, email, phone


def _clean_lines(lines: list[ReserveLine]) -> list[ReserveLine]:
    if not lines:
        raise EmptyOrder(_("Choose at least one item to reserve."))
    merged: dict[int, ReserveLine] = {}
    for line in lines:
        quantity = line.quantity
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise InvalidQuantity(
                _("The quantity of %(sku)s must be a whole number of at least 1.")
                % {"sku": line.variant.sku},
                detail={"sku": line.variant.sku, "quantity": str(quantity)},
            )
        if not line.variant.is_active:
            raise InvalidQuantity(
                _("%(sku)s is no longer sold.") % {"sku": line.variant.sku}, detail={"sku": line.variant.sku}
            )
        before = merged.get(line.variant.pk)
        merged[line.variant.pk] = ReserveLine(line.variant, quantity + (before.quantity if before else 0))
    units = sum(line.quantity for line in merged.values())
    if units > settings.E_RESERVATION_MAX_UNITS:
        raise EReservationLimit(
            _("You can reserve at most %(max)s items at a time (you asked for %(units)s).")
            % {"max": settings.E_RESERVATION_MAX_UNITS, "units": units},
            detail={"limit": "units", "max": settings.E_RESERVATION_MAX_UNITS, "units": units},
        )
    return list(merged.values())


def _store(code: str) -> Location:
    store = Location.objects.filter(
        code=(code or "").strip(), kind=LocationKind.STORE, is_active=True
    ).first()
    if store is None:
        raise UnknownLocation(
            _("No store %(code)s.") % {"code": code or "?"}, detail={"field": "store", "store": code}
        )
    if not store.accepts_reservations:
        raise StoreNotReserving(
            _("%(store)s does not take reservations.") % {"store": store.name},
            detail={"field": "store", "store": store.code},
        )
    return store


def _check_active_limit(*, user: User | None, email: str) -> None:
    """At most ``E_RESERVATION_MAX_ACTIVE`` held at once, per account or (guests) per e-mail. The
    customer's row is locked so two tabs reserving at once cannot both pass."""
    limit = settings.E_RESERVATION_MAX_ACTIVE
    if user is not None:
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        who = Q(customer=user) | Q(email__iexact=email)
    else:
        who = Q(email__iexact=email)
    held = Order.objects.filter(
        who, delivery_method=DeliveryMethod.RESERVE_IN_STORE, status=OrderStatus.RESERVED
    ).count()
    if held >= limit:
        raise EReservationLimit(
            _("You already have %(held)s reservations held (at most %(max)s): collect or cancel one first.")
            % {"held": held, "max": limit},
            detail={"limit": "active", "max": limit, "held": held},
        )


def _reference(*, user: User | None, email: str, key: str) -> str:
    key = (key or "").strip()
    if not key:
        return ""
    scope = f"user:{user.pk}" if user is not None else f"email:{email.lower()}"
    return "reserve:" + hashlib.sha256(f"{scope}|{key}".encode()).hexdigest()[:40]


def _out_of_stock(exc: InsufficientStock, store: Location) -> InsufficientStock:
    detail = {**exc.detail, "location_name": store.name}
    return InsufficientStock(
        _("Only %(available)s left of %(sku)s at %(store)s: nothing was reserved.")
        % {"available": detail.get("available", 0), "sku": detail.get("sku", ""), "store": store.name},
        detail=detail,
    )


def _local(when: dt.datetime) -> str:
    from django.utils import formats

    return formats.date_format(timezone.localtime(when), "DATETIME_FORMAT")


def _schedule_store_notice(order: Order) -> None:
    from .. import tasks

    if order.location.email:
        outbox.enqueue(tasks.send_store_reservation_notice, order_id=order.pk)
