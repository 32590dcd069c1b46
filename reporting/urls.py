"""The dashboard's pages at /dashboard/ (namespace ``reporting``). Each concern keeps its views in its
own module; add its routes here."""

from django.urls import path

from . import views_overview

app_name = "reporting"

urlpatterns = [
    path("", views_overview.overview, name="overview"),
]
