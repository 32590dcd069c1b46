"""Prometheus metrics (prometheus-client): what ``/metrics`` shows, and who records it.

Scraped at ``/metrics`` (``metrics_view``) with ``Authorization: Bearer <METRICS_TOKEN>``; without
``METRICS_TOKEN`` set, or with another token, the answer is a 404 (nothing tells a scanner it exists).

| metric | type | labels | recorded by |
|---|---|---|---|
| ``http_request_duration_seconds`` | histogram | view, method, status | ``MetricsMiddleware`` |
| ``http_request_db_queries`` | histogram | view | ``MetricsMiddleware`` (``execute_wrapper``) |
| ``page_cache_requests_total`` | counter | kind, result (hit/miss) | ``storefront.cache.get_page`` |
| ``celery_task_duration_seconds`` | histogram | task, state | Celery signals (``connect_celery_signals``) |
| ``celery_task_failures_total`` | counter | task, exception | Celery ``task_failure`` |
| ``celery_queue_length`` | gauge | queue | read from the broker (Redis ``LLEN``) at scrape time |
| ``websocket_connections`` | gauge | consumer, location | ``inventory.consumers`` |
| ``stock_push_lag_seconds`` | histogram | | ``inventory.consumers``: commit -> a socket's handler |
| ``orders_paid_total`` | counter | channel | ``reporting.metrics`` (``order.paid``, after commit) |
| ``till_sales_total`` | counter | | ``reporting.metrics`` (``store_sale.completed``) |
| ``refunds_total`` | counter | kind (full/part) | ``reporting.metrics`` (``order.(part_)refunded``) |
| ``till_returns_total`` | counter | | ``reporting.metrics`` (``store_sale.returned``) |
| ``payments_failed_total`` | counter | provider | ``payments.services`` (after commit) |

``view`` is the URL pattern's name (``resolver_match.view_name``, e.g. ``v1:stock-list``), or its
route when it has no name; ``unmatched`` for a 404 no pattern matched, ``static`` for WhiteNoise.
Never the raw path: the label set stays bounded whatever clients ask for. ``status`` is the class,
``2xx`` ... ``5xx``.

Several processes (uvicorn ``--workers 2``, Celery's prefork children): set
``PROMETHEUS_MULTIPROC_DIR`` to a directory, the same for every process of one container, empty when
they start (compose mounts a tmpfs). Each process then writes its samples to files there and the
scrape adds them up (``prometheus_client.multiprocess``). Gauges of live things (websockets) count
live processes only.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)
QUERY_BUCKETS = (0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
PUSH_LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

REQUEST_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time from the first middleware to the response, per view, method and status class.",
    ["view", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
REQUEST_QUERIES = Histogram(
    "http_request_db_queries", "SQL queries run by one request, per view.", ["view"], buckets=QUERY_BUCKETS
)
PAGE_CACHE = Counter(
    "page_cache_requests", "Storefront page cache lookups, per kind of page and result.", ["kind", "result"]
)
TASK_DURATION = Histogram(
    "celery_task_duration_seconds",
    "Celery task run time, per task and final state.",
    ["task", "state"],
    buckets=TASK_BUCKETS,
)
TASK_FAILURES = Counter("celery_task_failures", "Celery tasks that raised, per task.", ["task", "exception"])
WEBSOCKETS = Gauge(
    "websocket_connections",
    "Open websockets, per consumer and location followed.",
    ["consumer", "location"],
    multiprocess_mode="livesum",
)
STOCK_PUSH_LAG = Histogram(
    "stock_push_lag_seconds",
    "From a stock change's commit (its push) to a websocket consumer handling it.",
    buckets=PUSH_LAG_BUCKETS,
)
ORDERS_PAID = Counter("orders_paid", "Web orders whose payment was captured.", ["channel"])
TILL_SALES = Counter("till_sales", "Sales recorded at the tills.")
REFUNDS = Counter("refunds", "Orders refunded: in full, or in part (cancelled lines, after sales).", ["kind"])
TILL_RETURNS = Counter("till_returns", "Returns taken at a till (refunded or exchanged).")
PAYMENTS_FAILED = Counter("payments_failed", "Payments that failed (declined, errored).", ["provider"])


# --- the request side -----------------------------------------------------------------------------


def view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match.route or "unnamed"
    static_url = "/" + str(settings.STATIC_URL).lstrip("/")
    return "static" if request.path.startswith(static_url) else "unmatched"


class _QueryCounter:
    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


class MetricsMiddleware:
    """First in ``MIDDLEWARE``: times the whole request and counts its SQL queries (every database).

    Cheap on purpose (bench/ops_overhead.py): the query counter is put straight on each connection's
    ``execute_wrappers`` (what ``execute_wrapper()`` does, without its context manager), and the
    labelled children are looked up once per label set, not per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.aliases = list(settings.DATABASES)
        self.latency: dict[tuple[str, str, str], Any] = {}
        self.queries: dict[str, Any] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        wrapped = [connections[alias].execute_wrappers for alias in self.aliases]
        for wrappers in wrapped:
            wrappers.append(counter)
        start = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            for wrappers in wrapped:
                wrappers.remove(counter)
        elapsed = time.perf_counter() - start
        view = view_label(request)
        key = (view, request.method or "", f"{response.status_code // 100}xx")
        latency = self.latency.get(key)
        if latency is None:
            latency = self.latency[key] = REQUEST_LATENCY.labels(*key)
        latency.observe(elapsed)
        queries = self.queries.get(view)
        if queries is None:
            queries = self.queries[view] = REQUEST_QUERIES.labels(view)
        queries.observe(counter.count)
        return response


