"""API v1 routes of shipments (see logistics/api/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
