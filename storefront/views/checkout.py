"""The checkout page and the order confirmation page. Thin: parse the form, call one checkout service.

The checkout page works without JavaScript: "Update" re-renders the page with what was typed (for
another country's delivery prices); "Pay" starts the checkout and redirects to the payment page. The
form carries a one-time ``idempotency_key``, so a double submit gives one order.
"""

from __future__ import annotations

import contextlib
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import PaymentTerms
from accounts.selectors import company_membership_for
from core.errors import ApplicationError
from logistics.models import Carrier
from marketing import traffic
from orders.models import Approval, Cart, CartStatus, DeliveryMethod, Order, OrderStatus
from orders.services import b2b_terms
from orders.services import checkout as services
from orders.services import retry as retry_services
from pricing import services as pricing
from pricing.errors import UnsupportedCurrency
from pricing.services import BASE_CURRENCY

from .. import cart_session
from .wishlist import CART_REMINDER_TEXT

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import User

SESSION_ORDERS = "checkout_orders"  # the order numbers this browser session placed
COUNTRIES = [
    ("FR", gettext_lazy("France")),
    ("BE", gettext_lazy("Belgium")),
    ("DE", gettext_lazy("Germany")),
    ("ES", gettext_lazy("Spain")),
    ("IT", gettext_lazy("Italy")),
    ("LU", gettext_lazy("Luxembourg")),
    ("NL", gettext_lazy("Netherlands")),
    ("PT", gettext_lazy("Portugal")),
    ("CH", gettext_lazy("Switzerland")),
    ("GB", gettext_lazy("United Kingdom")),
    ("US", gettext_lazy("United States")),
]
ADDRESS_FORM_FIELDS = ("first_name", "last_name", "line1", "line2", "postal_code", "city", "country")


@never_cache
@require_http_methods(["GET", "POST"])
def checkout_page(request: HttpRequest) -> HttpResponse:
    cart = cart_session.get_cart(request)
    if cart is None or not cart.lines.exists():
        messages.info(request, _("Your cart is empty: add a product before checking out."))
        return redirect("orders:cart")
    traffic.note_step(request, traffic.Step.CHECKOUT)
    form = _form_data(request)
    errors: dict[str, StrOrPromise] = {}
    status = 200
    if request.method == "POST" and form["remind"] == "1":
        _remember_for_reminders(request, form["email"])
    if request.method == "POST" and request.POST.get("action") == "pay":
        try:
            order, payment = services.start_checkout(
                cart=cart,
                user=request.user,
                email=form["email"],
                phone=form["phone"],
                language=get_language() or "",
                delivery_method=form["delivery_method"],
                location_code=form["location"],
                shipping_address={name: form[name] for name in ADDRESS_FORM_FIELDS}
                | {"phone": form["phone"]},
                carrier=form["carrier"],
                provider=form["provider"],
                return_url=_confirmation_template(),
                cancel_url=_confirmation_template(),
                idempotency_key=form["idempotency_key"],
                currency=_currency(request),
                site_host=request.get_host(),
            )
        except ApplicationError as exc:
            status = exc.http_status
            errors = _field_errors(exc)
            form["idempotency_key"] = uuid.uuid4().hex  # the refused attempt wrote nothing
        else:
            remember_order(request, order.number)
            traffic.note_order(request, order_id=order.pk)  # its payment counts as this visit's
            if payment is None:
                return redirect("orders:confirmation", number=order.number)
            return HttpResponseRedirect(payment.redirect_url)
    context = _page_context(request, cart, form)
    context["errors"] = errors
    return render(request, "storefront/checkout/checkout.html", context, status=status)


@never_cache
@require_GET
def confirmation_page(request: HttpRequest, number: str) -> HttpResponse:
    """What became of the order, in words that follow its state: paid (thank you), awaiting a payment
    in progress, declined (try again while the items are held), ran out of time, or cancelled."""
    from payments import selectors as payment_selectors

    order = _visible_order(request, number)
    lines = list(order.lines.all())
    carrier = Carrier.objects.filter(code=order.carrier).first() if order.carrier else None
    subtotal = sum((line.total_gross + line.discount_gross for line in lines), Decimal("0"))
    attempt = payment_selectors.latest_attempt(order_id=order.pk)
    state = _confirmation_state(order, attempt)
    held = retry_services.held_until(order=order) if state == "declined" else None
    if state == "declined" and held is None:
        state = "expired"
    restorable = (
        state in ("cancelled", "declined", "expired")
        and Cart.objects.filter(order=order, status=CartStatus.CHECKED_OUT).exists()
    )
    refunded = state == "cancelled_paid"
    return render(
        request,
        "storefront/checkout/confirmation.html",
        {
            "order": order,
            "lines": lines,
            "subtotal": subtotal,
            "carrier": carrier,
            "restorable": restorable,
            "state": state,
            "attempt": attempt,
            "held_until": held,
            "refunded": refunded,
        },
    )


