import os

import pytest
from django.conf import settings
from django.utils import translation

from core import sms
from core.sms.backends.locmem import SmsBackend as LocmemSms
from tests.factories import LocationFactory, VariantFactory

# The sync Playwright API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    """Tests that need the real services skip, with the reason, when they are not configured.

    CI sets REQUIRE_SERVICES=1: there a missing service is an error, never a silent skip.
    """
    if os.environ.get("REQUIRE_SERVICES"):
        missing = [
            name
            for name, ok in (
                ("PostgreSQL (DATABASE_URL)", settings.IS_POSTGRES),
                ("Redis (REDIS_URL)", bool(settings.REDIS_URL)),
                ("Chromium (/usr/bin/chromium)", os.path.exists("/usr/bin/chromium")),
            )
            if not ok
        ]
        if missing:
            pytest.exit(f"REQUIRE_SERVICES is set but these are missing: {', '.join(missing)}", returncode=3)
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (CI does)")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL (CI does)")
    for item in items:
        if "postgres" in item.keywords and not settings.IS_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Services called directly speak English in tests (requests still choose their own language).

    Without this, the active language outside a request is whatever an earlier test left behind
    (or LANGUAGE_CODE, French): a test's expected messages then depend on the order tests run in."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(request, settings):
    """MD5 for every test: the real hashers are slow on purpose and tests create many users.

    ``@pytest.mark.real_passwords`` keeps the real hashers, for tests whose users log in with a
    password to a server in a child process (uvicorn): it verifies hashes with its own settings.
    """
    if request.node.get_closest_marker("real_passwords") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _rate_limits(request, settings):
    """Brute-force and flood limits (django-axes, core.ratelimit, DRF throttles) are off in tests:
    the suite signs in and calls the API far faster than any person. ``@pytest.mark.ratelimits``
    turns them on, with an empty cache (their counters live there) for a test that checks them."""
    on = request.node.get_closest_marker("ratelimits") is not None
    settings.RATELIMIT_ENABLED = on
    settings.AXES_ENABLED = on
    if on:
        from django.core.cache import cache

        cache.clear()


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def eager_celery(settings):
    """Run Celery tasks in-process, even when REDIS_URL (CI) turned eager mode off."""
    from config.celery_app import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture
def sms_outbox(settings):
    """The locmem SMS backend (the fake SMS provider): messages land in the returned list."""
    settings.SMS_BACKEND = "core.sms.backends.locmem.SmsBackend"
    sms.outbox.clear()
    LocmemSms.fail_next = 0
    yield sms.outbox
    sms.outbox.clear()
    LocmemSms.fail_next = 0


@pytest.fixture
def asgi_server(transactional_db):
    """uvicorn serving config.asgi on a free port in a child process, on the test database (by its
    test name: PostgreSQL only, a child cannot see SQLite's in-memory one) and the test Redis."""
    from bench._common import AsgiServer, child_env, database_url

    env = child_env(
        DATABASE_URL=database_url(settings.DATABASES["default"]),
        REDIS_URL=settings.REDIS_URL,
        DB_CONN_MAX_AGE="0",
        DJANGO_ALLOW_ASYNC_UNSAFE=None,
    )
    server = AsgiServer(env=env)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def store(db):
    return LocationFactory(code="AJA", name="Ajaccio")


@pytest.fixture
def other_store(db):
    return LocationFactory(code="BAS", name="Bastia")


@pytest.fixture
def variant(db):
    return VariantFactory(sku="TSHIRT-M-RED")


@pytest.fixture(autouse=True)
def _fresh_stock_report(settings):
    """The stock report is cached for minutes (reporting.selectors.stock): tests see their own data."""
    settings.REPORTING_STOCK_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _uncached_for_you(settings):
    """ "For you" lists are cached per customer id (marketing.selectors); ids come back between tests
    (SQLite), so tests compute them afresh unless they test the cache itself."""
    settings.RECOMMENDATIONS_FOR_YOU_CACHE_SECONDS = 0


def _ensure_default_shop():
    """The default shop as ``shops/migrations/0002_default_shop`` creates it."""
    from django.conf import settings

    from core.money import SUPPORTED_CURRENCIES
    from shops.models import Shop

    if Shop.objects.filter(is_default=True).exists():
        return
    languages = [code for code, _name in settings.LANGUAGES]
    Shop.objects.create(
        code="main", name=getattr(settings, "SHOP_NAME", "") or "Maison Corsica", mode="b2c", is_default=True,
        tokens={}, languages=languages, default_language=settings.LANGUAGE_CODE,
        currencies=[code for code, _name in SUPPORTED_CURRENCIES], email_from="",
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_shops(request):
    """Each test reads the shops of its own database (shops.selectors keeps them in memory per
    process). With a database, the snapshot is loaded before the test body, so the first request of a
    test costs what every later one does (the query-count tests)."""
    from shops import selectors as shop_selectors

    shop_selectors.forget()
    if {"db", "transactional_db", "django_db_reset_sequences"} & set(request.fixturenames) or (
        request.node.get_closest_marker("django_db") is not None
    ):
        request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
        _ensure_default_shop()  # a transactional test's flush removes the one the migration made
        shop_selectors.default_shop()
    yield
    shop_selectors.forget()
