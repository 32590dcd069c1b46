"""Back-office URLs of the returns screens (see logistics/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
