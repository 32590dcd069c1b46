"""Newsletter sign-up and confirmation pages, and the unsubscribe page / one-click endpoint."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core import ratelimit
from core.errors import ApplicationError

from . import services, tokens
from .forms import NEWSLETTER_CONSENT_TEXT, NewsletterForm


def _client(request: HttpRequest) -> dict[str, str | None]:
    return {
        "ip_address": ratelimit.client_ip(request) or None,
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:400],
    }


@never_cache
@require_http_methods(["GET", "POST"])
def newsletter(request: HttpRequest) -> HttpResponse:
    form = NewsletterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        refused = ratelimit.limit(request, scope="signup", key="newsletter:" + ratelimit.client_ip(request))
        if refused is not None:
            return refused
        if form.is_valid():
            try:
                services.request_newsletter(
                    email=form.cleaned_data["email"],
                    text_shown=str(NEWSLETTER_CONSENT_TEXT),
                    language=translation.get_language() or "",
                    **_client(request),  # type: ignore[arg-type]
                )
            except ApplicationError as exc:
                form.add_error("email", str(exc.message))
            else:
                return redirect(reverse("marketing:requested"))
        status = 400
    return render(request, "marketing/newsletter.html", {"form": form}, status=status)


def requested(request: HttpRequest) -> HttpResponse:
    return render(request, "marketing/requested.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links; only a person confirms), POST grants."""
    try:
        if request.method == "POST":
            services.confirm(token=token, **_client(request))  # type: ignore[arg-type]
            return render(request, "marketing/confirmed.html")
        tokens.read(salt=tokens.CONFIRM_SALT, token=token, max_age=tokens.confirm_max_age())
    except ApplicationError as exc:
        return render(
            request, "marketing/invalid_link.html", {"message": exc.message}, status=exc.http_status
        )
    return render(request, "marketing/confirm.html", {"token": token})


@csrf_exempt  # RFC 8058: the mail client POSTs with no cookie; the signed token is the authority
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the page with its button. POST (the button, or the mail client's one-click
    ``List-Unsubscribe=One-Click``): withdraw, 200."""
    try:
        if request.method == "POST":
            services.unsubscribe(token=token, **_client(request))  # type: ignore[arg-type]
            return render(request, "marketing/unsubscribed.html")
        _channel, address = tokens.read(
            salt=tokens.UNSUBSCRIBE_SALT, token=token, max_age=tokens.unsubscribe_max_age()
        )
    except ApplicationError as exc:
        return render(
            request, "marketing/invalid_link.html", {"message": exc.message}, status=exc.http_status
        )
    return render(request, "marketing/unsubscribe.html", {"token": token, "address": address})
