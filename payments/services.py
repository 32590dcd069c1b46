"""Taking payment for web orders, and giving it back.

The contract the checkout relies on: ``available_providers``, ``start_payment``,
``confirm_test_payment``, ``refund_order`` and ``handle_webhook``; after sales use
``refund_amount`` (a partial refund, idempotent per key).

How a payment moves (``PAYMENT_TRANSITIONS``; every move is one ``PaymentEvent`` row):

- ``start_payment`` writes a pending ``Payment`` (older pending payments of the order are
  superseded: cancelled, the order left alone), then asks the provider, outside any transaction.
- Success (test page, Stripe webhook or return, PayPal capture or webhook): the payment becomes
  captured and the order paid (by the orders app, through ``payments.ports.PayableOrders``: payments
  reports the outcome, orders applies it; payments never imports orders). If the order can no longer
  be paid (its reservation expired while the shopper was paying, it was cancelled, or another
  payment paid it first) the order is cancelled if still awaiting payment and the money is
  refunded at once, after the commit.
- Failure or abandon: the payment becomes failed / cancelled; the order stays awaiting payment
  with its reservations, so the shopper may start another payment (same or another provider) for
  it until the reservation expires. Then ``orders.services.abandoned.cancel_abandoned_orders``
  cancels it and releases the stock (no live payment, reservation expired).
- Monotonic: a failure after a success, a second success or a replayed webhook changes nothing (a
  ``PaymentEvent`` says it was ignored). A success after a failure is money we hold: it is recorded
  and refunded if the order cannot take it (cancelled by then, or paid by another attempt); if the
  order still awaits payment and its reservation holds, it pays the order.
- Two attempts for one order: ``start_payment`` supersedes (cancels) the older open attempt, and
  the order's row lock serialises successes: the first captured payment pays the order, any later
  one finds it paid (``payment_captured`` refuses) and is refunded at once.

Network calls never run inside a database transaction: the write-side steps are
``transaction.atomic(durable=True)`` blocks between provider calls. ``refund_order`` and
``refund_amount`` may be called from inside a caller's transaction (cancelling a paid order): they
then write the pending refunds in that transaction and an outbox message (``core.outbox``) per
refund that calls the provider after it commits.

Refunds: a payment may be refunded in several parts; its live (pending or succeeded) refunds never
add up to more than it captured (checked under the order's and the payment's row locks). It
becomes refunded when its succeeded refunds reach what it captured, and stays captured until then.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import metrics, outbox
from core.idempotency import run_once
from core.urls_safety import is_safe_url

from .errors import (
    InvalidRefundAmount,
    InvalidReturnUrl,
    OrderNotPayable,
    ProviderError,
    RefundExceedsCaptured,
    UnknownPayment,
    UnknownProvider,
    WrongProvider,
)
from .models import Payment, PaymentEvent, PaymentStatus, Provider, Refund, RefundStatus, WebhookEvent
from .ports import OrderRef, payable_orders
from .providers import CaptureResult, WebhookOutcome, get_provider
from .providers.base import ProviderCapture, WebhookPayload

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")

# Which status may follow which. A late success after a failure or a cancel is allowed: the money
# is ours, so it is recorded (and refunded when the order cannot take it).
PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    PaymentStatus.PENDING: {
        PaymentStatus.AUTHORIZED,
        PaymentStatus.CAPTURED,
        PaymentStatus.FAILED,
        PaymentStatus.CANCELLED,
    },
    PaymentStatus.AUTHORIZED: {PaymentStatus.CAPTURED, PaymentStatus.FAILED, PaymentStatus.CANCELLED},
    PaymentStatus.FAILED: {PaymentStatus.CAPTURED},
    PaymentStatus.CANCELLED: {PaymentStatus.CAPTURED},
    PaymentStatus.CAPTURED: {PaymentStatus.REFUNDED},
    PaymentStatus.REFUNDED: set(),
}
OPEN_STATUSES = (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED)


@dataclass(frozen=True)
class PaymentStart:
    payment_id: str
    provider: str
    status: str
    redirect_url: str
    client_secret: str
    provider_reference: str


@dataclass(frozen=True)
class WebhookResult:
    event_id: str
    type: str
    result: str  # captured, failed, cancelled, ignored, unknown_payment, duplicate, ...
    duplicate: bool = False
    payment_id: str = ""


# --- the contract -----------------------------------------------------------------------------


def available_providers() -> list[str]:
    """The providers the shopper may choose, in display order."""
    names = []
    if settings.PAYMENTS_TEST_PROVIDER:
        names.append(Provider.TEST.value)
    if settings.STRIPE_SECRET_KEY:
        names.append(Provider.STRIPE.value)
    if settings.PAYPAL_CLIENT_ID:
        names.append(Provider.PAYPAL.value)
    return names


def start_payment(
    *, order: OrderRef, provider: str, return_url: str, cancel_url: str, site_host: str | None = None
) -> PaymentStart:
    """Open a payment for an order awaiting payment; the shopper's browser goes to ``redirect_url``.

    ``return_url`` / ``cancel_url``: a path on this site, or an http(s) URL on ``site_host`` (the host
    of the request that asked) or on a host of ``settings.PAYMENTS_RETURN_URL_HOSTS``
    (``core.urls_safety``); anything else is ``InvalidReturnUrl`` (400), nothing written.

    Refused (nothing written): an unavailable provider, a bad URL, an order not awaiting payment.
    If the provider cannot be reached the payment is recorded as failed (the order stays awaiting
    payment, so the shopper may try again) and ``ProviderError`` (502) is raised.
    """
    if provider not in available_providers():
        raise UnknownProvider(detail={"provider": provider, "available": available_providers()})
    _check_url(return_url, "return_url", site_host=site_host)
    _check_url(cancel_url, "cancel_url", site_host=site_host)
    payment = _open_payment(order=order, provider=provider, return_url=return_url, cancel_url=cancel_url)
    try:
        created = get_provider(provider).create(payment)  # network: outside any transaction
    except ProviderError as exc:
        with transaction.atomic(durable=True):
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            _move(locked, PaymentStatus.FAILED, kind="create_failed", source="start", note=str(exc.detail))
        raise
    with transaction.atomic(durable=True):
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        payment.provider_reference = created.reference
        payment.client_secret = created.client_secret
        payment.redirect_url = created.redirect_url
        payment.save(update_fields=["provider_reference", "client_secret", "redirect_url", "updated_at"])
        _log(payment, "opened", source="start", note=created.reference)
    return PaymentStart(
        payment_id=str(payment.pk),
        provider=payment.provider,
        status=payment.status,
        redirect_url=payment.redirect_url,
        client_secret=payment.client_secret,
        provider_reference=payment.provider_reference,
    )


def confirm_test_payment(*, payment_id, succeed: bool = True) -> Payment:
    """The test provider's page: "Pay" (succeed) or "Decline". Replaying either changes nothing."""
    if Provider.TEST not in available_providers():  # never in production: it pays for free
        raise UnknownProvider(detail={"provider": Provider.TEST.value, "available": available_providers()})
    payment = _get_payment(payment_id)
    if payment.provider != Provider.TEST:
        raise WrongProvider(detail={"payment_id": str(payment.pk), "provider": payment.provider})
    capture = get_provider(Provider.TEST).capture(payment, succeed=succeed)
    return _settle(payment.pk, capture, source="test page")


