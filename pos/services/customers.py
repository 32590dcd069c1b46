"""Customers at the register: find them by loyalty card (or its QR code), phone or e-mail. Card
numbers are given by ``accounts.services.ensure_loyalty_card`` (at sign-up)."""

from __future__ import annotations

import re

from django.db.models import QuerySet, Value
from django.db.models.functions import Replace
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.errors import ValidationFailed

from ..errors import UnknownCustomer

MAX_RESULTS = 10
PHONE_DIGITS = 9  # compare the last nine digits: "06 12 34 56 78" and "+33 6 12 34 56 78" match


def find_customers(*, q: str) -> QuerySet[User]:
    """Active customer accounts whose loyalty card number or e-mail is exactly ``q`` (any case), or
    whose phone ends with the same nine digits. Exact matches only: a cashier identifies a customer,
    never browses the customer list. At most ``MAX_RESULTS``, one query."""
    q = (q or "").strip()
    if len(q) < 3 or len(q) > 254:
        raise ValidationFailed(
            _("Type a loyalty card number, a phone number or an e-mail address (3 characters or more)."),
            detail={"q": q[:254]},
        )
    users = User.objects.filter(is_active=True, customer_profile__isnull=False).select_related(
        "customer_profile"
    )
    if "@" in q:
        found = users.filter(email__iexact=q)
    else:
        digits = re.sub(r"\D", "", q)
        if len(digits) >= PHONE_DIGITS and re.fullmatch(r"[\d\s.+()-]+", q):
            phone = Replace(
                Replace(
                    Replace(Replace("phone", Value(" "), Value("")), Value("."), Value("")),
                    Value("-"),
                    Value(""),
                ),
                Value("+"),
                Value(""),
            )
            found = users.annotate(phone_digits=phone).filter(phone_digits__endswith=digits[-PHONE_DIGITS:])
        else:
            found = users.filter(customer_profile__loyalty_card_number__iexact=q)
    return found.order_by("last_name", "first_name", "id")[:MAX_RESULTS]


def customer_row(user: User) -> dict:
    profile = getattr(user, "customer_profile", None)
    return {
        "id": user.pk,
        "name": user.get_full_name() or user.email,
        "email": user.email,
        "loyalty_card_number": (profile.loyalty_card_number if profile else None) or "",
    }


def loyalty_qr_svg(number: str, *, title: str = "") -> str:
    """The loyalty card number as an inline SVG QR code (safe to put in a page as it is)."""
    import segno
    from django.utils.safestring import mark_safe

    qr = segno.make(number, error="m", micro=False)
    svg = qr.svg_inline(
        scale=6, border=4, dark="#111", light="#fff", title=title or None, svgclass="loyalty-qr"
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))  # noqa: S308 - segno output


def customer_for_sale(*, customer_id: int | None) -> User | None:
    """The customer a sale, quote, return or exchange is for: an active customer account, never an
    employee (staff, superuser, or any till/back-office role). Anything else raises ``UnknownCustomer``
    (404 ``unknown_customer``), whether the id is unknown or names someone who is not a customer."""
    if customer_id is None:
        return None
    customer = (
        User.objects.filter(pk=customer_id, is_active=True, is_staff=False, is_superuser=False)
        .exclude(groups__name__in=[Role.CASHIER, Role.STORE_MANAGER, Role.STAFF, Role.MANAGER])
        .select_related("customer_profile__group")
        .first()
    )
    if customer is None:
        raise UnknownCustomer(detail={"customer": customer_id})
    return customer
