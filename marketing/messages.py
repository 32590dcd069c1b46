"""Marketing e-mails: every one carries a one-click unsubscribe, and none leaves without consent.

``marketing_email`` builds the message (Django's mail API; the provider is ``EMAIL_BACKEND``) with
RFC 2369 / RFC 8058 headers::

    List-Unsubscribe: <https://shop.example.com/u/<signed token>/>, <mailto:unsubscribe@...?subject=...>
    List-Unsubscribe-Post: List-Unsubscribe=One-Click

and returns None, building nothing, when ``services.may_send`` says no (no granted consent, or the
address is suppressed). The caller sends it (``message.send()``) in a task, after commit.

``send_newsletter_confirmation`` is the double opt-in e-mail: a transactional message (it is the
request for consent, so it needs none), with the signed, expiring confirmation link.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User

from . import services, tokens
from .models import Channel, Consent, ConsentStatus


def site_url() -> str:
    return str(getattr(settings, "MARKETING_SITE_URL", "") or settings.PAYMENTS_SITE_URL).rstrip("/")


def unsubscribe_url(*, address: str, channel: str = Channel.EMAIL) -> str:
    token = services.unsubscribe_token(channel=channel, address=address)
    return site_url() + reverse("marketing-unsubscribe", kwargs={"token": token})


def unsubscribe_headers(*, address: str) -> dict[str, str]:
    links = [f"<{unsubscribe_url(address=address)}>"]
    mailto = str(getattr(settings, "MARKETING_UNSUBSCRIBE_MAILTO", "") or "")
    if mailto:
        links.append(f"<mailto:{mailto}?subject={quote('unsubscribe ' + address)}>")
    return {
        "List-Unsubscribe": ", ".join(links),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def marketing_email(
    *,
    to: User | str,
    subject: str,
    text: str,
    html: str | None = None,
    from_email: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives | None:
    """A marketing e-mail to one person, or None when they may not receive one."""
    if not services.may_send(person=to, channel=Channel.EMAIL):
        return None
    address = services.address_of(person=to, channel=Channel.EMAIL)
    if address is None:  # may_send already said no; this satisfies the type checker
        return None
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={**(headers or {}), **unsubscribe_headers(address=address)},
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def send_newsletter_confirmation(*, consent_id: int) -> bool:
    """The double opt-in e-mail; False (nothing sent) when the consent is no longer pending."""
    consent = Consent.objects.filter(pk=consent_id).first()
    if consent is None or consent.status != ConsentStatus.PENDING:
        return False
    language = consent.language or settings.LANGUAGE_CODE
    with translation.override(language):
        link = site_url() + reverse(
            "marketing:confirm", kwargs={"token": services.confirmation_token(consent)}
        )
        context = {"link": link, "days": max(1, tokens.confirm_max_age() // 86400)}
        message = EmailMultiAlternatives(
            subject=_("Confirm your subscription to our newsletter"),
            body=render_to_string("marketing/email/confirm.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[consent.address],
        )
        message.attach_alternative(render_to_string("marketing/email/confirm.html", context), "text/html")
    message.send()
    return True
