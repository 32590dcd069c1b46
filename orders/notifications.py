"""What we tell customers about their orders: e-mails (and a text message when a pickup is ready,
a parcel left or arrived).

Flow: a service that changes an order calls ``schedule_email`` / ``schedule_sms`` inside its
transaction, which writes an outbox message (``core.outbox``); after commit a Celery task
(``orders.tasks``) gets the order id and calls ``send_order_email`` / ``send_order_sms`` here.
Each message is rendered in the order's ``language`` (``translation.override``) from
``templates/orders/email/<kind>_subject.txt``, ``<kind>.txt`` and ``<kind>.html``.

Once only: every (order, kind, channel, reference) has one ``NotificationLog`` row (``reference``
is empty except for refund e-mails, one per refund action, and messages staff sent again). A task
claims it, sends, then stamps ``sent_at``; a task that runs again finds it sent and does nothing. A
failed send clears the claim and raises, so Celery retries it. A claim older than ``CLAIM_LEASE``
(a worker that died mid-send) can be taken again: a message may then go out twice, never zero times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext

from catalog import selectors as catalog_selectors
from catalog.images import Thumbnail, choose_photo, email_thumbnail
from core import outbox, sms
from shops.selectors import shop_by_id

from .fulfilment import fulfilment_state
from .models import Order, OrderStatus
from .notification_log import NotificationChannel, NotificationKind, NotificationLog
from .order_actions import OrderAction
from .proof import proof_barcode_value

CLAIM_LEASE = dt.timedelta(minutes=10)
EMAIL_KINDS = set(NotificationKind.values) - {NotificationKind.RESERVATION_STORE}
RESERVATION_KINDS = {
    NotificationKind.RESERVED,
    NotificationKind.RESERVATION_REMINDER,
    NotificationKind.RESERVATION_EXPIRED,
}
SMS_KINDS = {NotificationKind.READY_FOR_PICKUP, NotificationKind.SHIPPED, NotificationKind.DELIVERED}


def schedule_email(*, order_id: int, kind: str, reference: str = "") -> None:
    """Send ``kind`` by e-mail once the current transaction commits (through the outbox).

    ``reference``: empty for a message an order gets once; an ``OrderAction`` id for a refund
    e-mail (one per refund action); ``resend-<action id>`` for a message staff sent again."""
    from . import tasks

    if reference:
        outbox.enqueue(tasks.send_order_email, order_id=order_id, kind=kind, reference=reference)
    else:
        outbox.enqueue(tasks.send_order_email, order_id=order_id, kind=kind)


def schedule_sms(*, order_id: int, kind: str, reference: str = "") -> None:
    """Send ``kind`` by text message once the current transaction commits (through the outbox)."""
    from . import tasks

    if reference:
        outbox.enqueue(tasks.send_order_sms, order_id=order_id, kind=kind, reference=reference)
    else:
        outbox.enqueue(tasks.send_order_sms, order_id=order_id, kind=kind)


def send_order_email(*, order_id: int, kind: str, reference: str = "") -> bool:
    """Send the ``kind`` e-mail of an order unless it already went out. True when sent now."""
    if kind not in EMAIL_KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    order = Order.objects.select_related("location").filter(pk=order_id).first()
    if order is None or not order.email:
        return False
    log = _claim(
        order_id=order.pk,
        kind=kind,
        channel=NotificationChannel.EMAIL,
        recipient=order.email,
        reference=reference,
    )
    if log is None:
        return False
    try:
        build_order_email(order, kind, reference=reference).send()
    except Exception as exc:
        _release_claim(log, exc)
        raise
    _mark_sent(log)
    return True


COMPANY_KINDS = {
    NotificationKind.APPROVAL_REQUEST,
    NotificationKind.APPROVAL_DECISION,
    NotificationKind.OVERDUE_REMINDER,
}


def schedule_company_email(*, order_id: int, kind: str, reference: str = "") -> int:
    """A B2B e-mail about an order (``COMPANY_KINDS``), sent after commit through the outbox, once per
    (order, kind, reference). Returns 1 when scheduled, 0 when it already went out."""
    from . import tasks

    if NotificationLog.objects.filter(
        order_id=order_id,
        kind=kind,
        channel=NotificationChannel.EMAIL,
        reference=reference,
        sent_at__isnull=False,
    ).exists():
        return 0
    outbox.enqueue(tasks.send_company_email, order_id=order_id, kind=kind, reference=reference)
    return 1


def company_recipients(order: Order, kind: str) -> list[str]:
    """Who a B2B e-mail goes to: the approvers (approval request), the buyer (the decision), the
    company's administrators (overdue reminder)."""
    from accounts.models import CompanyMember, CompanyRole

    if kind == NotificationKind.APPROVAL_DECISION:
        return [order.email] if order.email else []
    if order.company_id is None:
        return []
    roles = (
        [CompanyRole.APPROVER, CompanyRole.ADMIN]
        if kind == NotificationKind.APPROVAL_REQUEST
        else [CompanyRole.ADMIN]
    )
    return sorted(
        CompanyMember.objects.filter(company_id=order.company_id, role__in=roles).values_list(
            "user__email", flat=True
        )
    )


