"""Back-office URLs of the fulfilment screens (see logistics/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
