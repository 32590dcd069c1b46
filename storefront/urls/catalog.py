"""Storefront pages of the catalog, mounted under the language prefix (/fr/, /en/, /it/)."""

from django.urls import path

from storefront.views import catalog as views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("p/<slug:slug>/", views.product, name="product"),
    path("p/<slug:slug>/review/", views.review_submit, name="product-review"),
]
