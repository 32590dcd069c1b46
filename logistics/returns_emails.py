"""The e-mails of a portal return, in the order's language: ``requested`` (the RMA number and, for a
parcel, the label link) and ``refunded`` (the amount and how). Templates:
``templates/logistics/email/return_<kind>_subject.txt``, ``.txt`` and ``.html``.

Once only: the outbox message that asks for each (RMA, kind) has a unique key
(``services_returns._owe_email``), and the task runs each message once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from orders.notifications import order_language

from .returns_models import ReturnMethod, ReturnRefundChoice, ReturnRequest

KINDS = ("requested", "refunded")


def site_url() -> str:
    return str(getattr(settings, "SITE_URL", "") or settings.PAYMENTS_SITE_URL).rstrip("/")


def portal_url(rma: ReturnRequest, name: str = "accounts:return") -> str:
    """The shopper's RMA page (or its label) on the portal, absolute; "" if the portal is not mounted."""
    try:
        return site_url() + reverse(name, args=[rma.number])
    except NoReverseMatch:
        return ""


def send_return_email(*, request_id: int, kind: str) -> bool:
    if kind not in KINDS:
        raise ValueError(f"Unknown return e-mail {kind!r}")
    rma = ReturnRequest.objects.select_related("order").filter(pk=request_id).first()
    if rma is None or not rma.order.email:
        return False
    build_return_email(rma, kind).send()
    return True


def build_return_email(rma: ReturnRequest, kind: str) -> EmailMultiAlternatives:
    order = rma.order
    language = order_language(order)
    with translation.override(language):
        context = _context(rma)
        subject = " ".join(render_to_string(f"logistics/email/return_{kind}_subject.txt", context).split())
        text = render_to_string(f"logistics/email/return_{kind}.txt", context)
        html = render_to_string(f"logistics/email/return_{kind}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.email],
        headers={"Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    return message


def _context(rma: ReturnRequest) -> dict[str, Any]:
    lines = list(rma.lines.select_related("order_line").order_by("id"))
    return {
        "rma": rma,
        "order": rma.order,
        "lines": lines,
        "by_post": rma.method == ReturnMethod.POST,
        "label_url": portal_url(rma, "accounts:return-label") if rma.label_pdf else "",
        "page_url": portal_url(rma),
        "store_credit": rma.refund_choice == ReturnRefundChoice.STORE_CREDIT,
        "damaged_units": sum(line.quantity_damaged for line in lines),
        "window_days": getattr(settings, "RETURN_WINDOW_DAYS", 14),
        "shop_name": getattr(settings, "SHOP_NAME", "Maison Corsica"),
    }
