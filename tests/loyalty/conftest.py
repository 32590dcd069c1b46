"""Loyalty tests buy through the real services: the invoicing tests' shop, customer, web orders
(placed and paid with the test provider), till sales and till returns."""

import importlib  # noqa: E402

import pytest  # noqa: E402

from tests.invoicing.conftest import (  # noqa: F401  # fixtures, re-exported for these tests
    customer,
    payments_test_provider,
    shop,
    till_return,
    till_sale,
    web_order,
)


@pytest.fixture(autouse=True)
def default_tiers_and_rule(db):
    """The tiers and the earn rule a fresh database has (data migration 0002). A transactional test
    elsewhere in this worker flushed every table, data migrations' rows included: put them back."""
    from django.apps import apps

    importlib.import_module("loyalty.migrations.0002_default_tiers_and_rule").seed(apps, None)
