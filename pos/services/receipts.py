"""E-mailing a receipt: asked for at the register, sent after commit by a task (through the outbox)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from core import outbox, ratelimit
from core.errors import NotFound, ValidationFailed

from .. import selectors
from ..errors import NoReceiptEmail
from ..permissions import ensure_can_use_store

if TYPE_CHECKING:
    from accounts.models import User
    from orders.models import Order


def email_receipt(*, order: Order, user: User, email: str = "") -> str:
    """Send the receipt of a store sale to ``email`` (default: the customer's), after commit.

    At most ``pos_receipt_email`` sends per sale (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``): a
    till must not become a way to flood an address. A bad address is refused before it counts."""
    ensure_can_use_store(user, order.location)
    email = (email or (order.customer.email if order.customer else "") or order.email).strip().lower()
    if not email:
        raise NoReceiptEmail(detail={"number": order.number})
    try:
        validate_email(email)
    except Exception:
        raise ValidationFailed(
            translation.gettext("This e-mail address is not valid."), detail={"email": email}
        ) from None
    ratelimit.hit(scope="pos_receipt_email", key=order.number, rate=ratelimit.rate_for("pos_receipt_email"))
    from .. import tasks

    with transaction.atomic():
        outbox.enqueue(tasks.send_receipt_email, order_id=order.pk, email=email)
    return email


def send_receipt_email(*, order_id: int, email: str) -> bool:
    from orders.models import Order

    order = (
        Order.objects.filter(pk=order_id, pos_sale__isnull=False)
        .select_related("location", "customer", "pos_sale__session__register", "pos_sale__cashier")
        .prefetch_related("lines", "tenders")
        .first()
    )
    if order is None:
        raise NotFound(detail={"order": order_id})
    with translation.override(order.language or settings.LANGUAGE_CODE):
        context = {**selectors.receipt_context(order), "for_email": True}
        html = render_to_string("pos/receipt.html", context)
        subject = translation.gettext("Your receipt %(number)s from %(store)s") % {
            "number": order.number,
            "store": order.location.name,
        }
        text = render_to_string("pos/email/receipt.txt", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True
