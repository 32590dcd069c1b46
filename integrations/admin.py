"""The integrations back office (each part's admin in its own module)."""

from integrations.exports import admin as exports_admin  # noqa: F401  order batches
