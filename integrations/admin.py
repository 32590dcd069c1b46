"""Admin of the integrations app: each part registers its own models in its module."""

from integrations.imports import admin as imports_admin  # noqa: F401
