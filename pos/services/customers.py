"""Customers at the register: find them by loyalty card (or its QR code), phone or e-mail, and give
every customer account a loyalty card number."""

from __future__ import annotations

import re
import secrets

from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Replace
from django.utils.translation import gettext as _

from accounts.models import CustomerProfile, User
from core.errors import ValidationFailed

MAX_RESULTS = 10
PHONE_DIGITS = 9  # compare the last nine digits: "06 12 34 56 78" and "+33 6 12 34 56 78" match
LOYALTY_PREFIX = "LC"


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


def _new_card_number() -> str:
    return LOYALTY_PREFIX + "".join(secrets.choice("0123456789") for _ in range(10))


def ensure_loyalty_card(*, user: User) -> str | None:
    """The customer's loyalty card number, given now if they have none. None for accounts without a
    customer profile (staff). Re-runnable and safe against two requests at once."""
    profile = CustomerProfile.objects.filter(user=user).only("pk", "loyalty_card_number").first()
    if profile is None:
        return None
    if profile.loyalty_card_number:
        return profile.loyalty_card_number
    for _attempt in range(5):
        number = _new_card_number()
        try:
            with transaction.atomic():
                updated = CustomerProfile.objects.filter(
                    pk=profile.pk, loyalty_card_number__isnull=True
                ).update(loyalty_card_number=number)
        except IntegrityError:  # the number is someone else's: draw again
            continue
        if updated:
            return number
        return CustomerProfile.objects.values_list("loyalty_card_number", flat=True).get(pk=profile.pk)
    raise RuntimeError("could not draw a free loyalty card number")  # 10^10 numbers: never in practice


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
