"""The API fuzzer's world: demo-like data seeded once per module, every test in a savepoint.

``tests/fuzz/test_api_fuzz.py`` runs schemathesis in-process against the WSGI app. The data is
seeded once (``seed_demo`` with a small catalog, an open register session for the cashier, carts)
inside a transaction that is rolled back at the end; each test runs in a savepoint rolled back
after it, so destructive operations (sales, checkouts, closing the session) never leak into the
next test, and nothing outlives the run.
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from django.core import signals
from django.db import close_old_connections
from django.test import TestCase, override_settings

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# examples (from the schema), coverage (boundaries and every kind of invalid value), fuzzing (random)
FUZZ_PHASES = os.environ.get("FUZZ_PHASES", "examples,coverage,fuzzing").split(",")
# `make test` leaves out the shopper and anonymous runs of the till and stock operations (every one
# of their requests is a 401/403, which tests/pos and tests/inventory pin); `make fuzz` runs them.
FUZZ_ALL_ROLES = os.environ.get("FUZZ_ALL_ROLES", "0") == "1"
STAFF_ONLY_PATHS = ("/api/v1/pos/", "/api/v1/stock/")
ERP_PATHS = "/api/v1/erp/"


def pytest_collection_modifyitems(config, items):
    if FUZZ_ALL_ROLES:
        return
    skip = pytest.mark.skip(reason="refused outright for this role: run `make fuzz` (FUZZ_ALL_ROLES=1)")
    for item in items:
        if "tests/fuzz/" not in item.nodeid:
            continue
        operation, _, role = item.nodeid.rpartition("[")
        if role.rstrip("]") in ("shopper", "anonymous") and any(p in operation for p in STAFF_ONLY_PATHS):
            item.add_marker(skip)
        # The integration token reaches only the ERP paths (tests/integrations pins the 403 elsewhere).
        if role.rstrip("]") == "integration" and ERP_PATHS not in operation:
            item.add_marker(skip)


class _Atomics(TestCase):
    """Borrowed for its ``_enter_atomics``/``_rollback_atomics``: atomics marked as a test's, so the
    services' ``atomic(durable=True)`` blocks still run inside them."""

    databases = {"default"}


def _seed() -> dict:
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from catalog.models import Variant
    from demo.seed import seed_demo
    from demo.seed.accounts import seed as seed_accounts
    from demo.seed.logistics import seed as seed_logistics
    from demo.seed.pos import seed as seed_pos
    from demo.seed.pricing import seed as seed_pricing
    from orders.models import Cart
    from orders.services import cart as cart_services
    from pos.models import Register
    from pos.services.sessions import open_register_session

    result = seed_demo(products=int(os.environ.get("FUZZ_PRODUCTS", "12")), seed=42)
    seed_logistics()
    seed_pricing()
    seed_pos()
    seed_accounts()
    cashier = User.objects.get(email="cashier.aja@demo.example")
    open_register_session(
        register=Register.objects.get(code="aja-1"), user=cashier, opening_float=Decimal("100.00")
    )
    shopper = User.objects.get(email="shopper@demo.example")
    variant = Variant.objects.order_by("pk").first()
    cart = Cart.objects.create(user=shopper)
    cart_services.add_to_cart(cart=cart, variant=variant, quantity=1)
    Cart.objects.create()  # an anonymous one
    from accounts.roles import assign_role

    erp = User.objects.create_user(email="erp@fuzz.example", password=None)
    assign_role(erp, "integration")
    Token.objects.create(user=erp)
    tokens = {
        role: Token.objects.get(user__email=email).key
        for role, email in (
            ("staff", "staff@demo.example"),
            ("cashier", "cashier.aja@demo.example"),
            ("shopper", "shopper@demo.example"),
            ("integration", "erp@fuzz.example"),
        )
    }
    return {"tokens": tokens, "logins": result.logins}


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    fast_hashers = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hashers:
        atomics = _Atomics._enter_atomics()
        try:
            yield _seed()
        finally:
            _Atomics._rollback_atomics(atomics)


@pytest.fixture
def fuzz_savepoint(fuzz_world, db):
    """One test's writes are undone after it (``db``: a savepoint inside the module's transaction).
    The WSGI handler must not close the connection between requests (Django's test client does the
    same), or the test transaction would be lost."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield fuzz_world
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
