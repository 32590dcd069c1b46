"""Benchmark: stock change committed -> ``stock.changed`` received on websockets served by another process.

    .venv/bin/python bench/stock_push.py [--changes 1000] [--sockets 1,200] [--fanout-rate 3000]

What it does, against PostgreSQL and Redis (the production path):

1. creates its own database (default ``postgres://postgres@127.0.0.1:5432/omni_bench_push``, or
   ``BENCH_DATABASE_URL`` / ``--database-url``), migrates it, and creates one location, one variant
   with stock and a staff user's DRF token; the Redis channel layer is ``BENCH_REDIS_URL`` /
   ``--redis-url`` (default ``redis://127.0.0.1:6379/5``);
2. starts ``uvicorn config.asgi:application`` in a child process: the websockets live THERE;
3. for each socket count, connects the sockets (from client processes, as tablets would be separate
   machines), waits for every snapshot, then makes ``--changes`` sales in THIS process through
   ``inventory.services.sell_stock``, each in its own transaction, one every ``--interval-ms`` or, with
   many sockets, every ``sockets / --fanout-rate`` seconds (200 sockets: one change every 67 ms, i.e.
   15 chain-wide stock changes a second, each pushed to 200 tablets). This measures latency at a
   realistic pace, not the saturation point of the machine; ``--fanout-rate 1e9`` removes the pacing.
   Clients do not negotiate permessage-deflate unless ``--client-deflate`` (100-byte JSON messages do
   not gain from it, and it costs CPU on both ends);
4. latency of one message = time it was received on a socket - time its transaction committed. The
   commit time is taken by an ``on_commit`` hook registered before the service call, so it runs first
   after the commit, before the service's own after-commit push. Both clocks are
   ``time.perf_counter`` (CLOCK_MONOTONIC: one clock for every process of the machine);
5. prints p50/p95/p99/max over every (change, socket) pair and the messages lost, then stops the
   server and the clients and drops the database (``--keep-db`` keeps it).

Target (design.md): p95 under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    AsgiServer,
    child_env,
    create_database,
    drop_database,
    migrate,
    percentile,
    print_table,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/omni_bench_push"
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"
LOCATION = "BENCHPUSH"
SKU = "BENCH-PUSH-1"


# --- client processes (no Django here) ------------------------------------------------------------


def client_worker(
    url: str, origin: str, sockets: int, deflate: bool, ready: mp.Queue, control: mp.Queue, results: mp.Queue
):
    """Open ``sockets`` websockets, report ready after every snapshot, record (version, receive time)."""
    try:
        results.put(asyncio.run(_client_main(url, origin, sockets, deflate, ready, control)))
    except Exception as exc:  # the parent reports it; never hang the benchmark
        ready.put(("error", repr(exc)))
        results.put({"error": repr(exc)})


async def _client_main(
    url: str, origin: str, sockets: int, deflate: bool, ready: mp.Queue, control: mp.Queue
) -> dict:
    import websockets

    received: list[dict[int, float]] = [{} for _ in range(sockets)]
    connected = 0
    all_connected = asyncio.Event()

    async def one(index: int) -> None:
        nonlocal connected
        async with websockets.connect(
            url,
            origin=origin,
            open_timeout=60,
            max_queue=None,
            ping_interval=None,
            compression="deflate" if deflate else None,
        ) as ws:
            snapshot = json.loads(await ws.recv())
            assert snapshot["type"] == "snapshot", snapshot
            connected += 1
            if connected == sockets:
                all_connected.set()
            mine = received[index]
            async for raw in ws:
                at = time.perf_counter()
                message = json.loads(raw)
                if message.get("type") == "stock.changed":
                    mine[message["version"]] = at

    tasks = [asyncio.create_task(one(i)) for i in range(sockets)]
    await asyncio.wait_for(all_connected.wait(), timeout=120)
    ready.put(("ready", sockets))
    loop = asyncio.get_running_loop()
    _, last_version, grace = await loop.run_in_executor(None, control.get)  # ("finish", version, seconds)
    grace_until = time.monotonic() + grace
    while time.monotonic() < grace_until and not all(max(r, default=0) >= last_version for r in received):
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"received": received, "cpu_s": time.process_time()}


# --- the benchmark process ------------------------------------------------------------------------


@dataclass
class Result:
    sockets: int
    changes: int
    latencies_ms: list[float]
    lost: int
    duration_s: float

    interval_ms: float = 0.0
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0

    def row(self) -> list[str]:
        lat = sorted(self.latencies_ms)

        def fmt(v: float) -> str:
            return f"{v:.2f}"

        return [
            str(self.sockets),
            str(self.changes),
            f"{self.interval_ms:g}",
            str(len(lat)),
            fmt(percentile(lat, 50)),
            fmt(percentile(lat, 95)),
            fmt(percentile(lat, 99)),
            fmt(lat[-1] if lat else float("nan")),
            str(self.lost),
            f"{self.changes / self.duration_s:.0f}",
            f"{self.server_cpu_s * 1e6 / max(1, len(lat)):.0f}",
            f"{self.client_cpu_s * 1e6 / max(1, len(lat)):.0f}",
        ]


def setup_django(database_url: str, redis_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def create_fixtures(stock: int):
    from rest_framework.authtoken.models import Token

    from accounts.models import Role, User
    from accounts.roles import assign_role
    from catalog.models import Category, Product, Variant, VatRate
    from catalog.validators import ean13_check_digit
    from inventory import services
    from inventory.models import Location

    location = Location.objects.create(code=LOCATION, name="Benchmark store")
    vat = VatRate.objects.create(code="bench", name="Bench", rate="0.2000")
    category = Category.objects.create(name="Bench", slug="bench")
    product = Product.objects.create(
        name="Bench product", slug="bench-product", category=category, vat_rate=vat, base_price_ht="10.0000"
    )
    first12 = "299000000001"
    variant = Variant.objects.create(
        product=product, sku=SKU, ean13=first12 + str(ean13_check_digit(first12))
    )
    services.receive_stock(variant=variant, location=location, quantity=stock, reference="BENCH")
    user = User.objects.create_user("bench.push@example.com", "bench-pass-1234")
    assign_role(user, Role.STAFF)
    token = Token.objects.create(user=user)
    return location, variant, token.key


def run_scenario(
    *,
    server: AsgiServer,
    token: str,
    location,
    variant,
    sockets: int,
    changes: int,
    interval: float,
    client_procs: int,
    deflate: bool,
) -> Result:
    from django.db import transaction

    from inventory import services

    ctx = mp.get_context("spawn")
    ready, results = ctx.Queue(), ctx.Queue()
    procs = max(1, min(client_procs, sockets))
    shares = [sockets // procs + (1 if i < sockets % procs else 0) for i in range(procs)]
    url = server.ws_url(f"/ws/stock/?locations={LOCATION}&skus={SKU}&token={token}")
    controls = [ctx.Queue() for _ in shares]
    workers = [
        ctx.Process(
            target=client_worker,
            args=(url, server.base_url, n, deflate, ready, control, results),
            daemon=True,
        )
        for n, control in zip(shares, controls, strict=True)
    ]
    for worker in workers:
        worker.start()
    try:
        for _ in workers:
            status, detail = ready.get(timeout=180)
            if status != "ready":
                raise RuntimeError(f"a client process failed: {detail}")
        time.sleep(0.3)

        committed: dict[int, float] = {}
        server_cpu_before = process_cpu_seconds(server.process.pid)
        started = time.perf_counter()
        for n in range(changes):
            stamp: list[float] = []
            with transaction.atomic():
                transaction.on_commit(lambda stamp=stamp: stamp.append(time.perf_counter()))
                change = services.sell_stock(
                    variant=variant, location=location, quantity=1, reference=f"B-{n}"
                )
            committed[change.level.version] = stamp[0]
            if interval:
                next_at = started + (n + 1) * interval
                pause = next_at - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
        duration = time.perf_counter() - started
        last_version = max(committed)
        for control in controls:
            control.put(("finish", last_version, 5.0))
        received_all: list[dict[int, float]] = []
        client_cpu = 0.0
        for _ in workers:
            outcome = results.get(timeout=120)
            if "error" in outcome:
                raise RuntimeError(f"a client process failed: {outcome['error']}")
            received_all.extend(outcome["received"])
            client_cpu += outcome["cpu_s"]
        server_cpu = process_cpu_seconds(server.process.pid) - server_cpu_before
    finally:
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.kill()
                worker.join(timeout=5)

    latencies: list[float] = []
    lost = 0
    for per_socket in received_all:
        for version, at in committed.items():
            got = per_socket.get(version)
            if got is None:
                lost += 1
            else:
                latencies.append((got - at) * 1000)
    return Result(
        sockets=sockets,
        changes=changes,
        latencies_ms=latencies,
        lost=lost,
        duration_s=duration,
        server_cpu_s=server_cpu,
        client_cpu_s=client_cpu,
    )


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--sockets", default="1,200", help="comma-separated socket counts, one scenario each")
    parser.add_argument("--interval-ms", type=float, default=10.0, help="time between two changes (at least)")
    parser.add_argument(
        "--fanout-rate",
        type=float,
        default=3000.0,
        help="messages per second the server is asked to push at most: with N sockets, changes are spaced "
        "by max(interval, N / rate), a realistic pace for a chain instead of a saturation test",
    )
    parser.add_argument(
        "--client-deflate", action="store_true", help="negotiate permessage-deflate like browsers"
    )
    parser.add_argument("--client-procs", type=int, default=2, help="client processes that share the sockets")
    parser.add_argument("--ws", default="auto", help="uvicorn's websocket implementation")
    parser.add_argument(
        "--profile-server", metavar="FILE", help="run the server under cProfile, stats to FILE"
    )
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    socket_counts = [int(s) for s in args.sockets.split(",") if s.strip()]

    print(f"database {args.database_url}  redis {args.redis_url}")
    create_database(args.database_url)
    results: list[Result] = []
    try:
        env = child_env(
            DATABASE_URL=args.database_url,
            REDIS_URL=args.redis_url,
            LOG_LEVEL="WARNING",
            DJANGO_ALLOW_ASYNC_UNSAFE=None,
        )
        migrate(env)
        setup_django(args.database_url, args.redis_url)
        location, variant, token = create_fixtures(stock=args.changes * (len(socket_counts) + 1) + 100)
        server_args = ["--ws", args.ws]
        python_args = ["-m", "cProfile", "-o", args.profile_server] if args.profile_server else []
        with AsgiServer(
            env=env,
            extra_args=server_args,
            python_args=python_args,
            stop_signal=signal.SIGINT if args.profile_server else signal.SIGTERM,
        ) as server:
            print(f"uvicorn pid {server.process.pid} on {server.base_url}")
            for sockets in socket_counts:
                t0 = time.perf_counter()
                interval = max(args.interval_ms / 1000, sockets / args.fanout_rate)
                result = run_scenario(
                    server=server,
                    token=token,
                    location=location,
                    variant=variant,
                    sockets=sockets,
                    changes=args.changes,
                    interval=interval,
                    client_procs=args.client_procs,
                    deflate=args.client_deflate,
                )
                result.interval_ms = interval * 1000
                results.append(result)
                print(
                    f"  {sockets} socket(s), a change every {interval * 1000:g} ms: "
                    f"done in {time.perf_counter() - t0:.1f} s"
                )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            drop_database(args.database_url)

    print()
    print("commit -> stock.changed received on the socket, latency in ms over every (change, socket) pair")
    print_table(
        [
            "sockets",
            "changes",
            "every ms",
            "messages",
            "p50",
            "p95",
            "p99",
            "max",
            "lost",
            "changes/s",
            "server µs/msg",
            "client µs/msg",
        ],
        [r.row() for r in results],
    )
    worst = max((percentile(sorted(r.latencies_ms), 95) for r in results), default=float("nan"))
    ok = worst < 50 and all(r.lost == 0 for r in results)
    print(f"\ntarget p95 < 50 ms and nothing lost: {'met' if ok else 'NOT met'} (worst p95 {worst:.2f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
