"""The customer portal under /<lang>/account/: thin views that parse, call one service, render."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts import errors as account_errors
from accounts import selectors, services
from core import ratelimit
from core.errors import ApplicationError, NotFound
from marketing import selectors as marketing_selectors
from marketing import services as marketing
from marketing.models import ConsentSource
from orders import selectors as order_selectors
from orders.models import DeliveryMethod
from pricing.errors import UnsupportedCurrency

from .. import cart_session
from .. import selectors as storefront_selectors
from ..forms import account as forms

ORDERS_PER_PAGE = 10
LOGIN_URL = "accounts:login"


def portal_login_required(view):
    """Signed-in shoppers only (others go to the portal's login page, then back); no caching."""
    return never_cache(login_required(view, login_url=LOGIN_URL))


def not_found_as_404(view):
    """A selector's ``NotFound`` (unknown, or another customer's) is the site's 404 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapper


def _shop(request):
    """The request's shop (``shops.middleware``): the account's pages show that shop's orders."""
    return getattr(request, "shop", None)


def form_status(request, form) -> int:
    """400 for a submitted form with errors (the page shows them), else 200."""
    return 400 if request.method == "POST" and form.errors else 200


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- sign in, sign up, sign out ---------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "storefront/account/login.html"
    authentication_form = forms.ShopAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("accounts:dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        cart_session.on_login(self.request, form.get_user())
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule): a link cannot sign anybody out."""

    next_page = reverse_lazy("catalog:home")  # type: ignore[assignment]  # Django takes lazy URLs; the stubs not

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You are signed out. See you soon!"))
        return response


def _record_marketing_consent(request, form, *, user, granted: bool, source: str) -> None:
    """The e-mail consent (marketing.Consent) with its proof: the box's label is the text shown."""
    marketing.record_account_consent(
        user=user,
        granted=bool(granted),
        source=source,
        text_shown=str(form.fields["marketing_opt_in"].label),
        ip_address=ratelimit.client_ip(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
    )


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    if request.method == "POST" and (refused := ratelimit.limit(request, scope="signup")) is not None:
        return refused  # sign-up attempts per address (core.ratelimit): 429 with Retry-After
    form = forms.SignupForm(
        request.POST or None, initial={"preferred_language": translation.get_language() or "fr"}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_customer(
                email=data["email"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                language=data["preferred_language"],
                marketing_opt_in=data["marketing_opt_in"],
            )
        except account_errors.EmailAlreadyRegistered as exc:
            form.add_error("email", exc.message)
        except account_errors.WeakPassword as exc:
            form.add_error("password1", exc.detail.get("password") or exc.message)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            _record_marketing_consent(
                request, form, user=user, granted=data["marketing_opt_in"], source=ConsentSource.SIGNUP_FORM
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            cart_session.on_login(request, user)
            _send_verification(request, user)
            messages.success(
                request, _("Welcome, %(name)s! Your account is ready.") % {"name": user.first_name}
            )
            messages.info(
                request,
                _(
                    "We sent you a link to confirm your e-mail address: orders you placed with it "
                    "as a guest will then appear here."
                ),
            )
            return HttpResponseRedirect(_safe_next(request, reverse("accounts:dashboard")))
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(
        request,
        "storefront/account/signup.html",
        {"form": form, "next": next_url},
        status=form_status(request, form),
    )


# --- dashboard and profile ----------------------------------------------------------------------


@portal_login_required
def dashboard(request):
    from pos.services import customers as pos_customers

    user = request.user
    loyalty_card = services.ensure_loyalty_card(user=user)
    group, currency = cart_session.customer_group(user), cart_session.get_currency(request)
    picks = marketing_selectors.for_customer(user, limit=4)
    try:
        for_you = storefront_selectors.recommended_cards(picks, customer_group=group, currency=currency)
    except UnsupportedCurrency:  # staff removed the rate since the shopper chose it
        for_you = storefront_selectors.recommended_cards(picks, customer_group=group)
    return render(
        request,
        "storefront/account/dashboard.html",
        {
            "recent_orders": order_selectors.recent_orders_for_customer(user, limit=3, shop=_shop(request)),
            "default_address": selectors.addresses_for_user(user).filter(is_default_shipping=True).first(),
            "active_tab": "dashboard",
            "for_you": for_you,
            "loyalty_card": loyalty_card,
            "loyalty_qr": pos_customers.loyalty_qr_svg(
                loyalty_card, title=_("Loyalty card %(number)s") % {"number": loyalty_card}
            )
            if loyalty_card
            else "",
        },
    )


@portal_login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    current = selectors.profile_for_user(user)
    form = forms.ProfileForm(
        request.POST or None,
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "preferred_language": user.preferred_language,
            "marketing_opt_in": bool(current and current.marketing_opt_in),
            "birth_date": current.birth_date if current else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(user=user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            _record_marketing_consent(
                request,
                form,
                user=user,
                granted=form.cleaned_data["marketing_opt_in"],
                source=ConsentSource.PROFILE_FORM,
            )
            language = form.cleaned_data["preferred_language"]
            with translation.override(language):
                messages.success(request, _("Your details are saved."))
                return redirect(reverse("accounts:profile"))
    return render(
        request,
        "storefront/account/profile.html",
        {"form": form, "active_tab": "profile"},
        status=form_status(request, form),
    )


# --- addresses ----------------------------------------------------------------------------------


def country_name(code: str) -> str:
    return str(dict(services.COUNTRIES).get(code, code))


def _with_country_names(rows):
    for row in rows:
        row.country_name = country_name(row.country)
    return rows


@portal_login_required
def addresses(request):
    return render(
        request,
        "storefront/account/addresses.html",
        {
            "addresses": _with_country_names(list(selectors.addresses_for_user(request.user))),
            "active_tab": "addresses",
        },
    )


@portal_login_required
@require_http_methods(["GET", "POST"])
def address_add(request):
    form = forms.AddressForm(request.POST or None, initial={"country": "FR"})
    if request.method == "POST" and form.is_valid():
        try:
            services.create_address(
                user=request.user,
                data=form.address_data(),
                default_shipping=form.cleaned_data["default_shipping"],
                default_billing=form.cleaned_data["default_billing"],
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Address added."))
            return redirect("accounts:addresses")
    context = {"form": form, "address": None, "active_tab": "addresses"}
    return render(request, "storefront/account/address_form.html", context, status=form_status(request, form))


@portal_login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
def address_edit(request, address_id: int):
    address = selectors.address_for_user(user=request.user, address_id=address_id)
    initial = {name: getattr(address, name) for name in services.AddressData.__dataclass_fields__}
    initial.update(default_shipping=address.is_default_shipping, default_billing=address.is_default_billing)
    form = forms.AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_address(
                address=address,
                data=form.address_data(),
                default_shipping=form.cleaned_data["default_shipping"],
                default_billing=form.cleaned_data["default_billing"],
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Address saved."))
            return redirect("accounts:addresses")
    context = {"form": form, "address": address, "active_tab": "addresses"}
    return render(request, "storefront/account/address_form.html", context, status=form_status(request, form))


@portal_login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
def address_delete(request, address_id: int):
    address = selectors.address_for_user(user=request.user, address_id=address_id)
    if request.method == "POST":
        services.delete_address(address=address)
        messages.success(request, _("Address deleted."))
        return redirect("accounts:addresses")
    _with_country_names([address])
    return render(
        request,
        "storefront/account/address_confirm_delete.html",
        {"address": address, "active_tab": "addresses"},
    )


@portal_login_required
@not_found_as_404
@require_POST
def address_default(request, address_id: int):
    address = selectors.address_for_user(user=request.user, address_id=address_id)
    kind = request.POST.get("kind", "")
    try:
        services.set_default_address(address=address, kind=kind)
    except ApplicationError as exc:
        context = {
            "addresses": _with_country_names(list(selectors.addresses_for_user(request.user))),
            "active_tab": "addresses",
            "error": exc.message,
        }
        return render(request, "storefront/account/addresses.html", context, status=400)
    if kind == "shipping":
        messages.success(request, _("This is now your default delivery address."))
    else:
        messages.success(request, _("This is now your default billing address."))
    return redirect("accounts:addresses")


def _form_errors(form, exc: ApplicationError) -> None:
    fields = exc.detail if isinstance(exc.detail, dict) else {}
    placed = False
    for name, errors in fields.items():
        if name in form.fields:
            form.add_error(name, errors)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


# --- orders -------------------------------------------------------------------------------------


@portal_login_required
def orders(request):
    page = Paginator(
        order_selectors.orders_for_customer(request.user, shop=_shop(request)), ORDERS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "storefront/account/orders.html",
        {"page": page, "orders": page.object_list, "active_tab": "orders"},
    )


@portal_login_required
@not_found_as_404
def order_detail(request, number: str):
    order = order_selectors.order_for_customer(user=request.user, number=number, shop=_shop(request))
    lines = list(order.lines.all())
    return render(
        request,
        "storefront/account/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "items_gross": sum((line.total_gross for line in lines), Decimal("0")),
            "status_changes": list(order.status_changes.all()),
            "shipping_lines": shipping_address_lines(order),
            "is_pickup": order.delivery_method == DeliveryMethod.CLICK_AND_COLLECT,
            "is_home": order.delivery_method == DeliveryMethod.HOME,
            "pickup_deadline": getattr(order, "pickup_deadline", None),
            "active_tab": "orders",
        },
    )


def shipping_address_lines(order) -> list[str]:
    """The delivery address snapshot as lines, whichever shape checkout stores it in."""
    snapshot = getattr(order, "shipping_address", None)
    if isinstance(snapshot, dict):
        get = snapshot.get
    elif snapshot is not None and not isinstance(snapshot, str):

        def get(name, default=""):
            return getattr(snapshot, name, default)
    else:

        def get(name, default=""):
            return getattr(order, f"shipping_{name}", default)

    name = get("name", "") or " ".join(filter(None, [get("first_name", ""), get("last_name", "")]))
    town = " ".join(filter(None, [get("postal_code", ""), get("city", "")]))
    country = get("country", "")
    lines = [name, get("line1", ""), get("line2", ""), town, country_name(country) if country else ""]
    lines = [str(line) for line in lines if line]
    if not lines and isinstance(snapshot, str):
        lines = [snapshot]
    return lines


# --- your data ----------------------------------------------------------------------------------


@portal_login_required
def export_data(request):
    """Download everything we keep about the account as one JSON file."""
    data = services.export_customer_data(user=request.user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    filename = f"my-data-{timezone.localdate().isoformat()}.json"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@sensitive_post_parameters("password")
@portal_login_required
@require_http_methods(["GET", "POST"])
def close_account(request):
    form = forms.CloseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_account(user=request.user, password=form.cleaned_data["password"])
        except account_errors.IncorrectPassword as exc:
            form.add_error("password", exc.message)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            logout(request)
            messages.success(request, _("Your account is closed and your personal data deleted. Goodbye!"))
            return redirect("catalog:home")
    context = {"form": form, "active_tab": "profile"}
    return render(
        request, "storefront/account/close_account.html", context, status=form_status(request, form)
    )


# --- password reset (Django's views, our templates and e-mail) ------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "storefront/account/password_reset_form.html"
    form_class = forms.ShopPasswordResetForm
    email_template_name = "storefront/account/password_reset_email.txt"
    html_email_template_name = "storefront/account/password_reset_email.html"
    subject_template_name = "storefront/account/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_extra_email_context(self):
        return {"site_name": getattr(settings, "SHOP_NAME", "Maison Corsica")}

    def form_valid(self, form):
        # Per address asking (429 page), then per target address: over its cap nothing is sent but
        # the answer is the usual "sent" page, so it tells nobody whether the address has an account.
        refused = ratelimit.limit(self.request, scope="password_reset")
        if refused is not None:
            return refused
        if ratelimit.limit(self.request, scope="password_reset_email", key=form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "storefront/account/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "storefront/account/password_reset_confirm.html"
    form_class = forms.ShopSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "storefront/account/password_reset_complete.html"


def _send_verification(request, user) -> None:
    token = services.email_verification_token(user=user)
    url = request.build_absolute_uri(reverse("accounts:verify-email", kwargs={"token": token}))
    services.send_email_verification(user=user, verify_url=url)


@portal_login_required
@require_POST
def resend_verification(request):
    """The banner's (or the expired link page's) "Send the link again": a new verification e-mail, at
    most one per ``EMAIL_VERIFICATION_RESEND_MINUTES``. Refused (too soon: 429 with ``Retry-After``;
    already confirmed: 409): the page says why, nothing is sent."""
    try:
        token = services.email_verification_token(user=request.user)
        url = request.build_absolute_uri(reverse("accounts:verify-email", kwargs={"token": token}))
        services.resend_email_verification(user=request.user, verify_url=url)
    except ApplicationError as exc:
        response = render(
            request,
            "storefront/account/verify_email.html",
            {"error": exc.message, "can_resend": False},
            status=exc.http_status,
        )
        if isinstance(exc, account_errors.VerificationEmailTooSoon):
            response["Retry-After"] = str(exc.wait)
        return response
    messages.success(
        request,
        _("We sent a new link to %(email)s. It is valid for 7 days.") % {"email": request.user.email},
    )
    return redirect(_safe_next(request, reverse("accounts:dashboard")))


@never_cache
@require_http_methods(["GET", "HEAD"])
def verify_email(request, token: str):
    """The link from the verification e-mail: the address is verified and the guest orders placed
    with it join the account (``accounts.services.verify_email``). A bad or expired link: 400 with
    the reason, nothing written."""
    try:
        user = services.verify_email(token=token)
    except ApplicationError as exc:
        return render(
            request,
            "storefront/account/verify_email.html",
            {
                "error": exc.message,
                "can_resend": request.user.is_authenticated and request.user.email_verified_at is None,
            },
            status=exc.http_status,
        )
    messages.success(
        request,
        _(
            "Your e-mail address %(email)s is confirmed. Orders you placed with it as a guest are "
            "now in your account."
        )
        % {"email": user.email},
    )
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("accounts:orders")
    return redirect("accounts:login")