def refund_order(*, order: OrderRef, reason: str, user: User | None = None) -> Refund | None:
    """Refund what remains of every captured payment of the order (all of it when nothing was
    refunded before); None when nothing was captured.

    Idempotent: the refunds are keyed ``"full"``, so calling again returns the first one. Called
    outside a transaction, the provider is asked at once and the returned refund says how it went;
    called inside one, the refunds are written pending and the provider is asked after the commit.
    When an earlier partial refund left nothing, the latest live refund of the order is returned.
    """
    refunds = _refund(order_id=order.pk, amount=None, key=FULL_REFUND_KEY, reason=reason, user=user)
    if refunds:
        return refunds[0]
    return (
        Refund.objects.filter(payment__order_id=order.pk)
        .exclude(status=RefundStatus.FAILED)
        .order_by("-created_at", "-pk")
        .first()
    )


def refund_amount(
    *, order: OrderRef, amount: Decimal, key: str, reason: str, user: User | None = None
) -> list[Refund]:
    """Give ``amount`` (in the order's currency) back over the order's captured payments, the latest
    first, never more per payment than it captured minus its live (pending or succeeded) refunds.

    The order's row, then its payments' rows are locked (``select_for_update``) while the room is
    summed and the refunds written, so two refunds asked at once cannot together exceed what was
    captured: the second one sees the first and, if the sum would exceed, gets
    ``RefundExceedsCaptured`` (409) with nothing written. ``InvalidRefundAmount`` (400) for an amount
    that is not more than nothing to the cent.

    Idempotent per ``key`` (required): the same key returns the same refunds. Inside a transaction
    the refunds are written pending and the provider is asked after commit (``core.outbox``, the
    ``execute_refund`` task); outside one it is asked at once. A payment whose refunds reach what it
    captured becomes refunded; a payment refunded in part stays captured.
    """
    try:
        value = Decimal(amount)
    except (ArithmeticError, TypeError, ValueError):
        raise InvalidRefundAmount(detail={"amount": str(amount)}) from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise InvalidRefundAmount(detail={"amount": str(amount)})
    key = (key or "").strip()
    if not key or len(key) > 80:
        raise InvalidRefundAmount(
            _("A refund needs an idempotency key of 1 to 80 characters."), detail={"key": key[:80]}
        )
    return _refund(order_id=order.pk, amount=value, key=key, reason=reason, user=user)


