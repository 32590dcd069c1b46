"""Admin of the integrations app: each part registers its own models in its module."""

from integrations.exports import admin as exports_admin  # noqa: F401  order batches
from integrations.imports import admin as imports_admin  # noqa: F401
from integrations.webhooks import admin as webhooks_admin  # noqa: F401  endpoints and the delivery log
