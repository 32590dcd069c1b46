"""gunicorn for the HTTP side: ``gunicorn -c deploy/gunicorn.conf.py config.wsgi:application``.

Why gunicorn sync and not uvicorn for HTTP: ``bench/serving.py`` measured Django's HTTP stack 1.5-3.4x
faster as WSGI under gunicorn sync than through the ASGI handler (README, "Benchmarks"). Websockets
stay on uvicorn (compose's ``ws``); the proxy sends ``/ws/`` there and everything else here.

Workers: ``WEB_CONCURRENCY``, default one per core. A sync worker serves one request at a time and
Django's request is CPU work (templates, ORM) with short database waits, so a second worker per core
only queues for the same core (p95 up, throughput flat) and each one holds its own persistent
database connection (``CONN_MAX_AGE``), its own memory and its own caches. The classic
"2 x cores + 1" is for workers that mostly wait on I/O. Connections: one per worker, so
replicas x workers (+ ``ws``'s pool, Celery, beat, relay) must stay under PostgreSQL's
``max_connections`` (docker-compose.yml adds them up).

Behind the proxy only: a sync worker must not talk to slow clients itself (nginx buffers the request
and the response, so a worker is busy for the request's own time only).

Also here:
- no ``Server`` header (gunicorn has no switch for it: the response's default headers are filtered);
- prometheus-client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``): the directory is emptied
  when the master starts, and ``child_exit`` marks a dead worker's files dead, so its live gauges stop
  counting (a worker restarted by ``max_requests`` or a timeout keeps its counters in the sum).
"""

from __future__ import annotations

import glob
import os
from typing import Any

from gunicorn.http import wsgi as _gunicorn_wsgi  # type: ignore[import-untyped]  # no stubs

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# The CPUs this process may run on (a container's cpuset), not the host's count.
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)) or 1)
worker_class = "sync"
# A request longer than this is killed (and logged); the proxy answers 502 to that one client.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# A worker is replaced after this many requests (give or take the jitter): slow leaks stay bounded.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# The heartbeat file on a RAM disk when there is one (a container's /tmp may be on overlayfs).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# X-Forwarded-Proto is read by Django (SECURE_PROXY_SSL_HEADER), X-Forwarded-For by core.ratelimit
# (TRUSTED_PROXY_COUNT); gunicorn itself trusts them only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None  # the proxy logs requests; Django logs errors
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# No runtime control socket (gunicorn >= 25.1 opens one in $HOME by default: one path for every
# gunicorn of the machine, and nothing here uses gunicornc).
control_socket_disable = True

_default_headers = _gunicorn_wsgi.Response.default_headers


def _default_headers_without_server(self: Any) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_gunicorn_wsgi.Response.default_headers = _default_headers_without_server


def on_starting(server: Any) -> None:
    """Before any worker: an empty multiprocess directory (files of a previous run would be summed)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for path in glob.glob(os.path.join(directory, "*.db")):
            os.remove(path)


def child_exit(server: Any, worker: Any) -> None:
    """A worker exited (in the master): its live gauges leave the sum."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
