"""Catalog API v1, included at /api/v1/ (URL names in the ``v1`` namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("catalog/products/", views.ProductListView.as_view(), name="catalog-products"),
    path("catalog/products/<str:key>/", views.ProductDetailView.as_view(), name="catalog-product"),
    path("store/suggest/", views.SuggestView.as_view(), name="store-suggest"),
]
