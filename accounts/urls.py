"""The customer portal, mounted under /<lang>/account/."""

from django.urls import path

from core.views import placeholder

app_name = "accounts"

urlpatterns = [
    path("", placeholder, name="dashboard"),
    path("login/", placeholder, name="login"),
    path("signup/", placeholder, name="signup"),
]
