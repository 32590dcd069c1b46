"""Cart and checkout pages, mounted under the language prefix."""

from django.urls import path

from core.views import placeholder

app_name = "orders"

urlpatterns = [
    path("cart/", placeholder, name="cart"),
    path("cart/add/", placeholder, name="cart-add"),
    path("checkout/", placeholder, name="checkout"),
]
