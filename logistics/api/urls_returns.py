"""API v1 routes of returns (see logistics/api/urls.py)."""

from django.urls import URLPattern, path

from . import returns

urlpatterns: list[URLPattern] = [
    path("returns/", returns.ReturnListView.as_view(), name="returns"),
    path("returns/<str:ref>/", returns.ReturnDetailView.as_view(), name="return"),
    path("returns/<str:ref>/receive/", returns.ReturnReceiveView.as_view(), name="return-receive"),
]
