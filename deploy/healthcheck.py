"""docker-compose's health check: exit 0 when the URL answers 200 within 5 s, else 1 (standard library
only: the image has no curl). Usage: ``python deploy/healthcheck.py http://127.0.0.1:8000/readyz``.

The request names the first of ``DJANGO_ALLOWED_HOSTS`` as its Host (a wildcard or ``.domain``
entry: the URL's own host), so a site that allows only its public name still answers the probe."""

import os
import sys
import urllib.error
import urllib.request

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/healthz"
hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
headers = {"Host": hosts[0]} if hosts and not hosts[0].startswith((".", "*")) else {}
try:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - a fixed local URL
        sys.exit(0 if response.status == 200 else 1)
except (urllib.error.URLError, OSError) as exc:
    print(f"{url}: {exc}", file=sys.stderr)
    sys.exit(1)