def _confirmation_state(order: Order, attempt: Any) -> str:
    from payments import selectors as payment_selectors
    from payments.models import PaymentStatus

    if order.status == OrderStatus.PENDING_PAYMENT:
        if order.approval == Approval.PENDING:
            return "awaiting_approval"
        if order.approval == Approval.APPROVED and attempt is None:
            return "approved"  # the company's approver said yes: the buyer pays now
        if attempt is not None and attempt.status in (PaymentStatus.FAILED, PaymentStatus.CANCELLED):
            return "declined"
        return "waiting"
    if order.status == OrderStatus.CANCELLED:
        return "cancelled_paid" if payment_selectors.has_captured(order_id=order.pk) else "cancelled"
    if order.status == OrderStatus.REFUNDED:
        return "refunded"
    return "paid"


@never_cache
@require_http_methods(["GET", "POST"])
def retry_payment_page(request: HttpRequest, number: str) -> HttpResponse:
    """After a declined or abandoned payment: the enabled payment methods, and "Pay" starts a new
    payment for the same order (``orders.services.retry.retry_payment``). An order paid, cancelled,
    out of time, or not this shopper's: back to its page with the reason (or 404), nothing written."""

    order = _visible_order(request, number)
    try:
        until = retry_services.check_retry(order=order)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("orders:confirmation", number=order.number)
    providers = services.offered_payment_methods(shop_id=order.shop_id)  # those its shop offers
    chosen = str(request.POST.get("provider", "") or "").strip()[:40] if request.method == "POST" else ""
    error: StrOrPromise = ""
    status = 200
    if request.method == "POST":
        try:
            payment = retry_services.retry_payment(
                order=order,
                provider=chosen,
                return_url=_confirmation_template(),
                cancel_url=_confirmation_template(),
                site_host=request.get_host(),
            )
        except ApplicationError as exc:
            if exc.code != "provider_not_available":
                messages.error(request, exc.message)
                return redirect("orders:confirmation", number=order.number)
            error, status = exc.message, exc.http_status
        else:
            return HttpResponseRedirect(payment.redirect_url)
    from payments import selectors as payment_selectors

    attempt = payment_selectors.latest_attempt(order_id=order.pk)
    last = attempt.provider if attempt is not None else ""
    context = {
        "order": order,
        "held_until": until,
        "providers": [(code, _provider_label(code)) for code in providers],
        "chosen": chosen or (last if last in providers else (providers[0] if providers else "")),
        "attempt": attempt,
        "error": error,
        "restorable": Cart.objects.filter(order=order, status=CartStatus.CHECKED_OUT).exists(),
    }
    return render(request, "storefront/checkout/retry.html", context, status=status)


@require_POST
def restore_cart_view(request: HttpRequest, number: str) -> HttpResponse:
    """ "Back to my cart" after a failed or abandoned payment."""
    order = _visible_order(request, number)
    try:
        cart = services.restore_cart(order=order)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("orders:confirmation", number=number)
    if not cart.user_id:
        request.session[cart_session.SESSION_KEY] = str(cart.token)
    messages.success(request, _("Your items are back in your cart."))
    return redirect("orders:cart")


def remember_order(request: HttpRequest, number: str) -> None:
    numbers = [n for n in request.session.get(SESSION_ORDERS, []) if n != number]
    request.session[SESSION_ORDERS] = (numbers + [number])[-20:]


# --- internals ------------------------------------------------------------------------------------


def _visible_order(request: HttpRequest, number: str) -> Order:
    """The order, if this shopper placed it (signed in as its customer, or in this session); else 404."""
    order = Order.objects.select_related("location").filter(number=number).first()
    user = request.user
    if order is None or not (
        (user.is_authenticated and order.customer_id == user.pk)
        or number in request.session.get(SESSION_ORDERS, [])
    ):
        raise Http404(_("No such order."))
    return order


def _form_data(request: HttpRequest) -> dict[str, str]:
    data = request.POST if request.method == "POST" else request.GET
    user = request.user if request.user.is_authenticated else None

    def value(name: str, default: str = "") -> str:
        return str(data.get(name, default) or "").strip()[:254]

    form = {
        "email": value("email", user.email if user else ""),
        "phone": value("phone", user.phone if user else ""),
        "delivery_method": value("delivery_method", DeliveryMethod.HOME),
        "location": value("location"),
        "carrier": value("carrier"),
        "provider": value("provider"),
        "idempotency_key": value("idempotency_key") or uuid.uuid4().hex,
        "remind": "1" if data.get("remind") == "1" else "",
    }
    address = _default_address(user) if request.method == "GET" else {}
    for name in ADDRESS_FORM_FIELDS:
        form[name] = value(name, address.get(name, ""))
    form["country"] = (form["country"] or "FR").upper()
    return form


def _remember_for_reminders(request: HttpRequest, email: str) -> None:
    """A guest ticked "remind me of my cart": marketing keeps the address for this cart."""
    from .wishlist import remember_checkout_email

    with contextlib.suppress(ApplicationError):  # a malformed address: the checkout says so by the field
        remember_checkout_email(request, email=email)


