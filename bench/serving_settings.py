"""Settings for ``bench/serving.py``: the project's, plus the ceiling view (``bench/serving_urls.py``)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.serving_urls"
