"""Helpers shared by the benchmarks (and by the tests that need a second ASGI process).

- ``create_database`` / ``drop_database``: a throwaway PostgreSQL database, by URL;
- ``migrate``: ``manage.py migrate`` against a given environment, in a child process;
- ``AsgiServer``: ``uvicorn config.asgi:application`` on a free port, as a context manager that
  always stops the process it started (SIGTERM, then SIGKILL), by its pid only;
- ``free_port`` / ``wait_for_port``; ``database_url`` builds a URL from a Django ``DATABASES`` entry;
- ``percentile`` and ``print_table`` for the reports.

No Django import at module level: a benchmark sets ``DATABASE_URL`` before Django is set up.
"""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


# --- processes and ports --------------------------------------------------------------------------


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_for_port(
    port: int, *, host: str = "127.0.0.1", timeout: float = 30.0, process: subprocess.Popen | None = None
) -> None:
    """Block until something accepts connections on ``host:port``; fail fast if ``process`` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before listening on {port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.0f} s")


def child_env(**overrides: str | None) -> dict[str, str]:
    """This process's environment with ``overrides`` (``None`` removes a variable)."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


class AsgiServer:
    """``uvicorn config.asgi:application`` in a child process, stopped on exit whatever happens.

    >>> with AsgiServer(env=child_env(DATABASE_URL=url, REDIS_URL=redis)) as server:
    ...     server.ws_url("/ws/stock/?token=...")
    """

    def __init__(
        self,
        *,
        env: Mapping[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        app: str = "config.asgi:application",
        log_level: str = "warning",
        startup_timeout: float = 30.0,
        extra_args: Sequence[str] = (),
        python_args: Sequence[str] = (),
        stop_signal: int = signal.SIGTERM,
    ) -> None:
        self.stop_signal = stop_signal
        self.host, self.port = host, port or free_port(host)
        self.env = dict(env if env is not None else child_env())
        self.startup_timeout = startup_timeout
        self.args = [
            sys.executable,
            *python_args,
            "-m",
            "uvicorn",
            app,
            "--host",
            host,
            "--port",
            str(self.port),
            "--lifespan",
            "off",
            "--log-level",
            log_level,
            "--no-access-log",
            *extra_args,
        ]
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def ws_url(self, path: str) -> str:
        return f"ws://{self.host}:{self.port}{path}"

    def start(self) -> AsgiServer:
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env, start_new_session=True)
        try:
            wait_for_port(self.port, host=self.host, timeout=self.startup_timeout, process=self.process)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(self.stop_signal)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)

    def __enter__(self) -> AsgiServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


# --- PostgreSQL -----------------------------------------------------------------------------------


def database_url(settings_dict: Mapping[str, object]) -> str:
    """A ``postgres://`` URL for a Django ``DATABASES`` entry (at test time NAME is the test DB)."""
    user = quote(str(settings_dict.get("USER") or ""), safe="")
    password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{quote(str(settings_dict['NAME']), safe='')}"


def _split_db_url(url: str) -> tuple[str, str]:
    """``postgres://u@h:5432/name`` -> (maintenance URL on ``postgres``, ``name``)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise ValueError(f"no database name in {url}")
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), name


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_database(url: str) -> None:
    """Drop (if present) and create the database named in ``url``. For benchmarks only."""
    import psycopg

    admin_url, name = _split_db_url(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {_quote_ident(name)}")


def drop_database(url: str) -> None:
    import psycopg

    admin_url, name = _split_db_url(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")


def migrate(env: Mapping[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=dict(env),
        check=True,
    )


# --- reporting ------------------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (``pct`` in 0..100)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    line = "  ".join("-" * w for w in widths)
    for index, row in enumerate(cells):
        print(
            "  ".join(
                c.rjust(w) if index and i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            print(line)
