"""Storefront pages of the catalog, mounted under the language prefix (/fr/, /en/, /it/)."""

from django.urls import path

from core.views import placeholder

app_name = "catalog"

urlpatterns = [
    path("", placeholder, name="home"),
    path("search/", placeholder, name="search"),
    path("c/<slug:slug>/", placeholder, name="category"),
    path("p/<slug:slug>/", placeholder, name="product"),
]
