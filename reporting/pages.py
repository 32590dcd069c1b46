"""What every dashboard page does first: who is asking (``access.scope_for``) and for which period.

A visitor who is not signed in goes to the sign-in page; a signed-in user without a dashboard
permission, or asking for a shop they do not see (``?shop=``), gets a 403 page; a bad period or an
unknown shop code re-renders nothing, it is a 400 page naming the field.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from .access import ReportForbidden, Scope, UnknownShop, scope_for
from .periods import PERIOD_CHOICES, BadPeriod, Period

View = Callable[..., HttpResponse]


def dashboard_page(view: Callable[..., HttpResponse]) -> View:
    """Decorate ``view(request, scope, *args)``: the scope resolved, 403 / sign-in / 400 handled."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url="admin:login")
        try:
            scope: Scope = scope_for(request.user, request.GET.get("shop"))
            return view(request, scope, *args, **kwargs)
        except ReportForbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except (BadPeriod, UnknownShop) as exc:
            fields = (exc.detail or {}).items()
            problems = "; ".join(f"{field}: {' '.join(map(str, msgs))}" for field, msgs in fields)
            text = f"{exc.message} {problems}"
            return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")

    return wrapped


def page_context(period: Period, scope: Scope, **extra: Any) -> dict[str, Any]:
    """What ``reporting/base.html`` needs (the period form, the nav, the scope line), plus ``extra``
    (``shop_filter=True``: the period form offers the scope's shops, on the pages split by shop)."""
    return {"period": period, "scope": scope, "period_choices": PERIOD_CHOICES, **extra}