def handle_webhook(*, provider: str, payload: bytes, headers: Mapping[str, str]) -> WebhookResult:
    """Verify, apply once, answer. A bad signature raises ``InvalidWebhook`` and writes nothing; a
    replayed event id changes nothing (``duplicate=True``): ``core.idempotency.run_once`` keyed by
    the provider's event id, with the ``WebhookEvent`` log's unique constraint behind it for events
    older than the idempotency records."""
    if provider not in (Provider.STRIPE, Provider.PAYPAL):
        raise UnknownProvider(detail={"provider": provider})
    event = get_provider(provider).parse_webhook(payload, headers)  # may call the provider: no transaction
    try:
        once = run_once(
            scope=f"webhook:{provider}", key=event.event_id[:120], fn=lambda: _apply_webhook(provider, event)
        )
    except _Duplicate:
        once = None
    if once is None or once.replayed:
        logger.info("payments: duplicate %s webhook %s ignored", provider, event.event_id)
        return WebhookResult(event_id=event.event_id, type=event.type, result="duplicate", duplicate=True)
    if once.value["refund_payment_id"]:
        _refund_unfulfillable(once.value["refund_payment_id"])
    return WebhookResult(
        event_id=event.event_id,
        type=event.type,
        result=once.value["result"],
        payment_id=once.value["payment_id"],
    )


def _apply_webhook(provider: str, event: WebhookPayload) -> dict[str, str]:
    """Inside ``run_once``'s transaction: log the event, apply its outcome to the payment."""
    try:
        with transaction.atomic():
            record = WebhookEvent.objects.create(
                provider=provider, event_id=event.event_id[:120], type=event.type[:80], payload=event.data
            )
    except IntegrityError:
        raise _Duplicate() from None
    payment = _find_payment(provider, event)
    refund_payment_id = ""
    if payment is None:
        result = "unknown_payment"
    elif event.outcome == WebhookOutcome.SUCCEEDED:
        result, needs_refund = _apply_success(
            payment.pk, capture_reference=event.capture_reference, source=f"webhook {event.type}"
        )
        refund_payment_id = str(payment.pk) if needs_refund else ""
    elif event.outcome in (WebhookOutcome.FAILED, WebhookOutcome.CANCELLED):
        status = PaymentStatus.FAILED if event.outcome == WebhookOutcome.FAILED else PaymentStatus.CANCELLED
        result = _apply_failure(
            payment.pk, status=status, reason=event.reason or event.type, source=f"webhook {event.type}"
        )
    else:
        result = "ignored"
    record.payment = payment
    record.result = result
    record.processed_at = timezone.now()
    record.save(update_fields=["payment", "result", "processed_at"])
    return {
        "result": result,
        "payment_id": str(payment.pk) if payment else "",
        "refund_payment_id": refund_payment_id,
    }


