"""uvicorn as ``make serve`` / ``make demo`` start it sends no ``Server: uvicorn``; the Dockerfile and
docker-compose run it with the same flag."""

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

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


def test_the_dockerfile_and_compose_run_uvicorn_without_a_server_header():
    [cmd] = re.findall(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    assert json.loads(cmd)[0] == "uvicorn" and "--no-server-header" in json.loads(cmd)
    commands = [
        json.loads(match)
        for match in re.findall(r"command: (\[.*\])", (ROOT / "docker-compose.yml").read_text())
        if "uvicorn" in match
    ]
    assert commands and all("--no-server-header" in c for c in commands)
