"""Back-office URLs of the fulfilment screens (see logistics/urls.py): picking waves and packing."""

from django.urls import URLPattern, path

from . import views_fulfilment as views

urlpatterns: list[URLPattern] = [
    path("picking/", views.picking_home, name="picking"),
    path("picking/new/", views.picking_new, name="picking-new"),
    path("picking/<str:number>/", views.picking_wave, name="picking-wave"),
    path("picking/<str:number>/scan/", views.picking_scan, name="picking-scan"),
    path("picking/<str:number>/short/<int:line_id>/", views.picking_short, name="picking-short"),
    path("picking/<str:number>/pdf/", views.picking_pdf, name="picking-pdf"),
    path("picking/<str:number>/print/", views.picking_reprint, name="picking-reprint"),
    path("packing/", views.packing_home, name="packing"),
    path("packing/<str:number>/", views.packing_shipment, name="packing-shipment"),
    path("packing/<str:number>/scan/", views.packing_scan, name="packing-scan"),
    path("packing/<str:number>/parcel/", views.packing_parcel, name="packing-parcel"),
    path("packing/<str:number>/finish/", views.packing_finish, name="packing-finish"),
]
