"""Per-request cost of the operations middleware (core.metrics and core.logs: metrics, request id).

In-process, no server: Django's handler with the project's MIDDLEWARE, a view returning a fixed 30 KB
page (no query, no template), N requests with and without each middleware, interleaved, median of
ROUNDS; also an empty chain against the two alone ("bare"), where the difference is not lost in the
noise of the other middleware. Prints microseconds per request and the difference.

    .venv/bin/python bench/ops_overhead.py [N=2000] [ROUNDS=7]
"""

import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.base import BaseHandler  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory, override_settings  # noqa: E402
from django.urls import path  # noqa: E402

BODY = b"x" * 30_000


def fixed(request):
    return HttpResponse(BODY)


urlpatterns = [path("fixed/", fixed, name="bench-fixed")]
OPS = ["core.logs.RequestIdMiddleware", "core.metrics.MetricsMiddleware"]


def per_request_us(middleware: list[str], n: int) -> float:
    with override_settings(MIDDLEWARE=middleware, ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"]):
        handler = BaseHandler()
        handler.load_middleware()
        factory = RequestFactory()
        requests = [factory.get("/fixed/") for _ in range(n)]
        start = time.perf_counter()
        for request in requests:
            response = handler.get_response(request)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
    return elapsed / n * 1e6


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    full = list(settings.MIDDLEWARE)
    variants = {
        "without both": [m for m in full if m not in OPS],
        "request id only": [m for m in full if m != "core.metrics.MetricsMiddleware"],
        "full (both)": full,
        "bare: none": [],
        "bare: both": OPS,
    }
    per_request_us(full, 200)  # warm up: imports, first metric children
    results: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, middleware in variants.items():
            results[name].append(per_request_us(middleware, n))
    print(f"{n} requests x {rounds} rounds, median us/request, a 30 KB view behind:")
    for name, values in results.items():
        base = statistics.median(results["bare: none" if name.startswith("bare") else "without both"])
        median = statistics.median(values)
        print(f"  {name:16} {median:8.1f} us   {median - base:+6.1f} us")


def isolated_us(n: int = 50_000, rounds: int = 7) -> dict[str, float]:
    """Each middleware's own cost: its ``__call__`` around a view that returns a prebuilt response
    (resolver match set, as after URL resolution), best of ``rounds`` (the least disturbed run)."""
    from django.urls import resolve

    from core.logs import RequestIdMiddleware
    from core.metrics import MetricsMiddleware

    response = HttpResponse(BODY)
    request = RequestFactory().get("/healthz")
    request.resolver_match = resolve("/healthz")

    def view(_request):
        return response

    chains = {
        "nothing": view,
        "RequestIdMiddleware": RequestIdMiddleware(view),
        "MetricsMiddleware": MetricsMiddleware(view),
        "both": RequestIdMiddleware(MetricsMiddleware(view)),
    }
    best: dict[str, float] = {}
    for name, chain in chains.items():
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            for _ in range(n):
                chain(request)
            times.append((time.perf_counter() - start) / n * 1e6)
        best[name] = min(times)
    return best


if __name__ == "__main__":
    main()
    isolated = isolated_us()
    print("isolated, best of 7 x 50,000 calls, us/request:")
    for name, value in isolated.items():
        print(f"  {name:20} {value:6.2f} us   {value - isolated['nothing']:+6.2f} us")
