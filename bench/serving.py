"""Benchmark: how to serve HTTP. uvicorn vs gunicorn (sync and gthread) vs granian (ASGI and WSGI),
two workers each (one per core), on PostgreSQL and Redis, in one run beside the ceiling view.

    .venv/bin/python bench/serving.py [--seconds 10] [--connections 8] [--products 300] \
        [--url postgres://postgres@127.0.0.1:5432/omni_bench_serving] [--layouts uvicorn,gunicorn-sync] \
        [--uncached]

What it does:

1. drops, creates and migrates the ``--url`` database and seeds ``--products`` demo products
   (``seed_demo``);
2. per layout, starts the server on a free port with ``DJANGO_SETTINGS_MODULE=bench.serving_settings``
   (the project, ``DJANGO_DEBUG=0``, the Redis page cache, plus ``/__ceiling__/``: a bare Django view
   returning a fixed 30 KB page), warms it up, then runs ``wrk -t1 -c<connections> -d<seconds>s`` on:
   - ``ceiling``: ``/__ceiling__/`` (the server and Django's request cycle alone);
   - ``product``: a product page, from the page cache as deployed (the whole middleware stack);
   - ``api``: ``/api/v1/catalog/products/?page_size=24`` (DRF, JSON, database reads);
   - with ``--uncached``, one more server, gunicorn sync with ``STOREFRONT_PAGE_CACHE=0``: the product,
     a category, a search and the home page as they cost when their cache entry was just dropped
     (the shared parts, categories, option values, stores and currencies, still cached), each as a
     share of that server's ceiling, and the product page against django-oscar's 1.7%;
3. prints req/s, p50 and p99 (ms) per layout and URL, each URL's req/s as a share of the same
   layout's ceiling and against uvicorn's figure, and how much memory the server's processes hold.

Websockets are not measured here (``bench/stock_push.py`` does: they stay on uvicorn, the only one of
these that serves Channels' ASGI websockets with the project's consumers today).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import child_env, create_database, free_port, migrate, print_table, wait_for_port  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_bench_serving"
WORKERS = "2"


def layouts(port: int) -> dict[str, list[str]]:
    python, bind = sys.executable, ["127.0.0.1", str(port)]
    return {
        "uvicorn (ASGI)": [python, "-m", "uvicorn", "config.asgi:application", "--host", bind[0], "--port",
                           bind[1], "--workers", WORKERS, "--no-access-log", "--log-level", "warning",
                           "--lifespan", "off"],
        "gunicorn sync (WSGI)": [python, "-m", "gunicorn", "config.wsgi:application", "-b", ":".join(bind),
                                 "-w", WORKERS, "--log-level", "warning"],
        "gunicorn gthread x4 (WSGI)": [python, "-m", "gunicorn", "config.wsgi:application", "-b",
                                       ":".join(bind), "-w", WORKERS, "-k", "gthread", "--threads", "4",
                                       "--log-level", "warning"],
        "granian (ASGI)": [python, "-m", "granian", "--interface", "asgi", "--host", bind[0], "--port",
                           bind[1], "--workers", WORKERS, "--log-level", "warning", "--no-ws",
                           "config.asgi:application"],
        "granian (WSGI)": [python, "-m", "granian", "--interface", "wsgi", "--host", bind[0], "--port",
                           bind[1], "--workers", WORKERS, "--log-level", "warning",
                           "config.wsgi:application"],
        # The page cache off (STOREFRONT_PAGE_CACHE=0): what a page costs when its entry was just
        # dropped; the shared parts (categories, option values, stores, currencies) stay cached.
        UNCACHED: [python, "-m", "gunicorn", "config.wsgi:application", "-b", ":".join(bind), "-w", WORKERS,
                   "--log-level", "warning"],
    }  # fmt: skip


UNCACHED = "gunicorn sync, page cache off"
# The issue's reference run: django-oscar 4.2.1's product page at 1.7% of the ceiling view's req/s.
OSCAR_SHARE = 0.017


def wrk(url: str, *, seconds: int, connections: int) -> tuple[float, float, float, int]:
    """req/s, p50 ms, p99 ms and non-2xx/3xx responses of ``wrk --latency``."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def ms(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            raise RuntimeError(f"no {label}% latency in wrk's output:\n{out}")
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: .*", out)
    if rate is None:
        raise RuntimeError(f"no Requests/sec in wrk's output:\n{out}")
    bad = int(errors.group(1)) if errors else 0
    if socket_errors:
        print(f"  wrk: {socket_errors.group(0)}")
    return float(rate.group(1)), ms("50"), ms("99"), bad


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB), from /proc."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pids.extend(int(child) for child in children)
    return total / 1024


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
        return response.read().decode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--layouts", default="", help="comma-separated names' first words (default: all)")
    parser.add_argument(
        "--uncached", action="store_true", help=f"also run '{UNCACHED}': product, category, search, home"
    )
    args = parser.parse_args()

    env = child_env(
        DATABASE_URL=args.url, REDIS_URL=args.redis, DB_POOL="1", DJANGO_DEBUG="0",
        DJANGO_SETTINGS_MODULE="bench.serving_settings", DJANGO_ALLOW_ASYNC_UNSAFE=None,
        # one client address: the API's per-address limits would answer 429
        THROTTLE_ANON="1000000/second", THROTTLE_USER="1000000/second",
        PYTHONPATH=str(ROOT),
    )  # fmt: skip
    create_database(args.url)
    migrate({**env, "DJANGO_SETTINGS_MODULE": "config.settings"})
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--products", str(args.products)],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    print(f"seeded {args.products} products in {time.perf_counter() - started:.0f} s")
    subprocess.run(["psql", args.url, "-qc", "ANALYZE"], check=True)

    port = free_port()
    chosen = [name for name in layouts(port) if name != UNCACHED and (not args.layouts
              or name.split()[0] in args.layouts.split(",") or name in args.layouts.split(","))]  # fmt: skip
    if args.uncached:
        chosen.append(UNCACHED)
    rows, figures = [], {}
    for name in chosen:
        server_env = {**env, "STOREFRONT_PAGE_CACHE": "0"} if name == UNCACHED else env
        process = subprocess.Popen(layouts(port)[name], cwd=ROOT, env=server_env, start_new_session=True)
        try:
            wait_for_port(port, timeout=60, process=process)
            base = f"http://127.0.0.1:{port}"
            home = get(f"{base}/fr/")
            product = re.search(r'href="(/fr/p/[^"]+/)"', home)
            if product is None:
                raise RuntimeError("no product link on the home page")
            urls = {
                "ceiling": f"{base}/__ceiling__/",
                "product": f"{base}{product.group(1)}",
                "api": f"{base}/api/v1/catalog/products/?page_size=24",
            }
            if name == UNCACHED:
                category = re.search(r'href="(/fr/c/[^"]+/)"', home)
                urls.update(
                    category=f"{base}{category.group(1) if category else '/fr/'}",
                    search=f"{base}/fr/search/?q=robe",
                    home=f"{base}/fr/",
                )
            for url in urls.values():  # warm: imports, connections, the page cache
                for _ in range(20):
                    get(url)
            for kind, url in urls.items():
                rate, p50, p99, bad = wrk(url, seconds=args.seconds, connections=args.connections)
                figures[(name, kind)] = rate
                rows.append([name, kind, f"{rate:,.0f}", f"{p50:.1f}", f"{p99:.1f}", bad])
            memory = rss_mb(process.pid)
            rows.append([name, "memory", f"{memory:,.0f} MB", "", "", ""])
            print(f"{name}: done", flush=True)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)
            time.sleep(1)
    print(
        f"\nwrk -t1 -c{args.connections} -d{args.seconds}s, {WORKERS} workers each, "
        "PostgreSQL + Redis, DEBUG off"
    )
    print_table(["layout", "url", "req/s", "p50 ms", "p99 ms", "errors"], rows)
    reference = chosen[0]
    share = []
    for name in [name for name in chosen if name != UNCACHED]:
        ceiling = figures[(name, "ceiling")]
        share.append([
            name,
            *(f"{figures[(name, kind)] / ceiling:.1%}" for kind in ("product", "api")),
            *(f"{figures[(name, kind)] / figures[(reference, kind)]:.2f}x"
              for kind in ("ceiling", "product", "api")),
        ])  # fmt: skip
    print(f"\nshare of the same layout's ceiling, and req/s against {reference}")
    print_table(["layout", "product/ceiling", "api/ceiling", "ceiling", "product", "api"], share)
    if UNCACHED in chosen:
        ceiling = figures[(UNCACHED, "ceiling")]
        pages = [
            [kind, f"{figures[(UNCACHED, kind)]:,.0f}", f"{figures[(UNCACHED, kind)] / ceiling:.1%}",
             f"{figures[(UNCACHED, kind)] / ceiling / OSCAR_SHARE:.1f}x" if kind == "product" else ""]
            for kind in ("product", "category", "search", "home")
        ]  # fmt: skip
        print(f"\n{UNCACHED}: req/s per page and as a share of the same server's ceiling ({ceiling:,.0f})")
        print_table(["page", "req/s", "of ceiling", "vs Oscar (1.7%)"], pages)


if __name__ == "__main__":
    main()