def retry_failed_refunds(*, max_attempts: int = 5, limit: int = 100) -> int:
    """Beat task: ask again for refunds the provider refused or could not be reached for.

    Per payment still captured and refund key whose every attempt failed (fewer than
    ``max_attempts`` times): a new attempt for the first attempt's amount, never more than the
    payment has left to refund, with its reason; returns how many refunds now succeeded.
    """
    groups = (
        Refund.objects.filter(status=RefundStatus.FAILED, payment__status=PaymentStatus.CAPTURED)
        .values("payment_id", "key")
        .annotate(attempts=Count("id"), first_at=Min("created_at"))
        .filter(attempts__lt=max_attempts)
        .order_by("first_at")[:limit]
    )
    succeeded = 0
    for group in groups:
        same = Refund.objects.filter(payment_id=group["payment_id"], key=group["key"])
        if same.exclude(status=RefundStatus.FAILED).exists():
            continue  # asked again meanwhile (the same key), and that one is live
        first = same.order_by("created_at", "pk").select_related("payment__order", "created_by").first()
        assert first is not None  # the group has failed refunds
        refund = _refund_payment(
            payment=first.payment,
            amount=first.amount,
            key=group["key"],
            reason=first.reason,
            user=first.created_by,
            cap=True,
        )
        succeeded += refund is not None and refund.status == RefundStatus.SUCCEEDED
    return succeeded


# --- the shopper coming back ------------------------------------------------------------------


def complete_returned_payment(*, payment: Payment) -> Payment:
    """The shopper is back from the provider (Stripe return URL, PayPal return with its token): ask
    the provider how the payment stands (capturing it for PayPal) and record the answer."""
    if payment.status not in OPEN_STATUSES or not payment.provider_reference:
        return payment
    capture = get_provider(payment.provider).capture(payment)  # network: outside any transaction
    return _settle(payment.pk, capture, source="return")


def cancel_payment(*, payment: Payment, reason: str = "abandoned by the shopper") -> Payment:
    """The shopper gave up (PayPal cancel, "back to the shop"): the payment is cancelled; the order
    stays awaiting payment (another attempt may follow until its reservation expires). A payment
    already decided is left as it is."""
    with transaction.atomic(durable=True):
        _apply_failure(payment.pk, status=PaymentStatus.CANCELLED, reason=reason, source="shopper")
    return Payment.objects.select_related("order").get(pk=payment.pk)


def payment_by_reference(*, provider: str, reference: str) -> Payment:
    payment = (
        Payment.objects.select_related("order")
        .filter(provider=provider, provider_reference=reference)
        .first()
        if reference
        else None
    )
    if payment is None:
        raise UnknownPayment(detail={"provider": provider, "reference": reference})
    return payment


def get_payment(*, payment_id, provider: str | None = None) -> Payment:
    payment = _get_payment(payment_id)
    if provider is not None and payment.provider != provider:
        raise UnknownPayment(detail={"payment_id": str(payment_id)})
    return payment


# --- internals --------------------------------------------------------------------------------


class _Duplicate(Exception):
    pass


def _check_url(url: str, field: str, *, site_host: str | None) -> None:
    if not is_safe_url(url, host=site_host):
        raise InvalidReturnUrl(detail={"field": field})


def _get_payment(payment_id) -> Payment:
    try:
        pk = payment_id if isinstance(payment_id, uuid.UUID) else uuid.UUID(str(payment_id))
    except ValueError:
        raise UnknownPayment(detail={"payment_id": str(payment_id)}) from None
    payment = Payment.objects.select_related("order").filter(pk=pk).first()
    if payment is None:
        raise UnknownPayment(detail={"payment_id": str(payment_id)})
    return payment


