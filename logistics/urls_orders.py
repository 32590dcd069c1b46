"""Back-office URLs of the orders screens (see logistics/urls.py): ``/backoffice/orders/``."""

from django.urls import URLPattern, path

from . import views_orders as views

urlpatterns: list[URLPattern] = [
    path("orders/", views.order_list, name="order-list"),
    path("orders/export/", views.order_export, name="order-export"),
    path("orders/<str:number>/", views.order_detail, name="order-detail"),
    path("orders/<str:number>/cancel/", views.order_cancel, name="order-cancel"),
    path("orders/<str:number>/refund/", views.order_refund, name="order-refund"),
    path("orders/<str:number>/resend/", views.order_resend, name="order-resend"),
]
