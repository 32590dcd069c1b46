"""The blog and the simple pages (``content``), mounted under the language prefix."""

from django.urls import path

from storefront.views import blog as views

app_name = "blog"

urlpatterns = [
    path("blog/", views.index, name="index"),
    path("blog/feed/", views.ArticleFeed(), name="feed"),
    path("blog/<slug:slug>/", views.article, name="article"),
    path("pages/<slug:slug>/", views.page, name="page"),
]