@transaction.atomic(durable=True)
def _open_payment(*, order: OrderRef, provider: str, return_url: str, cancel_url: str) -> Payment:
    payable = payable_orders().lock(order.pk)
    if not payable.awaiting_payment:
        raise OrderNotPayable(
            _("Order %(number)s is %(status)s: it cannot be paid.")
            % {"number": payable.number, "status": payable.status_label},
            detail={"number": payable.number, "status": payable.status},
        )
    if payable.total_gross <= 0:
        raise OrderNotPayable(
            _("Order %(number)s has nothing to pay.") % {"number": payable.number},
            detail={"number": payable.number, "status": payable.status},
        )
    for older in Payment.objects.select_for_update().filter(order_id=order.pk, status__in=OPEN_STATUSES):
        _move(
            older,
            PaymentStatus.CANCELLED,
            kind="superseded",
            source="start",
            note="a new payment was started",
        )
    payment = Payment.objects.create(
        order_id=payable.order_id,
        provider=provider,
        amount=payable.total_gross,
        currency=payable.currency,
        amount_eur=payable.total_gross_eur,
        return_url=return_url,
        cancel_url=cancel_url,
    )
    _log(
        payment,
        "created",
        to_status=payment.status,
        source="start",
        note=f"{payment.amount} {payment.currency}",
    )
    return payment


def _settle(payment_id, capture: ProviderCapture, *, source: str) -> Payment:
    """Record what the provider said after the shopper acted; refund at once if the order can't be paid."""
    needs_refund = False
    with transaction.atomic(durable=True):
        if capture.result == CaptureResult.SUCCEEDED:
            _, needs_refund = _apply_success(
                payment_id, capture_reference=capture.capture_reference, source=source
            )
        elif capture.result == CaptureResult.FAILED:
            _apply_failure(payment_id, status=PaymentStatus.FAILED, reason=capture.reason, source=source)
    if needs_refund:
        _refund_unfulfillable(payment_id)
    return Payment.objects.select_related("order").get(pk=payment_id)


def _lock(payment_id) -> Payment:
    """Lock the order, then the payment: the one lock order every path here uses."""
    order_id = Payment.objects.values_list("order_id", flat=True).get(pk=payment_id)
    payable_orders().lock(order_id)
    return Payment.objects.select_for_update().select_related("order").get(pk=payment_id)


def _apply_success(payment_id, *, capture_reference: str, source: str) -> tuple[str, bool]:
    """Inside the caller's transaction. Returns (result, needs_refund)."""
    payment = _lock(payment_id)
    if payment.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED):
        _log(payment, "ignored", source=source, note=f"success for a payment already {payment.status}")
        return "already_" + payment.status, False
    late = payment.status in (PaymentStatus.FAILED, PaymentStatus.CANCELLED)
    if capture_reference and not payment.capture_reference:
        payment.capture_reference = capture_reference[:120]
    payment.captured_at = timezone.now()
    _move(
        payment, PaymentStatus.CAPTURED, kind="captured", source=source, note="late success" if late else ""
    )
    refused = payable_orders().payment_captured(
        order_id=payment.order_id, payment_id=str(payment.pk), provider=payment.provider
    )
    if refused:
        # The reservation expired while the shopper was paying, the order was cancelled, or another
        # payment paid it: the money goes back (after commit); an unpaid order was cancelled.
        _log(payment, "unfulfillable", source=source, note=refused)
        return "captured_refunding", True
    return "captured", False


def _apply_failure(payment_id, *, status: str, reason: str, source: str) -> str:
    """Inside the caller's transaction: fail or cancel an open payment (its order is told, and stays
    awaiting payment)."""
    payment = _lock(payment_id)
    if payment.status not in OPEN_STATUSES:
        _log(payment, "ignored", source=source, note=f"{status} for a payment already {payment.status}")
        return "ignored_" + payment.status
    payment.failure_reason = (reason or "")[:250]
    _move(payment, status, kind=status, source=source, note=reason)
    payable_orders().payment_failed(
        order_id=payment.order_id, payment_id=str(payment.pk), provider=payment.provider, status=status
    )
    return status


FULL_REFUND_KEY = "full"
UNFULFILLABLE_REFUND_KEY = "unfulfillable"
REFUNDABLE_STATUSES = (PaymentStatus.CAPTURED,)


def _refund_unfulfillable(payment_id) -> Refund | None:
    payment = Payment.objects.select_related("order").get(pk=payment_id)
    return _refund_payment(
        payment=payment,
        amount=None,
        key=UNFULFILLABLE_REFUND_KEY,
        reason="the order could not be paid (reservation expired or order closed)",
    )


