import os

import pytest
from django.conf import settings

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
def _fast_passwords(request, settings):
    """MD5 for every test: the real hashers are slow on purpose and tests create many users.

    ``@pytest.mark.real_passwords`` keeps the real hashers, for tests whose users log in with a
    password to a server in a child process (uvicorn): it verifies hashes with its own settings.
    """
    if request.node.get_closest_marker("real_passwords") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def store(db):
    return LocationFactory(code="AJA", name="Ajaccio")


@pytest.fixture
def other_store(db):
    return LocationFactory(code="BAS", name="Bastia")


@pytest.fixture
def variant(db):
    return VariantFactory(sku="TSHIRT-M-RED")