def send_company_email(*, order_id: int, kind: str, reference: str = "") -> bool:
    """Send a B2B e-mail of an order unless it already went out. True when sent now."""
    if kind not in COMPANY_KINDS:
        raise ValueError(f"Unknown B2B notification kind {kind!r}")
    order = Order.objects.select_related("location", "company", "customer").filter(pk=order_id).first()
    if order is None or order.company_id is None:
        return False
    to = company_recipients(order, kind)
    if not to:
        return False
    log = _claim(
        order_id=order.pk, kind=kind, channel=NotificationChannel.EMAIL, recipient=", ".join(to)[:254],
        reference=reference,
    )  # fmt: skip
    if log is None:
        return False
    try:
        message = build_order_email(order, kind, reference=reference)
        message.to = to
        message.send()
    except Exception as exc:
        _release_claim(log, exc)
        raise
    _mark_sent(log)
    return True


def send_order_sms(*, order_id: int, kind: str, reference: str = "") -> bool:
    """Send the ``kind`` text message of an order unless it already went out. True when sent now.

    An order without a phone, or with a number that cannot take texts, gets none (no retry)."""
    if kind not in SMS_KINDS:
        raise ValueError(f"No text message for {kind!r}")
    order = Order.objects.select_related("location").filter(pk=order_id).first()
    if order is None or not order.phone:
        return False
    try:
        to = sms.normalize_phone(order.phone)
    except sms.InvalidPhoneNumber:
        return False
    log = _claim(
        order_id=order.pk, kind=kind, channel=NotificationChannel.SMS, recipient=to, reference=reference
    )
    if log is None:
        return False
    try:
        sms.send_sms(to, render_order_sms(order, kind))
    except Exception as exc:
        _release_claim(log, exc)
        raise
    _mark_sent(log)
    return True


# --- rendering ------------------------------------------------------------------------------------


def order_language(order: Order) -> str:
    return email_language(order.language)


def email_language(code: str) -> str:
    """``code`` if the platform speaks it, else its default language."""
    codes = {code for code, _ in settings.LANGUAGES}
    return code if code in codes else settings.LANGUAGE_CODE


