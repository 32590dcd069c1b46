"""The dashboard's pages at /dashboard/ (namespace ``reporting``). Each concern keeps its views in its
own module; add its routes here."""

from django.urls import path

from . import views_conversion, views_overview

app_name = "reporting"

urlpatterns = [
    path("", views_overview.overview, name="overview"),
    path("conversion/", views_conversion.conversion, name="conversion"),
]
