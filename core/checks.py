"""System checks of the settings that documents depend on (``manage.py check``, start-up)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from .legal import seller_problems


@register()
def seller_identity(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """An invoice or receipt with a wrong SIREN, SIRET or VAT number is not a valid document."""
    return [Error(problem, id="core.E001") for problem in seller_problems()]
