"""Back-office URLs of the returns screens (see logistics/urls.py)."""

from django.urls import URLPattern, path

from . import views_returns

urlpatterns: list[URLPattern] = [
    path("returns/", views_returns.returns_screen, name="returns"),
]
