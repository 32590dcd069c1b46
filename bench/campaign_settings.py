"""Settings of the campaign benchmark's Celery worker: the project's, with e-mail sent through
django-anymail's Postmark backend to the benchmark's local fake ESP (``BENCH_ESP_URL``)."""

import os

from config.settings import *  # noqa: F403

EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
ANYMAIL = {
    "POSTMARK_SERVER_TOKEN": "bench-token",
    "POSTMARK_API_URL": os.environ.get("BENCH_ESP_URL", "http://127.0.0.1:9/"),
}
