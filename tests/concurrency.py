"""Real threads released together, for the concurrency tests (PostgreSQL, ``transaction=True``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def run_in_threads(count: int, work: Callable[[int], Any], *, timeout: float = 60) -> list[Any]:
    """Run ``work(i)`` for i in 0..count-1 in threads released by one barrier; each thread closes its
    database connection. Returns each thread's result, or the exception it raised, in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # the caller decides whether an exception is an outcome or a failure
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    alive = [t for t in threads if t.is_alive()]
    assert not alive, f"{len(alive)} threads still running after {timeout}s (a deadlock or a lost lock?)"
    return results


def in_threads(count: int, work: Callable[[int], Any], *, timeout: float = 60) -> list[Any]:
    """``run_in_threads`` where any exception fails the test."""
    results = run_in_threads(count, work, timeout=timeout)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results
