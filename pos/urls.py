"""Pages of the cashier's register under ``/pos/`` (the JSON API lives in ``pos.api``)."""

from django.urls import path

from . import print_views, views

app_name = "pos"

urlpatterns = [
    path("", views.register_app, name="app"),
    path("login/", views.PosLoginView.as_view(), name="login"),
    path("logout/", views.PosLogoutView.as_view(), name="logout"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("receipt/<str:number>/", print_views.receipt, name="receipt"),
    path("returns/<str:number>/receipt/", print_views.return_receipt, name="return-receipt"),
    path("sessions/<int:session_id>/z/", print_views.z_report, name="z-report"),
]
