"""Loyalty tests buy through the real services: the invoicing tests' shop, customer, web orders
(placed and paid with the test provider), till sales and till returns."""

from tests.invoicing.conftest import (  # noqa: F401  # fixtures, re-exported for these tests
    customer,
    payments_test_provider,
    shop,
    till_return,
    till_sale,
    web_order,
)
