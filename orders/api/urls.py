"""Orders API v1, included at /api/v1/ (URL names in the ``v1`` namespace: ``v1:cart-create``, ...)."""

from django.urls import path

from . import after_sales, approvals, cart, checkout, orders, quick_order, quotes, reservations

urlpatterns = [
    path("cart/", cart.CartCreateView.as_view(), name="cart-create"),
    path("cart/<str:token>/", cart.CartDetailView.as_view(), name="cart-detail"),
    path("cart/<str:token>/lines/", cart.CartLinesView.as_view(), name="cart-lines"),
    path("cart/<str:token>/lines/<str:sku>/", cart.CartLineView.as_view(), name="cart-line"),
    path("cart/<str:token>/coupon/", cart.CartCouponView.as_view(), name="cart-coupon"),
    path("b2b/quick-order/", quick_order.QuickOrderView.as_view(), name="b2b-quick-order"),
    path("b2b/approvals/", approvals.ApprovalListView.as_view(), name="b2b-approvals"),
    path("b2b/approvals/<str:number>/approve/", approvals.ApprovalApproveView.as_view(), name="b2b-approve"),
    path("b2b/approvals/<str:number>/reject/", approvals.ApprovalRejectView.as_view(), name="b2b-reject"),
    *quotes.urlpatterns,
    path("checkout/", checkout.CheckoutStartView.as_view(), name="checkout"),
    path("checkout/options/", checkout.CheckoutOptionsView.as_view(), name="checkout-options"),
    path("checkout/<str:number>/confirm/", checkout.CheckoutConfirmView.as_view(), name="checkout-confirm"),
    *orders.urlpatterns,
    *reservations.urlpatterns,
    path("orders/<str:number>/cancel/", after_sales.OrderCancelView.as_view(), name="orders-cancel"),
    path("orders/<str:number>/refunds/", after_sales.OrderRefundView.as_view(), name="orders-refunds"),
]
