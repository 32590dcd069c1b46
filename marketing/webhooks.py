"""The e-mail provider's tracking webhook: hard bounces and complaints suppress the address.

django-anymail parses each provider's event format and sends its ``tracking`` signal; the receiver
below (connected in ``MarketingConfig.ready``) hands each event to one service,
``services.record_delivery_event``. Anymail's signal is the integration point it offers; nothing of
ours is a signal.

``tracking_webhook`` serves ``/anymail/<provider>/tracking/`` (``config.urls``) for the providers of
``config.email.PROVIDERS``. It answers 404 until ``ANYMAIL_WEBHOOK_SECRET`` is set (Anymail alone
would accept unauthenticated posts, with a warning); with it, a post without the right basic-auth
credentials is a 400 from Anymail and writes nothing, and so is a body not in the provider's format.
"""

from __future__ import annotations

from typing import Any

from anymail.signals import AnymailTrackingEvent, tracking  # type: ignore[import-untyped]
from anymail.webhooks.brevo import BrevoTrackingWebhookView  # type: ignore[import-untyped]
from anymail.webhooks.mailgun import MailgunTrackingWebhookView  # type: ignore[import-untyped]
from anymail.webhooks.postmark import PostmarkTrackingWebhookView  # type: ignore[import-untyped]
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView  # type: ignore[import-untyped]
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt

from . import services

TRACKING_VIEWS = {
    "postmark": PostmarkTrackingWebhookView.as_view(),
    "mailgun": MailgunTrackingWebhookView.as_view(),
    "brevo": BrevoTrackingWebhookView.as_view(),
    "sendgrid": SendGridTrackingWebhookView.as_view(),
}


def webhook_secret() -> str:
    return str((getattr(settings, "ANYMAIL", None) or {}).get("WEBHOOK_SECRET") or "")


@csrf_exempt
def tracking_webhook(request: HttpRequest, provider: str) -> HttpResponse:
    view = TRACKING_VIEWS.get(provider)
    if view is None or not webhook_secret():
        raise Http404("No such webhook.")
    try:
        response: HttpResponse = view(request)
    except (ValueError, KeyError, TypeError):  # not the provider's format (Anymail parses it)
        return HttpResponseBadRequest("Not a tracking event of this provider.")
    return response


def on_tracking(sender: Any, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any) -> None:
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    services.record_delivery_event(
        event_type=str(event.event_type or ""),
        recipient=str(event.recipient or ""),
        provider=esp_name,
        reject_reason=str(event.reject_reason or ""),
        esp_type=str(esp_event.get("Type") or "") if esp_name == "Postmark" else "",
    )


def connect() -> None:
    tracking.connect(on_tracking, dispatch_uid="marketing.webhooks.on_tracking")
