"""Back-office URLs of the orders screens (see logistics/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
