"""The reporting tests sell through the real services: a shop with an Ajaccio till and a web checkout
(the ERP export tests' fixtures)."""

from tests.integrations.exports.conftest import erp_dirs, shop, till_return, till_sale, web_order  # noqa: F401
