"""The project's URLs plus ``/__ceiling__/``: a bare Django view returning a fixed 30 KB page (no
query, no template), what the server and Django's request cycle cost alone (``bench/serving.py``)."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project

BODY = b"<!doctype html><title>ceiling</title>" + b"x" * (30_000 - 37)


def ceiling(request):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("__ceiling__/", ceiling), *project]