def build_order_email(order: Order, kind: str, *, reference: str = "") -> EmailMultiAlternatives:
    """The e-mail, rendered in the order's language: subject, plain text and an HTML alternative."""
    language = order_language(order)
    with translation.override(language):
        context = _context(order, kind, reference=reference)
        names = _template_names(order)
        context["brand"] = _brand(order)
        subject = " ".join(render_to_string(names(f"{kind}_subject.txt"), context).split())
        text = render_to_string(names(f"{kind}.txt"), context)
        html = render_to_string(names(f"{kind}.html"), context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=_sender(order),
        to=[order.email],
        headers={"Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    return message


def render_order_sms(order: Order, kind: str) -> str:
    from .services.pickup import pickup_deadline

    with translation.override(order_language(order)):
        if kind == NotificationKind.SHIPPED:
            parcels = fulfilment_state().parcels(order.pk)
            links = " ".join(p.tracking_url for p in parcels if p.tracking_url)
            return gettext("%(shop)s: your order %(number)s has shipped.") % {
                "shop": _shop_name(order),
                "number": order.number,
            } + (" " + gettext("Tracking: %(links)s") % {"links": links} if links else "")
        if kind == NotificationKind.DELIVERED:
            return gettext("%(shop)s: your order %(number)s has been delivered. Thank you!") % {
                "shop": _shop_name(order),
                "number": order.number,
            }
        deadline = pickup_deadline(order)
        return gettext(
            "%(shop)s: your order %(number)s is ready at %(store)s. Please collect it by %(deadline)s."
        ) % {
            "shop": _shop_name(order),
            "number": order.number,
            "store": order.location.name,
            "deadline": dateformat.format(timezone.localtime(deadline), "l j F") if deadline else "",
        }


def send_store_reservation_notice(*, order_id: int) -> bool:
    """Tell the store, at its own address, that a shopper reserved items to try there (once)."""
    order = Order.objects.select_related("location", "e_reservation").filter(pk=order_id).first()
    if order is None or not order.location.email:
        return False
    log = _claim(
        order_id=order.pk,
        kind=NotificationKind.RESERVATION_STORE,
        channel=NotificationChannel.EMAIL,
        recipient=order.location.email,
    )
    if log is None:
        return False
    try:
        with translation.override(settings.LANGUAGE_CODE):
            context = _context(order, NotificationKind.RESERVATION_STORE)
            subject = " ".join(
                render_to_string("orders/email/reservation_store_subject.txt", context).split()
            )
            text = render_to_string("orders/email/reservation_store.txt", context)
        EmailMultiAlternatives(
            subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[order.location.email]
        ).send()
    except Exception as exc:
        _release_claim(log, exc)
        raise
    _mark_sent(log)
    return True


def reservation_url(order: Order) -> str:
    """The shopper's page for a reservation (see it, cancel it), with its token: works signed out."""
    from django.urls import reverse

    from .services.ereservation import cancel_token

    path = reverse("orders:reservation", args=[order.number])
    return f"{settings.PAYMENTS_SITE_URL.rstrip('/')}{path}?t={cancel_token(order)}"


def _context(order: Order, kind: str, *, reference: str = "") -> dict[str, Any]:
    from .services.pickup import pickup_deadline

    if kind in RESERVATION_KINDS or kind == NotificationKind.RESERVATION_STORE:
        hold = getattr(order, "e_reservation", None)
        return {
            "order": order,
            "lines": list(order.lines.all()),
            "store": order.location,
            "shop_name": _shop_name(order),
            "hold": hold,
            "hold_until": timezone.localtime(hold.hold_until) if hold else None,
            "reservation_url": reservation_url(order),
        }

    last_change = order.status_changes.order_by("-created_at", "-id").first()
    refund = None
    lines = list(order.lines.select_related("variant").prefetch_related("variant__option_values"))
    if kind == NotificationKind.REFUND and reference.isdigit():
        refund = OrderAction.objects.filter(order=order, pk=int(reference)).first()
    return {
        "parcels": fulfilment_state().parcels(order.pk) if kind == NotificationKind.SHIPPED else [],
        "refund": refund,
        "refund_lines": [{**row, "amount": Decimal(row["amount"])} for row in refund.lines] if refund else [],
        "order": order,
        "return_code": proof_barcode_value(order.number),  # proves the order at a till (orders.proof)
        "lines": lines,
        "line_photos": _line_photos(lines),
        "store": order.location,
        "shop_name": _shop_name(order),
        "is_click_and_collect": order.delivery_method == "click_collect",
        "pickup_deadline": pickup_deadline(order) if kind == NotificationKind.READY_FOR_PICKUP else None,
        "pickup_days": settings.CLICK_COLLECT_PICKUP_DAYS,
        "hold_hours": settings.B2B_APPROVAL_HOLD_HOURS,
        "pay_url": _pay_url(order) if kind == NotificationKind.APPROVAL_DECISION else "",
        "uncollected": bool(
            kind == NotificationKind.CANCELLATION
            and last_change
            and last_change.from_status == OrderStatus.READY_FOR_PICKUP
        ),
    }


def _line_photos(lines: list[Any]) -> list[tuple[Any, Thumbnail | None]]:
    """Each line with its product's photo for the e-mail (the variant's colour first; an absolute URL
    of a small rendition; alt text in the language active here, the order's), None: no photo. 1 query."""
    photos = catalog_selectors.photos_by_product({line.variant.product_id for line in lines})
    site = str(getattr(settings, "SITE_URL", "") or settings.PAYMENTS_SITE_URL)
    rows: list[tuple[Any, Thumbnail | None]] = []
    for line in lines:
        colours = [value.pk for value in line.variant.option_values.all()]
        photo = choose_photo(photos.get(line.variant.product_id, []), colours)
        rows.append(
            (line, email_thumbnail(photo, alt=photo.alt or line.name, site_url=site) if photo else None)
        )
    return rows


def _pay_url(order: Order) -> str:
    """Where the buyer of an approved order pays it (its confirmation page, in the e-mail's language)."""
    from django.urls import reverse

    site = str(getattr(settings, "SITE_URL", "") or settings.PAYMENTS_SITE_URL).rstrip("/")
    return site + reverse("orders:confirmation", kwargs={"number": order.number})


def _shop_name(order: Order) -> str:
    return shop_name(order.shop_id)


def shop_name(shop_id: int | None) -> str:
    """The name of the shop a message is about (an order's, a quote's); the platform's for the stores."""
    shop = shop_by_id(shop_id)
    return shop.name if shop is not None else getattr(settings, "SHOP_NAME", "Maison Corsica")


def _template_names(order: Order) -> Callable[[str], list[str]]:
    return template_names(order.shop_id)


def template_names(shop_id: int | None) -> Callable[[str], list[str]]:
    """A shop's own e-mail templates first: ``templates/shops/<code>/orders/email/<name>`` when a
    brand has its own wording or layout (any of the files; the others stay the platform's), then
    ``templates/orders/email/<name>``. ``render_to_string`` takes the first that exists."""
    shop = shop_by_id(shop_id)

    def names(name: str) -> list[str]:
        platform = f"orders/email/{name}"
        return [f"shops/{shop.code}/{platform}", platform] if shop is not None else [platform]

    return names


def _brand(order: Order) -> str:
    return shop_brand(order.shop_id)


def shop_brand(shop_id: int | None) -> str:
    """The shop's brand colour for the e-mail's header (its design token), else the platform's."""
    shop = shop_by_id(shop_id)
    return (shop.tokens.get("brand", "") if shop is not None else "") or "#7a2e1d"


def _sender(order: Order) -> str:
    return shop_sender(order.shop_id)


def shop_sender(shop_id: int | None) -> str:
    """The From of the shop (``Shop.email_from``), else the platform's."""
    shop = shop_by_id(shop_id)
    return shop.email_from if shop is not None and shop.email_from else settings.DEFAULT_FROM_EMAIL


# --- the once-only log ----------------------------------------------------------------------------


def _claim(
    *, order_id: int, kind: str, channel: str, recipient: str, reference: str = ""
) -> NotificationLog | None:
    """Take the (order, kind, channel, reference) row for sending, or None if sent or being sent."""
    with transaction.atomic():
        log, _ = NotificationLog.objects.get_or_create(
            order_id=order_id,
            kind=kind,
            channel=channel,
            reference=reference,
            defaults={"recipient": recipient},
        )
        log = NotificationLog.objects.select_for_update().get(pk=log.pk)
        now = timezone.now()
        if log.sent_at is not None or (log.claimed_at is not None and log.claimed_at > now - CLAIM_LEASE):
            return None
        log.claimed_at = now
        log.attempts += 1
        log.recipient = recipient
        log.save(update_fields=["claimed_at", "attempts", "recipient"])
    return log


def _mark_sent(log: NotificationLog) -> None:
    NotificationLog.objects.filter(pk=log.pk).update(sent_at=timezone.now(), claimed_at=None, last_error="")


def _release_claim(log: NotificationLog, exc: Exception) -> None:
    NotificationLog.objects.filter(pk=log.pk).update(claimed_at=None, last_error=str(exc)[:250])
