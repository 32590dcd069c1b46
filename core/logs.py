"""Request ids and structured logs: one id follows a request into its log lines and its Celery tasks.

- ``RequestIdMiddleware`` (first in ``MIDDLEWARE``) takes the incoming ``X-Request-ID`` header when it
  is a sane token (``SANE_ID``: 1 to 128 letters, digits, ``.``, ``_``, ``:``, ``-``; what a proxy or
  a load balancer sends), else makes one (32 hex digits); it is in the response's ``X-Request-ID``
  and in a context variable for the time of the request.
- ``RequestIdFilter`` (on the handlers of ``LOGGING``) puts it on every log record as
  ``record.request_id`` (``-`` outside a request or task), with ``task_id`` / ``task_name`` in a task.
- ``JsonFormatter``: one JSON object per line (``time``, ``level``, ``logger``, ``message``,
  ``request_id``, the task's ids, ``exc_info`` as text), for ``LOG_FORMAT=json`` (the default in
  production, ``config/settings.py``); the console keeps the human format otherwise.
- Celery: ``before_task_publish`` adds the current id to the message headers (``HEADER``) of every
  task published during the request (``delay()``, the outbox's after-commit publish); ``task_prerun``
  sets it again on the worker from those headers, so the task's lines carry the request's id. An eager
  task runs in the request's own context and keeps its id. A message relayed later by the outbox
  relay (broker down at the time of the request) has no request around it, so no id.

Connected in ``config/celery_app.py`` (``connect_celery_signals``).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADER = "request_id"  # the Celery message header
HTTP_HEADER = "X-Request-ID"
SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_task: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("celery_task", default=None)
_task_tokens: dict[str, tuple[contextvars.Token[str | None], contextvars.Token[tuple[str, str] | None]]] = {}


def current_request_id() -> str | None:
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(value: str | None) -> str:
    """The incoming id if it is a sane token, else a new one (a header is never trusted blindly:
    it ends up in log lines, so no newline, no quote, no megabyte)."""
    if value and SANE_ID.match(value):
        return value
    return new_request_id()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accepted_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id  # type: ignore[attr-defined]
        token, task_token = _request_id.set(request_id), _task.set(None)
        try:
            response = self.get_response(request)
        finally:  # also forgets an eager task that raised before its postrun signal
            _task.reset(task_token)
            _request_id.reset(token)
        response[HTTP_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (and ``task_id`` / ``task_name`` inside a Celery task) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        task = _task.get()
        record.task_id, record.task_name = task if task else ("", "")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the keys are stable, absent values are left out."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None) or _request_id.get() or "-"
        data: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": None if request_id == "-" else request_id,
        }
        task_id = getattr(record, "task_id", "")
        if task_id:
            data["task_id"] = task_id
            data["task_name"] = getattr(record, "task_name", "")
        if record.exc_info:
            data["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            data["exc_info"] = record.exc_text
        if record.stack_info:
            data["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(data, ensure_ascii=False, default=str)


# --- Celery ---------------------------------------------------------------------------------------


def on_before_task_publish(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = _request_id.get()
    if request_id and headers is not None:
        headers.setdefault(HEADER, request_id)


def _header_of(request: Any) -> str | None:
    """The id a task was published with: a request attribute on a worker, ``request.headers`` when
    applied eagerly with ``headers=``."""
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    return str(value) if value and SANE_ID.match(str(value)) else None


def on_task_prerun(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    if task_id is None or task is None:
        return
    request_id = _header_of(task.request) or _request_id.get()  # eager: the caller's context
    _task_tokens[task_id] = (_request_id.set(request_id), _task.set((task_id, str(task.name))))


def on_task_postrun(task_id: str | None = None, **kwargs: Any) -> None:
    tokens = _task_tokens.pop(task_id or "", None)
    if tokens is None:
        return
    request_token, task_token = tokens
    try:
        _task.reset(task_token)
        _request_id.reset(request_token)
    except ValueError:  # set in another context (should not happen): clear rather than leak
        _task.set(None)
        _request_id.set(None)


def connect_celery_signals() -> None:
    from celery.signals import before_task_publish, task_postrun, task_prerun

    before_task_publish.connect(on_before_task_publish, weak=False, dispatch_uid="core.logs.publish")
    task_prerun.connect(on_task_prerun, weak=False, dispatch_uid="core.logs.prerun")
    task_postrun.connect(on_task_postrun, weak=False, dispatch_uid="core.logs.postrun")
