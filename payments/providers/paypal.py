"""PayPal: an Orders v2 order (intent CAPTURE) per payment, approved by the shopper on PayPal, captured
when they come back to ``/<lang>/pay/paypal/return/?token=...``; webhooks
``PAYMENT.CAPTURE.COMPLETED`` / ``PAYMENT.CAPTURE.DENIED`` verified by PayPal's
verify-webhook-signature API.

``settings.PAYPAL_BASE_URL`` overrides the environment's host (the tests' local fake).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import requests
from django.conf import settings
from django.urls import reverse
from paypalserversdk.configuration import Configuration, Environment, Server
from paypalserversdk.exceptions.api_exception import ApiException
from paypalserversdk.http.auth.o_auth_2 import ClientCredentialsAuthCredentials
from paypalserversdk.models.amount_with_breakdown import AmountWithBreakdown
from paypalserversdk.models.checkout_payment_intent import CheckoutPaymentIntent
from paypalserversdk.models.money import Money
from paypalserversdk.models.order_request import OrderRequest
from paypalserversdk.models.payment_source import PaymentSource
from paypalserversdk.models.paypal_experience_user_action import PaypalExperienceUserAction
from paypalserversdk.models.paypal_wallet import PaypalWallet
from paypalserversdk.models.paypal_wallet_experience_context import PaypalWalletExperienceContext
from paypalserversdk.models.purchase_unit_request import PurchaseUnitRequest
from paypalserversdk.models.refund_request import RefundRequest
from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient

from core import safe_json
from payments.errors import InvalidWebhook, ProviderError

from .base import (
    CaptureResult,
    PaymentProvider,
    ProviderCapture,
    ProviderPayment,
    ProviderRefund,
    WebhookOutcome,
    WebhookPayload,
    money_string,
)

if TYPE_CHECKING:
    from payments.models import Payment

EVENT_OUTCOMES = {
    "PAYMENT.CAPTURE.COMPLETED": WebhookOutcome.SUCCEEDED,
    "PAYMENT.CAPTURE.DENIED": WebhookOutcome.FAILED,
    "PAYMENT.CAPTURE.DECLINED": WebhookOutcome.FAILED,
    "CHECKOUT.ORDER.VOIDED": WebhookOutcome.CANCELLED,
}
# The headers PayPal signs a webhook with, as the verify API names them.
SIGNATURE_HEADERS = {
    "auth_algo": "PAYPAL-AUTH-ALGO",
    "cert_url": "PAYPAL-CERT-URL",
    "transmission_id": "PAYPAL-TRANSMISSION-ID",
    "transmission_sig": "PAYPAL-TRANSMISSION-SIG",
    "transmission_time": "PAYPAL-TRANSMISSION-TIME",
}
DECLINED_ISSUES = {"INSTRUMENT_DECLINED", "PAYER_ACTION_REQUIRED", "TRANSACTION_REFUSED"}


def base_url() -> str:
    if settings.PAYPAL_BASE_URL:
        return settings.PAYPAL_BASE_URL.rstrip("/")
    return Configuration.environments[_environment()][Server.DEFAULT]


def client() -> PaypalServersdkClient:
    """One client per configuration, so its OAuth token is reused until it expires."""
    return _client(
        settings.PAYPAL_CLIENT_ID,
        settings.PAYPAL_CLIENT_SECRET,
        _environment().name,
        settings.PAYPAL_BASE_URL,
    )


@functools.lru_cache(maxsize=4)
def _client(client_id: str, secret: str, environment: str, override: str) -> PaypalServersdkClient:
    sdk = PaypalServersdkClient(
        client_credentials_auth_credentials=ClientCredentialsAuthCredentials(
            o_auth_client_id=client_id, o_auth_client_secret=secret
        ),
        environment=Environment[environment],
        timeout=settings.PAYMENTS_NETWORK_TIMEOUT,
        max_retries=settings.PAYMENTS_NETWORK_RETRIES,
    )
    if override:
        # get_base_uri reads self.environments: an instance attribute aims every call at the override.
        sdk.config.environments = {env: {Server.DEFAULT: override.rstrip("/")} for env in Environment}
    return sdk


def _environment() -> Environment:
    return Environment.PRODUCTION if settings.PAYPAL_ENVIRONMENT == "production" else Environment.SANDBOX


class PayPalProvider(PaymentProvider):
    name = "paypal"

    def create(self, payment: Payment) -> ProviderPayment:
        site = _site_origin(payment.return_url)
        body = OrderRequest(
            intent=CheckoutPaymentIntent.CAPTURE,
            purchase_units=[
                PurchaseUnitRequest(
                    amount=AmountWithBreakdown(
                        currency_code=payment.currency, value=money_string(payment.amount)
                    ),
                    reference_id=payment.order.number,
                    custom_id=str(payment.id),
                    invoice_id=payment.order.number,
                )
            ],
            payment_source=PaymentSource(
                paypal=PaypalWallet(
                    experience_context=PaypalWalletExperienceContext(
                        return_url=urljoin(site, reverse("payments:paypal-return")),
                        cancel_url=urljoin(site, reverse("payments:paypal-cancel")),
                        user_action=PaypalExperienceUserAction.PAY_NOW,
                        shipping_preference="NO_SHIPPING",
                    )
                )
            ),
        )
        try:
            response = client().orders.create_order(
                {"body": body, "paypal_request_id": f"create-{payment.id}", "prefer": "return=minimal"}
            )
        except (ApiException, requests.RequestException) as exc:
            raise ProviderError(detail={"provider": self.name, "error": _describe(exc)}) from exc
        order = response.body
        links = {link.rel: link.href for link in (getattr(order, "links", None) or [])}
        approve = links.get("payer-action") or links.get("approve")
        if not approve:
            raise ProviderError(
                detail={"provider": self.name, "error": "no approval link in PayPal's answer"}
            )
        return ProviderPayment(reference=order.id, redirect_url=approve)

    def capture(self, payment: Payment, **params: Any) -> ProviderCapture:
        try:
            response = client().orders.capture_order(
                {
                    "id": payment.provider_reference,
                    "paypal_request_id": f"capture-{payment.id}",
                    "prefer": "return=representation",
                }
            )
        except ApiException as exc:
            issue = _issue(exc)
            if exc.response_code == 422 and issue in DECLINED_ISSUES:
                return ProviderCapture(CaptureResult.FAILED, reason=f"PayPal: {issue}")
            raise ProviderError(detail={"provider": self.name, "error": _describe(exc)}) from exc
        except requests.RequestException as exc:
            raise ProviderError(detail={"provider": self.name, "error": _describe(exc)}) from exc
        order = response.body
        captures: list[Any] = []
        for unit in getattr(order, "purchase_units", None) or []:
            payments = getattr(unit, "payments", None)
            captures.extend(getattr(payments, "captures", None) or [])
        capture = captures[0] if captures else None
        status = str(getattr(capture, "status", "") or "")
        if capture is not None and order.status == "COMPLETED" and status == "COMPLETED":
            return ProviderCapture(CaptureResult.SUCCEEDED, capture_reference=capture.id)
        if capture is not None and status in ("DECLINED", "FAILED"):
            return ProviderCapture(
                CaptureResult.FAILED, capture_reference=capture.id, reason=f"PayPal: {status}"
            )
        return ProviderCapture(CaptureResult.PENDING, capture_reference=getattr(capture, "id", "") or "")

    def refund(self, payment: Payment, amount: Decimal, *, idempotency_key: str) -> ProviderRefund:
        try:
            response = client().payments.refund_captured_payment(
                {
                    "capture_id": payment.capture_reference,
                    "paypal_request_id": idempotency_key,
                    "prefer": "return=representation",
                    "body": RefundRequest(
                        amount=Money(currency_code=payment.currency, value=money_string(amount)),
                        invoice_id=payment.order.number,
                    ),
                }
            )
        except (ApiException, requests.RequestException) as exc:
            raise ProviderError(detail={"provider": self.name, "error": _describe(exc)}) from exc
        refund = response.body
        status = str(getattr(refund, "status", "") or "")
        return ProviderRefund(
            reference=refund.id, succeeded=status in ("COMPLETED", "PENDING"), reason=status
        )

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> WebhookPayload:
        if not settings.PAYPAL_WEBHOOK_ID:
            raise InvalidWebhook("PayPal webhooks are not configured (PAYPAL_WEBHOOK_ID).")
        signed = {field: headers.get(header, "") for field, header in SIGNATURE_HEADERS.items()}
        missing = sorted(header for field, header in SIGNATURE_HEADERS.items() if not signed[field])
        if missing:
            raise InvalidWebhook("PayPal signature headers are missing.", detail={"missing": missing})
        try:
            event = safe_json.loads(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidWebhook("The PayPal webhook body is not JSON.") from exc
        if not isinstance(event, dict) or not event.get("id") or not event.get("event_type"):
            raise InvalidWebhook("The PayPal event has no id or event_type.")
        if not self._verify(signed, event):
            raise InvalidWebhook("PayPal did not verify this webhook's signature.")
        resource = event.get("resource") or {}
        related = (
            ((resource.get("supplementary_data") or {}).get("related_ids") or {})
            if isinstance(resource, dict)
            else {}
        )
        event_type = str(event["event_type"])
        return WebhookPayload(
            event_id=str(event["id"]),
            type=event_type,
            outcome=EVENT_OUTCOMES.get(event_type, WebhookOutcome.IGNORED),
            provider_reference=str(
                related.get("order_id", "")
                or (resource.get("id", "") if event_type.startswith("CHECKOUT.ORDER") else "")
            ),
            capture_reference=str(resource.get("id", "")) if event_type.startswith("PAYMENT.CAPTURE") else "",
            payment_id=str(resource.get("custom_id", "")),
            reason=str((resource.get("status_details") or {}).get("reason", ""))[:250],
            data=event,
        )

    def _verify(self, signed: dict[str, str], event: dict) -> bool:
        """PayPal's verify-webhook-signature call (a network call: never inside a transaction)."""
        try:
            token = client().oauth_2.fetch_token()
            response = requests.post(
                f"{base_url()}/v1/notifications/verify-webhook-signature",
                json={**signed, "webhook_id": settings.PAYPAL_WEBHOOK_ID, "webhook_event": event},
                headers={"Authorization": f"Bearer {token.access_token}"},
                timeout=settings.PAYMENTS_NETWORK_TIMEOUT,
            )
        except (ApiException, requests.RequestException, AttributeError) as exc:
            raise ProviderError(detail={"provider": self.name, "error": _describe(exc)}) from exc
        if response.status_code != 200:
            raise ProviderError(
                detail={"provider": self.name, "error": f"verify answered {response.status_code}"}
            )
        try:
            return response.json().get("verification_status") == "SUCCESS"
        except ValueError:
            return False


def _site_origin(url: str) -> str:
    """The scheme and host to build PayPal's absolute return URLs with: the caller's return URL's
    when it is absolute, else ``settings.PAYMENTS_SITE_URL``."""
    if url.startswith(("http://", "https://")):
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{rest.split('/', 1)[0]}"
    return settings.PAYMENTS_SITE_URL.rstrip("/")


def _issue(exc: ApiException) -> str:
    details = getattr(exc, "details", None) or []
    for detail in details:
        issue = getattr(detail, "issue", None)
        if issue:
            return str(issue)
    return str(getattr(exc, "name", "") or "")


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:250]
