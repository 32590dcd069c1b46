"""Sentry error reporting, on only when ``SENTRY_DSN`` is set (``config/settings.py``).

Django (requests, with the view as transaction name) and Celery (task failures, with the task's
arguments) are reported; ``send_default_pii=False``: no cookies, no user's e-mail or address, no
request bodies of signed-in users. Without a DSN sentry-sdk is never initialised: nothing is patched,
nothing is sent.
"""

from __future__ import annotations

from typing import Any


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float = 0.0, **options: Any) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration(), LoggingIntegration()],
        send_default_pii=False,
        traces_sample_rate=traces_sample_rate,
        **options,
    )
