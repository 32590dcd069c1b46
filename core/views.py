import logging
import sys

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error
from redis.backoff import NoBackoff
from redis.retry import Retry

from core import degradation
from core.middleware import unavailable_code, unavailable_response

logger = logging.getLogger(__name__)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 for the whole site: JSON in the API's error format under /api/, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "not_found", "message": "No such API endpoint.", "detail": {}}, status=404
        )
    return page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 for a ``SuspiciousOperation`` raised past ``core.middleware`` (a body that lied about its
    size, ...): JSON in the API's error format under /api/, the plain page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "invalid_input", "message": "The request is not valid.", "detail": {}}, status=400
        )
    return django_bad_request(request, exception)  # type: ignore[arg-type]  # Exception, not None, in use


def server_error(request: HttpRequest) -> HttpResponse:
    """500 for the whole site: an API client gets JSON it can parse, a person the HTML page.

    A database outage raised outside a view (a middleware saving the session) is a 503 with
    ``Retry-After`` here too (``core.middleware``)."""
    exc = sys.exc_info()[1]
    if exc is not None and (code := unavailable_code(exc)) is not None:
        return unavailable_response(request, code, exc)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "server_error",
                "message": "Something went wrong on our side; it has been logged.",
                "detail": {},
            },
            status=500,
        )
    return django_server_error(request)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on pages that link no icon (a PDF, a JSON answer):
    the site's icon, from the static files."""
    response = HttpResponsePermanentRedirect(static("core/icons/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the load balancer and docker-compose (``/readyz`` is readiness): no auth, JSON, fast.

    ``{"status": "ok" | "degraded", "database": "ok" | "error: ...", "redis": "ok" | "not configured"
    | "error: ...", "degraded": {"cache": 3, "database": 1}}``; 200 when every configured service
    answers, else 503. Errors name the exception class only: no host names or credentials leak to an
    anonymous caller. ``degraded`` counts, since this process started, the calls served without the
    cache and the requests refused with a 503 for want of a database connection (``core.degradation``).
    """
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", **checks, "degraded": degradation.counts()},
        status=200 if healthy else 503,
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is a health answer, never a 500
        logger.warning("healthz: database check failed: %r", exc)
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    try:
        _ping_redis(settings.REDIS_URL)
    except Exception as exc:
        logger.warning("healthz: redis check failed: %r", exc)
        return f"error: {type(exc).__name__}"
    return "ok"


def _ping_redis(url: str) -> None:
    """One PING, no retries (redis-py retries 3 times by default): a probe answers within 2 s."""
    client = redis.Redis.from_url(
        url, socket_timeout=2, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0)
    )
    try:
        client.ping()
    finally:
        client.close()


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: may this process take traffic? ``/healthz`` says it is alive; this says its
    dependencies are there. 200 ``{"status": "ready", "checks": {...}}`` when every check passes, else
    503 ``{"status": "not ready", "checks": {...}, "failed": ["redis", ...]}``.

    Checks: ``database`` (SELECT 1), ``redis`` (PING ``REDIS_URL``; "not configured" passes),
    ``migrations`` (none of the code's migrations left unapplied: "ok" or "unapplied: N"),
    ``celery_broker`` (a connection to ``CELERY_BROKER_URL``; "eager" passes: no broker is used).
    Errors name the exception class only, as on ``/healthz``.
    """
    checks = {
        "database": _check_database(),
        "redis": _check_redis(),
        "migrations": _check_migrations(),
        "celery_broker": _check_broker(),
    }
    failed = [name for name, value in checks.items() if value not in READY_VALUES]
    body: dict[str, object] = {"status": "not ready" if failed else "ready", "checks": checks}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)


READY_VALUES = ("ok", "not configured", "eager")


def _check_migrations() -> str:
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        logger.warning("readyz: migrations check failed: %r", exc)
        return f"error: {type(exc).__name__}"
    return f"unapplied: {len(plan)}" if plan else "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    url = str(settings.CELERY_BROKER_URL)
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            _ping_redis(url)
        else:
            from kombu import Connection

            with Connection(url, connect_timeout=2) as broker:
                broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
    except Exception as exc:
        logger.warning("readyz: celery broker check failed: %r", exc)
        return f"error: {type(exc).__name__}"
    return "ok"


def placeholder(request: HttpRequest, **kwargs: object) -> HttpResponse:
    """Scaffolding for a storefront route whose page is being built; replaced before it lands."""
    from django.shortcuts import render

    return render(request, "shop/base.html", {})
