"""No server names itself: uvicorn as ``make serve`` / ``make demo`` start it sends no ``Server: uvicorn``
(docker-compose's ``ws`` runs it with the same flag); gunicorn with ``deploy/gunicorn.conf.py`` (the
Dockerfile's command and compose's ``web``) sends no ``Server`` header at all; the proxy in front
(``deploy/nginx.conf``) says ``nginx`` without its version. The same config file's multiprocess
metrics hooks are proved here too (a stale file removed at start, a dead worker's files marked)."""

import json
import os
import re
import runpy
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from bench._common import AsgiServer, child_env, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


def _headers(url: str) -> dict[str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:  # any status will do: the header is the point
        return {k.lower(): v for k, v in error.headers.items()}


def _make_command(target: str, port: int) -> str:
    """The uvicorn line ``make <target>`` runs, with this interpreter's virtualenv as $(VENV)."""
    out = subprocess.run(
        ["make", "-n", target, f"VENV={sys.prefix}", f"PORT={port}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    [line] = [line for line in out.splitlines() if "uvicorn config.asgi:application" in line]
    return line


@pytest.mark.parametrize("target", ["serve", "demo"])
def test_the_makefile_runs_uvicorn_without_a_server_header(target):
    port = free_port("127.0.0.1")
    command = _make_command(target, port)
    assert "--no-server-header" in command
    if target == "demo":
        return  # the same uvicorn line as serve; starting it once is enough
    env = child_env(DJANGO_ENV=None, DATABASE_URL=None, REDIS_URL=None)
    process = subprocess.Popen(["bash", "-c", command], cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_for_port(port, host="127.0.0.1", timeout=30, process=process)
        headers = _headers(f"http://127.0.0.1:{port}/robots.txt")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    assert "server" not in headers
    assert "content-type" in headers  # it did answer


def test_without_the_flag_uvicorn_names_itself():
    """The control: the header the flag removes is there by default."""
    with AsgiServer(env=child_env(DJANGO_ENV=None, DATABASE_URL=None, REDIS_URL=None)) as server:
        assert _headers(f"{server.base_url}/robots.txt")["server"] == "uvicorn"


GUNICORN_CONF = "deploy/gunicorn.conf.py"


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_dockerfile_and_compose_run_their_servers_without_a_server_header():
    [cmd] = re.findall(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    assert json.loads(cmd) == ["gunicorn", "-c", GUNICORN_CONF, "config.wsgi:application"]
    services = _compose()["services"]
    commands = [service["command"] for service in services.values() if "command" in service]
    uvicorns = [c for c in commands if "uvicorn" in c]
    assert uvicorns and all("--no-server-header" in c for c in uvicorns)
    gunicorns = [c for c in commands if "gunicorn" in c]
    assert gunicorns and all(c[c.index("-c") + 1] == GUNICORN_CONF for c in gunicorns)


def test_compose_serves_http_from_gunicorn_and_websockets_from_uvicorn_behind_one_proxy():
    services = _compose()["services"]
    assert services["web"]["command"][0] == "gunicorn" and "DB_POOL" not in services["web"]["environment"]
    assert services["ws"]["command"][0] == "uvicorn" and services["ws"]["environment"]["DB_POOL"] == "1"
    # only the proxy is published; each app service keeps its own readiness probe
    assert [name for name, service in services.items() if "ports" in service] == ["proxy"]
    for name, port in (("web", 8000), ("ws", 8001)):
        assert services[name]["healthcheck"]["test"][-1] == f"http://127.0.0.1:{port}/readyz"
        assert services[name]["environment"]["TRUSTED_PROXY_COUNT"] == "1"  # the proxy's X-Forwarded-For
        assert services[name]["environment"]["PROMETHEUS_MULTIPROC_DIR"] in services[name]["tmpfs"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in services["proxy"]["volumes"]


def test_the_proxy_hides_its_version_and_routes_websockets_with_the_upgrade_headers():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    code = "\n".join(line.split("#")[0] for line in conf.splitlines())  # comments out
    assert re.search(r"^\s*server_tokens off;", code, flags=re.MULTILINE)
    assert re.search(r"^\s*gzip on;", code, flags=re.MULTILINE)
    ws = re.search(r"location /ws/ \{(.*?)\}", code, flags=re.DOTALL)
    rest = re.search(r"location / \{(.*?)\}", code, flags=re.DOTALL)
    assert ws and rest
    assert "proxy_pass http://ws;" in ws.group(1) and "proxy_pass http://web;" in rest.group(1)
    assert "proxy_set_header Upgrade $http_upgrade;" in ws.group(1)
    assert "proxy_set_header Connection $connection_upgrade;" in ws.group(1)
    # a location with any proxy_set_header inherits none from the server block: each sets them all
    for block in (ws.group(1), rest.group(1)):
        for header in ("Host $http_host", "X-Forwarded-For $proxy_add_x_forwarded_for",
                       "X-Forwarded-Proto $scheme"):  # fmt: skip
            assert f"proxy_set_header {header};" in block
    if shutil.which("nginx") is None:
        return  # not installed here: the checks above are what can be proved
    subprocess.run(["nginx", "-t", "-c", str(ROOT / "deploy" / "nginx.conf")], check=True)  # pragma: no cover


def _gunicorn(port: int, **env: str | None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", GUNICORN_CONF, "config.wsgi:application"],
        cwd=ROOT,
        env=child_env(
            GUNICORN_BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY="2",
            GUNICORN_LOGLEVEL="warning",
            DJANGO_ENV=None,
            DATABASE_URL=None,
            REDIS_URL=None,
            **env,
        ),  # fmt: skip
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:  # pragma: no cover
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_gunicorn_with_the_config_file_sends_no_server_header_and_sums_both_workers_metrics(tmp_path):
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"stale")  # a previous run's: must not be summed
    port = free_port("127.0.0.1")
    process = _gunicorn(port, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), METRICS_TOKEN="scrape-me")
    try:
        wait_for_port(port, host="127.0.0.1", timeout=60, process=process)
        headers = _headers(f"http://127.0.0.1:{port}/healthz")
        assert "server" not in headers and "content-type" in headers
        # two workers: the master's children, each writing its own sample files
        workers = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(workers) == 2
        for _ in range(5):
            _headers(f"http://127.0.0.1:{port}/healthz")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/metrics", headers={"Authorization": "Bearer scrape-me"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert "server" not in {k.lower() for k in response.headers}
            text = response.read().decode()
    finally:
        _stop(process)
    assert not (metrics_dir / "counter_999999.db").exists()
    served = re.search(r'http_request_duration_seconds_count\{[^}]*view="healthz"[^}]*\} ([\d.]+)', text)
    assert served and float(served.group(1)) == 6  # every request, whichever worker served it


def test_the_child_exit_hook_marks_a_dead_workers_live_gauges(tmp_path, monkeypatch):
    """gunicorn's master calls ``child_exit`` when a worker exits (max_requests, a timeout, a crash):
    its live gauges (``multiprocess_mode="livesum"``) must leave the sum, its counters stay."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    for name in ("gauge_livesum_4242.db", "counter_4242.db", "gauge_livesum_4343.db"):
        (tmp_path / name).write_bytes(b"")
    conf = runpy.run_path(str(ROOT / GUNICORN_CONF))
    conf["child_exit"](None, SimpleNamespace(pid=4242))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter_4242.db", "gauge_livesum_4343.db"]
    assert conf["workers"] >= 1 and conf["worker_class"] == "sync" and conf["control_socket_disable"]
