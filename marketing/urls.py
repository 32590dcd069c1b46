"""The newsletter pages, under the storefront's language prefix (/fr/newsletter/...).

The unsubscribe link is outside the prefix (``config.urls``: ``/u/<token>/``) so that a mail
client's one-click POST is never redirected."""

from django.urls import path

from . import views

app_name = "marketing"

urlpatterns = [
    path("", views.newsletter, name="newsletter"),
    path("sent/", views.requested, name="requested"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
]
