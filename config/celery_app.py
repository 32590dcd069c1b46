"""The Celery app. Tasks live in each app's tasks.py; the beat schedule in settings.

Every task is a ``core.outbox.OutboxTask``: a message relayed from the outbox runs once. A worker
that starts relays what the outbox holds (the broker may just have come back).
"""

import os

from celery import Celery
from celery.signals import worker_ready

from core import logs, metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("omnichannel", task_cls="core.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The request id rides in the task headers into the task's log lines; task durations and failures.
logs.connect_celery_signals()
metrics.connect_celery_signals()


@worker_ready.connect
def _relay_outbox_on_start(sender=None, **kwargs):
    app.send_task("core.tasks.relay_outbox")
    port = int(os.environ.get("CELERY_METRICS_PORT", "0") or 0)
    if port:  # the worker's metrics, for the internal network (the web's /metrics has no worker samples)
        metrics.start_worker_exporter(port)
