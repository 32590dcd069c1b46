"""Cart and checkout pages, mounted under the language prefix."""

from django.urls import path

from storefront.views import cart as cart_views
from storefront.views import checkout as checkout_views
from storefront.views import reserve as reserve_views
from storefront.views import wishlist as wishlist_views

app_name = "orders"

urlpatterns = [
    path("cart/", cart_views.cart_page, name="cart"),
    path("cart/add/", cart_views.cart_add, name="cart-add"),
    path("cart/count/", cart_views.cart_count, name="cart-count"),
    path("cart/drawer/", cart_views.cart_drawer, name="cart-drawer"),
    path("cart/update/", cart_views.cart_update, name="cart-update"),
    path("cart/remove/", cart_views.cart_remove, name="cart-remove"),
    path("cart/coupon/", cart_views.cart_coupon, name="cart-coupon"),
    path("cart/points/", cart_views.cart_use_points, name="cart-points"),
    path("cart/restore/<str:token>/", wishlist_views.cart_restore, name="cart-restore"),
    path("checkout/reminders/", wishlist_views.checkout_reminder_optin, name="checkout-reminders"),
    path("currency/", cart_views.set_currency, name="set-currency"),
    path("checkout/", checkout_views.checkout_page, name="checkout"),
    path("checkout/done/<str:number>/", checkout_views.confirmation_page, name="confirmation"),
    path("checkout/done/<str:number>/pay/", checkout_views.retry_payment_page, name="checkout-retry"),
    path("reserve/", reserve_views.reserve_page, name="reserve"),
    path("reservation/<str:number>/", reserve_views.reservation_page, name="reservation"),
    path("reservation/<str:number>/cancel/", reserve_views.reservation_cancel, name="reservation-cancel"),
    path("checkout/done/<str:number>/restore/", checkout_views.restore_cart_view, name="checkout-restore"),
]
