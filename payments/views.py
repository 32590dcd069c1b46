"""Payment pages (the test provider's hosted page, Stripe's Payment Element page, the return and cancel
URLs) and the provider webhooks. Thin: parse, call one service, redirect or render."""

from __future__ import annotations

import contextlib

from csp.decorators import csp_update
from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.csp import STRIPE_CSP
from core.errors import ApplicationError
from core.urls_safety import safe_redirect_url

from . import services
from .models import Payment, PaymentStatus, Provider
from .ports import payable_orders


def _after(request: HttpRequest, payment: Payment) -> HttpResponseRedirect:
    """Where the shopper goes once the payment is decided (or still pending): the order's return URL
    when it is paid or may still be, its cancel URL when it failed or was given up.

    Checked again before redirecting (``core.urls_safety``): a URL stored before the rule, or since
    removed from the allowlist, sends the shopper to the order's page on this site instead."""
    order = payable_orders().describe(payment.order_id)
    paid_or_pending = payment.status in (PaymentStatus.CAPTURED, *services.OPEN_STATUSES)
    target = payment.return_url if paid_or_pending and not order.cancelled else payment.cancel_url
    fallback = reverse("orders:confirmation", kwargs={"number": order.number})
    return HttpResponseRedirect(safe_redirect_url(target, request=request, fallback=fallback))


def _problem(request, *, title: str, message: str, status: int):
    return render(request, "payments/problem.html", {"title": title, "message": message}, status=status)


def _not_found(request):
    return _problem(
        request,
        title=_("Payment not found"),
        message=_("This payment link is not valid. Go back to your cart to try again."),
        status=404,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def test_page(request, payment_id):
    """The test provider's hosted page: amount, order number, Pay and Decline."""
    if Provider.TEST not in services.available_providers():
        return _not_found(request)
    try:
        payment = services.get_payment(payment_id=payment_id, provider=Provider.TEST)
    except ApplicationError:
        return _not_found(request)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("pay", "decline"):
            context = {"payment": payment, "order": payment.order, "error": _("Choose Pay or Decline.")}
            return render(request, "payments/test_page.html", context, status=400)
        payment = services.confirm_test_payment(payment_id=payment.pk, succeed=action == "pay")
        return _after(request, payment)
    if payment.status not in services.OPEN_STATUSES:
        return _after(request, payment)
    return render(request, "payments/test_page.html", {"payment": payment, "order": payment.order})


@never_cache
@require_safe
@csp_update(STRIPE_CSP)  # type: ignore[arg-type]  # django-csp types views as (request) only
# Stripe.js, its card frames and its API: allowed on this page only.
def stripe_page(request, payment_id):
    """Stripe's Payment Element for this payment's PaymentIntent (Stripe.js loads from Stripe)."""
    try:
        payment = services.get_payment(payment_id=payment_id, provider=Provider.STRIPE)
    except ApplicationError:
        return _not_found(request)
    if payment.status not in services.OPEN_STATUSES:
        return _after(request, payment)
    context = {
        "payment": payment,
        "order": payment.order,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "return_url": request.build_absolute_uri(
            reverse("payments:stripe-return", kwargs={"payment_id": payment.pk})
        ),
    }
    return render(request, "payments/stripe_page.html", context)


@never_cache
@require_safe
def stripe_return(request, payment_id):
    """Stripe sends the shopper back here: sync the PaymentIntent's status, then go on."""
    try:
        payment = services.get_payment(payment_id=payment_id, provider=Provider.STRIPE)
    except ApplicationError:
        return _not_found(request)
    # Stripe unreachable: the webhook will decide; the shopper sees the order awaiting payment.
    with contextlib.suppress(ApplicationError):
        payment = services.complete_returned_payment(payment=payment)
    return _after(request, payment)


@never_cache
@require_POST
def stripe_cancel(request, payment_id):
    try:
        payment = services.get_payment(payment_id=payment_id, provider=Provider.STRIPE)
    except ApplicationError:
        return _not_found(request)
    return _after(request, services.cancel_payment(payment=payment))


def _paypal_payment(request):
    token = request.GET.get("token", "").strip()
    if not token:
        return None, _problem(
            request,
            title=_("Payment not found"),
            message=_("PayPal sent you back without a payment token. Go back to your cart to try again."),
            status=400,
        )
    try:
        return services.payment_by_reference(provider=Provider.PAYPAL, reference=token[:120]), None
    except ApplicationError:
        return None, _not_found(request)


@never_cache
@require_safe
def paypal_return(request):
    """PayPal sends the approving shopper back with ``?token=<order id>``: capture, then go on."""
    payment, problem = _paypal_payment(request)
    if problem:
        return problem
    try:
        payment = services.complete_returned_payment(payment=payment)
    except ApplicationError:
        return _problem(
            request,
            title=_("PayPal did not answer"),
            message=_("We could not confirm your PayPal payment yet. Reload this page in a moment."),
            status=502,
        )
    return _after(request, payment)


@never_cache
@require_safe
def paypal_cancel(request):
    payment, problem = _paypal_payment(request)
    if problem:
        return problem
    return _after(request, services.cancel_payment(payment=payment))


# --- webhooks: no language prefix, no session, no CSRF; each verified by its signature --------


def _webhook(request, provider: str) -> JsonResponse:
    if request.method != "POST":
        return JsonResponse(
            {"code": "method_not_allowed", "message": "Webhooks are POSTed.", "detail": {}}, status=405
        )
    try:
        result = services.handle_webhook(provider=provider, payload=request.body, headers=request.headers)
    except ApplicationError as exc:
        return JsonResponse(exc.as_dict(), status=exc.http_status)
    return JsonResponse(
        {
            "event_id": result.event_id,
            "type": result.type,
            "result": result.result,
            "duplicate": result.duplicate,
        }
    )


@csrf_exempt
def stripe_webhook(request):
    return _webhook(request, Provider.STRIPE)


@csrf_exempt
def paypal_webhook(request):
    return _webhook(request, Provider.PAYPAL)
