"""``/platform/``: the landing page of the whole platform (not the shop's home, which is /<lang>/)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..selectors import platform_overview

DEMO_LOGINS = [
    ("Superuser", "admin@demo.example", "/admin/"),
    ("Manager", "manager@demo.example", "/stock/"),
    ("Staff", "staff@demo.example", "/stock/"),
    ("Store manager, Ajaccio", "manager.aja@demo.example", "/pos/"),
    ("Cashier, Ajaccio", "cashier.aja@demo.example", "/pos/"),
    ("Shopper", "shopper@demo.example", "/fr/"),
]


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what runs here, headline figures, and (in development) the demo logins."""
    logins = DEMO_LOGINS if settings.DEBUG or settings.DEMO else []
    return render(
        request, "storefront/platform.html", {"overview": platform_overview(), "demo_logins": logins}
    )