# --- the scrape -----------------------------------------------------------------------------------


class QueueLengthCollector(Collector):
    """``celery_queue_length``: the broker's queues, read when scraped (Redis broker only).

    kombu keeps a Redis queue as a list named after it, plus one list per priority step
    (``<queue>\\x06\\x16<priority>``); their lengths are added. A broker that does not answer within
    a second leaves the metric out of this scrape (logged), never fails it.
    """

    def describe(self) -> list[GaugeMetricFamily]:
        """What registering asks (instead of a first ``collect()``): no settings, no broker, at import."""
        return [self._family()]

    def _family(self) -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
        )

    def collect(self) -> Iterator[GaugeMetricFamily]:
        url = str(getattr(settings, "CELERY_BROKER_URL", "") or "")
        if not url.startswith(("redis://", "rediss://", "unix://")):
            return
        family = self._family()
        try:
            import redis

            client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
            try:
                for queue in celery_queues():
                    keys = [queue, *(f"{queue}\x06\x16{step}" for step in (3, 6, 9))]
                    with client.pipeline(transaction=False) as pipe:
                        for key in keys:
                            pipe.llen(key)
                        family.add_metric([queue], float(sum(pipe.execute())))
            finally:
                client.close()
        except Exception as exc:  # a scrape never fails for the broker: the metric is just missing
            logger.warning("metrics: celery queue length unavailable (%s)", type(exc).__name__)
            return
        yield family


def celery_queues() -> list[str]:
    from celery import current_app

    names = {str(current_app.conf.task_default_queue or "celery")}
    for route in (getattr(settings, "CELERY_TASK_ROUTES", None) or {}).values():
        if isinstance(route, dict) and route.get("queue"):
            names.add(str(route["queue"]))
    return sorted(names)


_QUEUE_COLLECTOR = QueueLengthCollector()
if not MULTIPROCESS:
    REGISTRY.register(_QUEUE_COLLECTOR)


def scrape_registry() -> CollectorRegistry:
    """What one scrape reads: this process's registry, or every process's files in multiprocess mode."""
    if not MULTIPROCESS:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    registry.register(_QUEUE_COLLECTOR)
    return registry


def token_matches(header: str) -> bool:
    token = str(getattr(settings, "METRICS_TOKEN", "") or "")
    if not token:
        return False
    return hmac.compare_digest(header.encode(), f"Bearer {token}".encode())


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    """``GET /metrics``: the Prometheus text format, for ``Authorization: Bearer <METRICS_TOKEN>`` only."""
    if not token_matches(request.headers.get("Authorization", "")):
        raise Http404
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)


# --- Celery -----------------------------------------------------------------------------------------

_task_starts: dict[str, float] = {}


def on_task_prerun(task_id: str | None = None, **kwargs: Any) -> None:
    if task_id:
        _task_starts[task_id] = time.perf_counter()


def on_task_postrun(
    task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any
) -> None:
    start = _task_starts.pop(task_id or "", None)
    if start is not None and task is not None:
        TASK_DURATION.labels(str(task.name), str(state or "UNKNOWN")).observe(time.perf_counter() - start)


def on_task_failure(sender: Any = None, exception: BaseException | None = None, **kwargs: Any) -> None:
    name = str(getattr(sender, "name", "") or "unknown")
    TASK_FAILURES.labels(name, type(exception).__name__ if exception is not None else "unknown").inc()


def on_worker_process_shutdown(pid: int | None = None, **kwargs: Any) -> None:
    """A prefork child exits: its live gauges stop counting (multiprocess mode)."""
    if MULTIPROCESS:
        multiprocess.mark_process_dead(pid or os.getpid())  # type: ignore[no-untyped-call]


def start_worker_exporter(port: int) -> None:
    """A Celery worker has no ``/metrics``: its main process serves its own (and its children's, in
    multiprocess mode) on ``port``, for the internal network only (``CELERY_METRICS_PORT``)."""
    from prometheus_client import start_http_server

    start_http_server(port, registry=scrape_registry())
    logger.info("metrics: Celery worker metrics on port %d", port)


def connect_celery_signals() -> None:
    from celery.signals import task_failure, task_postrun, task_prerun, worker_process_shutdown

    task_prerun.connect(on_task_prerun, weak=False, dispatch_uid="core.metrics.prerun")
    task_postrun.connect(on_task_postrun, weak=False, dispatch_uid="core.metrics.postrun")
    task_failure.connect(on_task_failure, weak=False, dispatch_uid="core.metrics.failure")
    worker_process_shutdown.connect(
        on_worker_process_shutdown, weak=False, dispatch_uid="core.metrics.process_shutdown"
    )
