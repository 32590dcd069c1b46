"""Playwright fixtures for browser tests, driving Debian's Chromium (/usr/bin/chromium).

Never ``playwright install``: CI installs the ``chromium`` package. Without it these tests skip.

pytest-django's ``live_server`` is WSGI and cannot serve websockets, so ``asgi_server``
(tests/conftest.py) runs ``uvicorn config.asgi:application`` in a child process on the test database
(PostgreSQL: a second process cannot see SQLite's in-memory test DB) with the same Redis channel
layer; browser tests therefore need ``@pytest.mark.django_db(transaction=True)`` and the
``postgres``/``redis`` marks.

While the sync Playwright API is in use, this thread counts as running an event loop, so
``async_to_sync`` (which the stock push uses after commit) refuses to run here: make database and
stock changes through ``in_thread``.
"""

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def chromium_browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def desktop_page(chromium_browser):
    """A fresh browser context (no cookies) with one 1280x800 page, English UI."""
    context = chromium_browser.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def in_thread(transactional_db):
    """Run ``fn(*args, **kwargs)`` in a worker thread (no event loop there) and return its result."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="browser-test-db")

    def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return executor.submit(fn, *args, **kwargs).result(timeout=60)

    try:
        yield run
    finally:
        executor.submit(connections.close_all).result(timeout=30)  # let the test DB be flushed
        executor.shutdown(wait=True)


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each browser test starts with an empty cache: the page cache outlives a test's database (the
    data is rolled back, the cached pages are not), so a page an earlier test of the same worker
    cached under the same URL and cache version must not be served to this one."""
    from django.core.cache import cache

    cache.clear()
    yield
