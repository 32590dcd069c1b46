"""``shop`` in every template: the request's shop (name, logo, legal mentions, languages, tokens)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from . import selectors


def shop(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "shop", None) or selectors.default_shop()
    names = dict(settings.LANGUAGES)
    return {
        "shop": current,
        "shop_languages": [(code, names[code]) for code in current.languages if code in names],
        "shop_legal_mentions": current.legal_mentions_in((translation.get_language() or "").split("-")[0]),
    }
