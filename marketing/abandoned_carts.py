"""Abandoned carts: a reminder 1 h and 24 h after a cart stopped changing, with a restore link.

Who: a signed-in shopper's open cart with lines (their account's address), or a guest's whose e-mail
was typed at checkout with the reminder box ticked (``remember_guest_cart``: a ``CartContact`` and a
granted e-mail consent with its proof). Nothing leaves without ``may_send``.

When: ``scan_abandoned_carts`` (beat, every ``MARKETING_CART_SCAN_SECONDS``) finds, in one query, the
open carts untouched since ``MARKETING_CART_FIRST_REMINDER_SECONDS`` (step 1) or
``MARKETING_CART_SECOND_REMINDER_SECONDS`` (step 2) with no reminder of that step since their last
change. Each gets a ``CartReminder`` row, unique per (cart, step, fingerprint), the fingerprint being
a hash of the lines and quantities: the same cart state is never reminded twice, and a changed
cart starts a new sequence. A step already passed is never sent late after a later one.

Sending (``send_cart_reminder``, a Celery task queued through the outbox with the row): checked again
at that moment: the cart is still open and unchanged, no order of the customer since it last
changed (they bought), consent still granted (they did not unsubscribe). The second reminder
carries a personal coupon when ``MARKETING_CART_COUPON_PERCENT`` is set (``pricing``: origin
abandoned cart, the customer's when signed in, single use).

Restore link: signed (``django.core.signing``), expiring after ``MARKETING_CART_RESTORE_MAX_AGE``;
``cart_to_restore`` reads it for the storefront's view, which puts the cart back in the session (or
the account) and shows the cart page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core import outbox
from orders.models import Cart, CartLine, CartStatus, Order
from pricing import services as pricing
from pricing.models import Channel as PriceChannel
from pricing.models import CouponOrigin, DiscountKind

from . import services, tasks
from .errors import InvalidLink
from .models import CartContact, CartReminder, Channel, ConsentSource, ReminderStatus, ReminderStep

logger = logging.getLogger(__name__)

RESTORE_SALT = "marketing.cart_restore"


# --- settings -------------------------------------------------------------------------------------


def first_delay() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "MARKETING_CART_FIRST_REMINDER_SECONDS", 3600)))


def second_delay() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "MARKETING_CART_SECOND_REMINDER_SECONDS", 86400)))


def max_age() -> dt.timedelta:
    """Carts older than this are left alone (no reminder for last month's basket)."""
    return dt.timedelta(days=int(getattr(settings, "MARKETING_CART_REMINDER_MAX_AGE_DAYS", 7)))


def restore_max_age() -> int:
    return int(getattr(settings, "MARKETING_CART_RESTORE_MAX_AGE", 7 * 24 * 3600))


def coupon_percent() -> Decimal:
    return Decimal(str(getattr(settings, "MARKETING_CART_COUPON_PERCENT", 0) or 0))


# --- the guest's e-mail -----------------------------------------------------------------------------


@transaction.atomic
def remember_guest_cart(
    *,
    cart: Cart,
    email: str,
    text_shown: str,
    language: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
) -> CartContact | None:
    """A guest typed ``email`` at checkout and ticked the reminder box: their cart may be reminded
    to that address. Grants the e-mail consent with its proof (source checkout); a bounced or
    complaining address stays suppressed (``may_send`` will say no). None for a signed-in shopper's
    cart (their account is used). Raises ``InvalidAddress`` for a malformed address."""
    address = services.normalize_address(channel=Channel.EMAIL, address=email)
    if cart.user_id is not None or cart.status != CartStatus.OPEN:
        return None
    services.grant(
        address=address,
        source=ConsentSource.CHECKOUT,
        text_shown=text_shown,
        ip_address=ip_address,
        user_agent=user_agent,
        language=language,
    )
    contact, _created = CartContact.objects.update_or_create(
        cart=cart, defaults={"email": address, "language": language[:8]}
    )
    return contact


# --- fingerprint and links --------------------------------------------------------------------------


def fingerprint(lines: Iterable[tuple[int, int]]) -> str:
    """A hash of the cart's state: its (variant id, quantity) pairs, in any order."""
    text = ";".join(f"{variant}:{quantity}" for variant, quantity in sorted(lines))
    return hashlib.sha256(text.encode()).hexdigest()


def cart_fingerprint(cart_id: int) -> str:
    return fingerprint(CartLine.objects.filter(cart_id=cart_id).values_list("variant_id", "quantity"))


def restore_token(cart: Cart) -> str:
    return signing.dumps({"cart": str(cart.token)}, salt=RESTORE_SALT, compress=True)


def cart_to_restore(*, token: str) -> Cart:
    """The open cart a restore link points to. ``InvalidLink`` (400) for a forged, mangled or
    expired link, or a cart that was bought or merged since."""
    try:
        data = signing.loads(token, salt=RESTORE_SALT, max_age=restore_max_age())
    except signing.SignatureExpired as exc:
        raise InvalidLink(detail={"token": ["expired"]}) from exc
    except signing.BadSignature as exc:
        raise InvalidLink(detail={"token": ["invalid"]}) from exc
    if not isinstance(data, dict) or not isinstance(data.get("cart"), str):
        raise InvalidLink(detail={"token": ["invalid"]})
    cart = Cart.objects.filter(token=data["cart"]).first() if _is_uuid(data["cart"]) else None
    if cart is None or cart.status != CartStatus.OPEN:
        raise InvalidLink(
            _("This cart is no longer available: it was ordered or emptied."), detail={"token": ["closed"]}
        )
    return cart


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# --- the scan -----------------------------------------------------------------------------------------


def due_carts(*, now: dt.datetime, limit: int = 500) -> list[Cart]:
    """Open carts with lines, of a signed-in shopper or a guest who left their e-mail, untouched
    long enough for a step they have not had since their last change. One query (with the user)."""
    first_before, second_before = now - first_delay(), now - second_delay()
    done = CartReminder.objects.filter(cart=OuterRef("pk"), created_at__gte=OuterRef("updated_at"))
    return list(
        Cart.objects.filter(
            Exists(CartLine.objects.filter(cart=OuterRef("pk"))),
            Q(user__isnull=False) | Exists(CartContact.objects.filter(cart=OuterRef("pk"))),
            status=CartStatus.OPEN,
            updated_at__lte=first_before,
            updated_at__gt=now - max_age(),
        )
        .filter(
            Q(updated_at__lte=second_before) & ~Exists(done.filter(step=ReminderStep.SECOND))
            | Q(updated_at__gt=second_before) & ~Exists(done)
        )
        .select_related("user")
        .order_by("updated_at")[:limit]
    )


@dataclass
class ScanResult:
    queued: int = 0
    skipped: int = 0


def scan_abandoned_carts(*, now: dt.datetime | None = None, limit: int = 500) -> ScanResult:
    """Queue the reminders that are due (see the module). Running it again queues nothing more."""
    now = now or timezone.now()
    carts = due_carts(now=now, limit=limit)
    result = ScanResult()
    if not carts:
        return result
    lines: dict[int, list[tuple[int, int]]] = {cart.pk: [] for cart in carts}
    for cart_id, variant_id, quantity in CartLine.objects.filter(cart__in=carts).values_list(
        "cart_id", "variant_id", "quantity"
    ):
        lines[cart_id].append((variant_id, quantity))
    contacts = {c.cart_id: c for c in CartContact.objects.filter(cart__in=carts)}
    for cart in carts:
        step = ReminderStep.SECOND if cart.updated_at <= now - second_delay() else ReminderStep.FIRST
        state = fingerprint(lines[cart.pk])
        if CartReminder.objects.filter(cart=cart, fingerprint=state, step__gte=step).exists():
            result.skipped += 1
            continue
        contact = contacts.get(cart.pk)
        person: User | str | None = cart.user if cart.user_id else (contact.email if contact else None)
        if person is None or not services.may_send(person=person, channel=Channel.EMAIL):
            result.skipped += 1
            continue
        address = services.address_of(person=person, channel=Channel.EMAIL)
        if address is None:
            result.skipped += 1
            continue
        language = contact.language if contact else _user_language(cart.user)
        if _queue(cart=cart, step=step, state=state, email=address, language=language):
            result.queued += 1
        else:
            result.skipped += 1
    if result.queued:
        logger.info("abandoned carts: %d reminders queued", result.queued)
    return result


def _user_language(user: User | None) -> str:
    return user.preferred_language if user is not None else ""


def _queue(*, cart: Cart, step: int, state: str, email: str, language: str) -> bool:
    try:
        with transaction.atomic():
            reminder = CartReminder.objects.create(
                cart=cart,
                step=step,
                fingerprint=state,
                email=email,
                user=cart.user if cart.user_id else None,
                language=language[:8],
            )
            outbox.enqueue(tasks.send_cart_reminder, reminder_id=reminder.pk)
    except IntegrityError:  # another scan queued it
        return False
    return True


# --- sending ----------------------------------------------------------------------------------------


def _bought_since(*, cart: Cart, email: str, since: dt.datetime) -> bool:
    orders = Order.objects.filter(created_at__gte=since)
    if cart.user_id is not None:
        return orders.filter(Q(customer_id=cart.user_id) | Q(email__iexact=email)).exists()
    return orders.filter(email__iexact=email).exists()


def _skip(reminder: CartReminder, reason: str) -> bool:
    reminder.status, reminder.reason = ReminderStatus.SKIPPED, reason
    reminder.save(update_fields=["status", "reason"])
    return False


def send_cart_reminder(*, reminder_id: int) -> bool:
    """Send one queued reminder, or skip it (bought, changed, unsubscribed). True when sent."""
    with transaction.atomic():
        reminder = (
            CartReminder.objects.select_for_update(of=("self",))
            .select_related("cart", "user")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None or reminder.status != ReminderStatus.PENDING:
            return False
        cart = reminder.cart
        person: User | str = reminder.user if reminder.user is not None else reminder.email
        if cart.status != CartStatus.OPEN:
            return _skip(reminder, "bought" if cart.status == CartStatus.CHECKED_OUT else "closed")
        if cart_fingerprint(cart.pk) != reminder.fingerprint:
            return _skip(reminder, "changed")
        if _bought_since(cart=cart, email=reminder.email, since=cart.updated_at):
            return _skip(reminder, "bought")
        if not services.may_send(person=person, channel=Channel.EMAIL):
            return _skip(reminder, "no consent")
        if reminder.step == ReminderStep.SECOND and coupon_percent() > 0:
            coupon = pricing.create_personal_coupon(
                source_key=f"abandoned_cart:{reminder.pk}",
                origin=CouponOrigin.ABANDONED_CART,
                name=f"Abandoned cart {cart.pk}",
                kind=DiscountKind.PERCENT,
                value=Decimal(coupon_percent()),
                valid_days=int(getattr(settings, "MARKETING_CART_COUPON_VALID_DAYS", 7)),
                customer_id=reminder.user_id,
                channel=PriceChannel.WEB,
                prefix="CART",
            )
            reminder.coupon_code = coupon.code
        message = _message(reminder)
        if message is None:
            return _skip(reminder, "no consent")
        reminder.status, reminder.sent_at = ReminderStatus.SENT, timezone.now()
        reminder.save(update_fields=["status", "sent_at", "coupon_code"])
    try:
        message.send()
    except Exception:
        # Not sent: back to pending, so the task's retry sends it (the coupon is kept, by its key).
        CartReminder.objects.filter(pk=reminder.pk).update(status=ReminderStatus.PENDING, sent_at=None)
        raise
    return True


def _message(reminder: CartReminder) -> EmailMultiAlternatives | None:
    from . import messages

    cart = reminder.cart
    lines = list(cart.lines.select_related("variant__product").order_by("added_at", "id"))
    language = reminder.language or settings.LANGUAGE_CODE
    with translation.override(language):
        link = messages.site_url() + reverse("orders:cart-restore", kwargs={"token": restore_token(cart)})
        context = {
            "lines": [(line.variant.product.name, line.variant.sku, line.quantity) for line in lines],
            "link": link,
            "coupon_code": reminder.coupon_code,
            "coupon_percent": coupon_percent().normalize() if reminder.coupon_code else None,
            "second": reminder.step == ReminderStep.SECOND,
        }
        subject = (
            _("Your cart is still waiting for you")
            if reminder.step == ReminderStep.SECOND
            else _("You left something in your cart")
        )
        return messages.marketing_email(
            to=reminder.user if reminder.user is not None else reminder.email,
            subject=subject,
            text=render_to_string("marketing/email/cart_reminder.txt", context),
            html=render_to_string("marketing/email/cart_reminder.html", context),
        )