def _refund(
    *, order_id: int, amount: Decimal | None, key: str, reason: str, user: User | None
) -> list[Refund]:
    """Open the refunds (``amount`` None: whatever remains), then ask the provider: at once outside a
    transaction, after commit (outbox) inside one."""
    in_transaction = _in_transaction()
    refunds, created = _open_refunds(order_id=order_id, amount=amount, key=key, reason=reason, user=user)
    return _ask_provider(refunds, created, in_transaction=in_transaction)


def _ask_provider(refunds: list[Refund], created: list[Refund], *, in_transaction: bool) -> list[Refund]:
    if in_transaction:
        from . import tasks

        # After commit, through the outbox: a broker down delays the refund, never loses it.
        for refund in created:
            outbox.enqueue(tasks.execute_refund, refund_id=refund.pk)
        return refunds
    return [
        _execute_refund(refund.pk) if refund.status == RefundStatus.PENDING else refund for refund in refunds
    ]


def _refund_payment(
    *,
    payment: Payment,
    amount: Decimal | None,
    key: str,
    reason: str,
    user: User | None = None,
    cap: bool = False,
) -> Refund | None:
    """Refund one payment (``amount`` None: what it has left); ``cap``: at most what it has left.
    None when there is nothing left to refund."""
    in_transaction = _in_transaction()
    refunds, created = _open_refunds(
        order_id=payment.order_id,
        amount=amount,
        key=key,
        reason=reason,
        user=user,
        payment_id=payment.pk,
        cap=cap,
    )
    done = _ask_provider(refunds, created, in_transaction=in_transaction)
    return done[0] if done else None


def _live_refunded(payment_ids: list[Any]) -> dict[Any, Decimal]:
    rows = (
        Refund.objects.filter(payment_id__in=payment_ids)
        .exclude(status=RefundStatus.FAILED)
        .values("payment_id")
        .annotate(total=Sum("amount"))
        .values_list("payment_id", "total")
    )
    return dict(rows)


@transaction.atomic
def _open_refunds(
    *,
    order_id: int,
    amount: Decimal | None,
    key: str,
    reason: str,
    user: User | None,
    payment_id: Any = None,
    cap: bool = False,
) -> tuple[list[Refund], list[Refund]]:
    """Under the order's and the payments' row locks: the live refunds of ``key`` if any (a replay),
    else new pending refunds spread over the captured payments, latest first. Returns (refunds,
    the ones created now)."""
    payable_orders().lock(order_id)  # the one lock order: the order's row, then its payments'
    scope = Payment.objects.filter(order_id=order_id)
    if payment_id is not None:
        scope = scope.filter(pk=payment_id)
    payments = list(scope.select_for_update().order_by("-captured_at", "-created_at", "pk"))
    existing = list(
        Refund.objects.filter(payment__in=[p.pk for p in payments], key=key)
        .exclude(status=RefundStatus.FAILED)
        .select_related("payment__order")
        .order_by("created_at", "pk")
    )
    if existing:
        return existing, []
    captured = [p for p in payments if p.status in REFUNDABLE_STATUSES]
    if payment_id is not None and not captured and amount is not None and not cap:
        raise OrderNotPayable(
            _("Only a captured payment can be refunded."),
            detail={"payment_id": str(payment_id), "status": payments[0].status if payments else ""},
        )
    refunded = _live_refunded([p.pk for p in captured])
    room = {p.pk: p.amount - refunded.get(p.pk, ZERO) for p in captured}
    refundable = sum(room.values(), ZERO)
    if amount is None:
        wanted = refundable
    elif cap:
        wanted = min(amount, refundable)
    else:
        wanted = amount
    if wanted > refundable:
        raise RefundExceedsCaptured(
            _("%(amount)s cannot be refunded: %(refundable)s is left of what was captured.")
            % {"amount": wanted, "refundable": refundable},
            detail={"requested": str(wanted), "refundable": str(refundable)},
        )
    created: list[Refund] = []
    remaining = wanted
    for payment in captured:
        part = min(remaining, room[payment.pk])
        if part <= 0:
            continue
        try:
            with transaction.atomic():
                refund = Refund.objects.create(
                    payment=payment,
                    amount=part,
                    currency=payment.currency,
                    reason=(reason or "")[:250],
                    key=key,
                    created_by=user if user and user.is_authenticated else None,
                )
        except IntegrityError:  # cannot happen under the payment's lock; say so rather than guess
            raise RefundExceedsCaptured(detail={"key": key}) from None
        refund.payment = payment
        _log(payment, "refund_requested", source="refund", note=f"{part} {payment.currency}: {reason}"[:250])
        created.append(refund)
        remaining -= part
    return created, created


