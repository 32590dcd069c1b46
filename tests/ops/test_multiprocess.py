"""PROMETHEUS_MULTIPROC_DIR: samples of several processes (uvicorn --workers 2, Celery's children)
add up in one scrape; a websocket gauge counts live processes only."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RECORD = """
import django; django.setup()
from core import metrics
metrics.TILL_SALES.inc({n})
metrics.WEBSOCKETS.labels("stock", "AJA").inc()
if {dead}:
    metrics.on_worker_process_shutdown(pid=__import__("os").getpid())
"""
SCRAPE = """
import django; django.setup()
from prometheus_client import generate_latest
from core import metrics
assert metrics.MULTIPROCESS
print(generate_latest(metrics.scrape_registry()).decode())
"""


def run(script: str, directory: Path) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    environ.update(
        PROMETHEUS_MULTIPROC_DIR=str(directory), DJANGO_SETTINGS_MODULE="config.settings", REDIS_URL=""
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_two_processes_add_up_in_one_scrape(tmp_path):
    run(RECORD.format(n=2, dead=False), tmp_path)  # a worker still alive (its files stay "live")
    run(RECORD.format(n=3, dead=True), tmp_path)  # a worker that exited and was marked dead

    lines = run(SCRAPE, tmp_path).splitlines()

    assert "till_sales_total 5.0" in lines
    assert 'websocket_connections{consumer="stock",location="AJA"} 1.0' in lines
