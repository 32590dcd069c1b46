"""docker-compose's health check: exit 0 when the URL answers 200 within 5 s, else 1 (standard library
only: the image has no curl). Usage: ``python deploy/healthcheck.py http://127.0.0.1:8000/readyz``."""

import sys
import urllib.error
import urllib.request

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/healthz"
try:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a fixed local URL
        sys.exit(0 if response.status == 200 else 1)
except (urllib.error.URLError, OSError) as exc:
    print(f"{url}: {exc}", file=sys.stderr)
    sys.exit(1)