def execute_refund(*, refund_id: int) -> Refund:
    """Ask the provider for a pending refund and record its answer (the outbox task's service)."""
    return _execute_refund(refund_id)


def _execute_refund(refund_id) -> Refund:
    """Ask the provider (outside any transaction), then record its answer."""
    refund = Refund.objects.select_related("payment__order").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return refund
    payment = refund.payment
    try:
        answer = get_provider(payment.provider).refund(
            payment, Decimal(refund.amount), idempotency_key=f"refund-{refund.pk}"
        )
    except ProviderError as exc:
        logger.warning("payments: refund %s of payment %s failed: %s", refund.pk, payment.pk, exc.detail)
        with transaction.atomic():
            Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
                status=RefundStatus.FAILED,
                error=str(exc.detail.get("error", exc.message))[:250],
                updated_at=timezone.now(),
            )
            _log(payment, "refund_failed", source="refund", note=str(exc.detail.get("error", ""))[:250])
        return Refund.objects.get(pk=refund.pk)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status != RefundStatus.PENDING:
            return refund
        refund.provider_reference = answer.reference[:120]
        refund.status = RefundStatus.SUCCEEDED if answer.succeeded else RefundStatus.FAILED
        refund.error = "" if answer.succeeded else answer.reason[:250]
        refund.save(update_fields=["provider_reference", "status", "error", "updated_at"])
        if answer.succeeded and payment.status == PaymentStatus.CAPTURED:
            succeeded = (
                Refund.objects.filter(payment=payment, status=RefundStatus.SUCCEEDED).aggregate(
                    total=Sum("amount")
                )["total"]
                or ZERO
            )
            if succeeded >= payment.amount:
                _move(
                    payment, PaymentStatus.REFUNDED, kind="refunded", source="refund", note=answer.reference
                )
            else:
                _log(
                    payment,
                    "refunded_part",
                    source="refund",
                    note=f"{refund.amount} {refund.currency} ({succeeded} of {payment.amount}): "
                    f"{answer.reference}",
                )
        elif not answer.succeeded:
            _log(payment, "refund_failed", source="refund", note=answer.reason)
    return refund


def _in_transaction() -> bool:
    """True inside a real transaction (not just the test case's wrapper, as Django's durable check)."""
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def _find_payment(provider: str, event: WebhookPayload) -> Payment | None:
    query = Q()
    if event.provider_reference:
        query |= Q(provider_reference=event.provider_reference)
    if event.capture_reference:
        query |= Q(capture_reference=event.capture_reference)
    if event.payment_id:
        with contextlib.suppress(ValueError):  # not one of our ids
            query |= Q(pk=uuid.UUID(event.payment_id))
    if not query:
        return None
    return Payment.objects.filter(query, provider=provider).order_by("created_at").first()


def _move(payment: Payment, to_status: str, *, kind: str, source: str, note: str = "") -> None:
    if to_status not in PAYMENT_TRANSITIONS[payment.status]:  # a bug: callers check first
        raise ValueError(f"payment {payment.pk}: {payment.status} -> {to_status} is not allowed")
    from_status = payment.status
    payment.status = to_status
    payment.save()
    _log(payment, kind, from_status=from_status, to_status=to_status, source=source, note=note)
    if to_status == PaymentStatus.FAILED:  # counted once committed (the alert on failed payments)
        provider = str(payment.provider)
        transaction.on_commit(lambda: metrics.PAYMENTS_FAILED.labels(provider).inc(), robust=True)


def _log(
    payment: Payment,
    kind: str,
    *,
    from_status: str = "",
    to_status: str = "",
    source: str = "",
    note: str = "",
) -> None:
    PaymentEvent.objects.create(
        payment=payment,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        source=source[:40],
        note=str(note)[:250],
    )