def _default_address(user: User | None) -> dict[str, str]:
    if user is None:
        return {}
    address = user.addresses.order_by("-is_default_shipping", "id").first()
    if address is None:
        return {"first_name": user.first_name, "last_name": user.last_name}
    return {name: getattr(address, name) for name in ADDRESS_FORM_FIELDS}


def _currency(request: HttpRequest) -> str:
    return cart_session.get_currency(request)


def _page_context(request: HttpRequest, cart: Cart, form: dict[str, str]) -> dict[str, Any]:

    group = cart_session.customer_group(request.user)
    try:
        options = services.delivery_options(
            cart=cart, country=form["country"], customer_group=group, currency=_currency(request)
        )
    except UnsupportedCurrency:
        cart_session.set_currency(request, BASE_CURRENCY)
        options = services.delivery_options(cart=cart, country=form["country"], customer_group=group)
    if not form["carrier"] and options.home.options:
        form["carrier"] = options.home.options[0].carrier
    terms = _company_terms(request.user)
    # the configured providers the cart's shop offers; ``terms`` first for a company buyer whose
    # company pays on terms (orders.services.b2b_terms)
    providers = services.offered_payment_methods(shop_id=cart.shop_id, terms=bool(terms))
    if not form["provider"] and providers:
        form["provider"] = providers[0]
    if not form["location"]:
        form["location"] = next((s.location.code for s in options.stores if s.ok), "")
    if (
        form["delivery_method"] == DeliveryMethod.HOME
        and not options.home.available
        and any(s.ok for s in options.stores)
    ):
        form["delivery_method"] = DeliveryMethod.CLICK_AND_COLLECT
    if form["delivery_method"] not in options.methods and options.methods:
        form["delivery_method"] = options.methods[0]  # the shop does not offer the other one
    shipping = next((o for o in options.home.options if o.carrier == form["carrier"]), None)
    currency = options.priced.currency
    shipping_eur = (
        shipping.price if shipping and form["delivery_method"] == DeliveryMethod.HOME else Decimal("0")
    )
    total = options.priced.total_gross
    carriers = [
        (
            o,
            pricing.convert(amount=o.price, currency=currency),
            pricing.convert(amount=total + o.price, currency=currency),
        )
        for o in options.home.options
    ]
    countries = (
        COUNTRIES
        if any(c == form["country"] for c, _ in COUNTRIES)
        else [
            *COUNTRIES,
            (form["country"], form["country"]),
        ]
    )
    return {
        "form": form,
        "options": options,
        "priced": options.priced,
        "shipping": shipping,
        "carriers": carriers,
        "shipping_in_currency": pricing.convert(amount=shipping_eur, currency=currency),
        "grand_total": pricing.convert(amount=total + shipping_eur, currency=currency),
        "collect_total": pricing.convert(amount=total, currency=currency),
        "providers": [
            (code, terms if code == b2b_terms.TERMS else _provider_label(code)) for code in providers
        ],
        "countries": countries,
        "home_method": DeliveryMethod.HOME,
        "collect_method": DeliveryMethod.CLICK_AND_COLLECT,
        "offers_home": DeliveryMethod.HOME in options.methods,
        "offers_collect": DeliveryMethod.CLICK_AND_COLLECT in options.methods,
        "reminder_text": CART_REMINDER_TEXT,
    }


def _company_terms(user: Any) -> str:
    """ "On account: 30 days end of month" for a buyer whose company pays on terms, else ""."""
    membership = company_membership_for(user)
    if membership is None or membership.company.payment_terms == PaymentTerms.ONLINE:
        return ""
    return _("On account: %(terms)s") % {"terms": membership.company.get_payment_terms_display()}


def _provider_label(code: str) -> str:
    return {
        "test": _("Test payment (demo)"),
        "stripe": _("Card (Stripe)"),
        "paypal": _("PayPal"),
    }.get(code, code)


def _confirmation_template() -> str:
    return reverse("orders:confirmation", kwargs={"number": "NUMBER"}).replace("NUMBER", "{number}")


def _field_errors(exc: ApplicationError) -> dict[str, StrOrPromise]:
    """Which form field(s) an error is about, so the page can show it next to them."""
    detail = exc.detail or {}
    fields = detail.get("fields") or ([detail["field"]] if detail.get("field") else [])
    if exc.code in ("unknown_carrier", "country_not_served"):
        fields = ["carrier"]
    elif exc.code in ("unknown_location",):
        fields = ["location"]
    elif exc.code == "provider_not_available":
        fields = ["provider"]
    elif exc.code == "method_not_offered":
        fields = [detail.get("field") or "delivery_method"]
    errors = {"summary": exc.message}
    for name in fields:
        errors[name] = _("Required.") if name in (detail.get("missing") or []) else exc.message
    return errors
