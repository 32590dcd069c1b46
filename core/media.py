"""Product photos from ``MEDIA_ROOT`` when Django serves them itself (``SERVE_MEDIA``: the demo and
a single server; with object storage or a reverse proxy serving /media/ it is off).

Whitenoise serves static files only. Only ``products/`` is public: ``MEDIA_ROOT`` also holds
invoices, labels and ERP reports, which are never served from here. Renditions
(``products/r/``) have content-hashed names: a year, ``immutable``; an original keeps its name when
replaced by another file of the same name only after a delete, so a day.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe
from django.views.static import serve

PUBLIC_PREFIX = "products/"
RENDITIONS_PREFIX = "products/r/"


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    if not path.startswith(PUBLIC_PREFIX) or ".." in path.split("/"):
        raise Http404("Not a public file.")
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    if path.startswith(RENDITIONS_PREFIX):
        response["Cache-Control"] = settings.MEDIA_CACHE_CONTROL
    else:
        response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
