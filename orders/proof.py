"""Proof that a person holds a web order: the check code printed with the order number on its
confirmation (``sale_proof``), or the order's e-mail address or phone number.

The check code is an HMAC of the order number with ``SECRET_KEY`` (salted): it cannot be computed
from the number alone, so a barcode carrying ``<number>.<check>`` (``proof_barcode_value``) proves
the confirmation was in the bearer's hands. Rotating ``SECRET_KEY`` invalidates printed codes; the
e-mail or phone still works then.
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING

from django.utils.crypto import constant_time_compare, salted_hmac

if TYPE_CHECKING:
    from .models import Order

SEPARATOR = "."
PHONE_DIGITS = 9  # "06 12 34 56 78" and "+33 6 12 34 56 78" are the same phone


def sale_proof(number: str) -> str:
    """Eight characters (A-Z, 2-7) that only the server can compute for ``number``."""
    digest = salted_hmac("orders.proof.sale_proof", number.upper(), algorithm="sha256").digest()
    return base64.b32encode(digest)[:8].decode()


def proof_barcode_value(number: str) -> str:
    """What the order confirmation's barcode carries: ``W2026-000012.ABCD2345``."""
    return f"{number}{SEPARATOR}{sale_proof(number)}"


def split_barcode_value(value: str) -> tuple[str, str]:
    """``"W2026-000012.ABCD2345"`` -> ``("W2026-000012", "ABCD2345")``; a bare number -> ``(number, "")``."""
    number, _, check = value.partition(SEPARATOR)
    return number, check


def _phone_digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")[-PHONE_DIGITS:]


def verify_sale_proof(*, order: Order, check: str = "", contact: str = "") -> bool:
    """True if ``check`` is the order's check code, or ``contact`` is its e-mail (any case) or phone
    (the last nine digits)."""
    if check and constant_time_compare(check.upper(), sale_proof(order.number)):
        return True
    contact = (contact or "").strip()
    if not contact:
        return False
    if "@" in contact:
        return bool(order.email) and constant_time_compare(contact.casefold(), order.email.strip().casefold())
    digits = _phone_digits(contact)
    return len(digits) == PHONE_DIGITS and constant_time_compare(digits, _phone_digits(order.phone))
