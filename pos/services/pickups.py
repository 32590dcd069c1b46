"""Click & collect at the store counter: the orders waiting for their shopper, and the hand-over.

The hand-over itself is ``orders.services.pickup.collect_order`` (ready -> completed, the reserved
units committed, in one transaction); this module finds the order at the cashier's store and checks
that the person at the counter is the shopper before calling it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from orders.models import DeliveryMethod, Order, OrderLine, OrderStatus
from orders.services.pickup import collect_order

from ..errors import PickupNotFound, VerificationFailed
from .returns import ensure_permission, normalize_sale_number

if TYPE_CHECKING:
    from accounts.models import User
    from inventory.models import Location

VERIFICATIONS = ("email", "phone", "number")
PHONE_DIGITS = 9  # a French number without its 0 or +33: compare the last nine digits


def ready_pickups(*, store: Location) -> QuerySet[Order]:
    """This store's click & collect orders ready for pickup, oldest first, lines prefetched."""
    return (
        Order.objects.filter(
            location=store,
            delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
            status=OrderStatus.READY_FOR_PICKUP,
        )
        .select_related("customer")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def verify_customer(*, order: Order, verification: str, value: str) -> None:
    """The shopper says their e-mail or phone, or shows the order number; ``VerificationFailed`` if not."""
    if verification not in VERIFICATIONS:
        raise ValidationFailed(
            _("Verify by e-mail, phone or order number."),
            detail={"verification": verification, "choices": list(VERIFICATIONS)},
        )
    value = (value or "").strip()
    if verification == "email":
        emails = {(order.email or "").lower(), (order.customer.email.lower() if order.customer else "")}
        ok = bool(value) and value.lower() in emails - {""}
    elif verification == "phone":
        given = _digits(value)[-PHONE_DIGITS:]
        phones = {
            _digits(order.phone)[-PHONE_DIGITS:],
            _digits(order.customer.phone)[-PHONE_DIGITS:] if order.customer else "",
        }
        ok = len(given) == PHONE_DIGITS and given in phones
    else:
        ok = normalize_sale_number(value) == order.number
    if not ok:
        raise VerificationFailed(
            _("The %(kind)s given does not match order %(number)s.")
            % {
                "kind": {"email": _("e-mail"), "phone": _("phone number"), "number": _("order number")}[
                    verification
                ],
                "number": order.number,
            },
            detail={"number": order.number, "verification": verification},
        )


@transaction.atomic
def hand_over_pickup(*, number: str, store: Location, user: User, verification: str, value: str) -> Order:
    """Verify the shopper, then ``collect_order``: completed, reservations committed. All or nothing."""
    ensure_permission(user, store)
    number = normalize_sale_number(number)
    order = (
        Order.objects.select_related("customer", "location")
        .filter(number=number, location=store, delivery_method=DeliveryMethod.CLICK_AND_COLLECT)
        .first()
    )
    if order is None:
        raise PickupNotFound(
            _("No click & collect order %(number)s at this store.") % {"number": number or "-"},
            detail={"number": number},
        )
    verify_customer(order=order, verification=verification, value=value)
    return collect_order(order=order, user=user)
