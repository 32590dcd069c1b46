"""The integrations back office (each part registers its own admin in its package)."""

from .webhooks import admin as webhooks_admin  # noqa: F401  (registers the webhook admin)
