"""Which characters free text may hold: the one rule for names, references, notes and addresses.

Refused everywhere (any JSON string or key, query string, form field, path): NUL, which PostgreSQL
cannot store (``DataError``), and lone UTF-16 surrogates (``"\\ud800"``), which no UTF-8 encoder
accepts. ``core.middleware.HostileInputMiddleware`` and ``core.safe_json`` apply that rule.

Refused in free text (``validate_plain_text``; the API's ``core.api.parse`` and the storefront
forms through ``PlainTextFormMixin``): the other C0 control characters and DEL (tab, newline and
carriage return stay: notes have lines), the C1 controls, and the bidirectional embeddings,
overrides and isolates (U+202A-U+202E, U+2066-U+2069) that make ``gpj.exe`` look like ``exe.jpg``
on a receipt or in the back office.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# NUL or a lone surrogate: never text, refused at the edge.
BROKEN_TEXT = re.compile("[\x00\ud800-\udfff]")
# What free text may not hold (tab, LF and CR are allowed).
CONTROL_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)

CONTROL_CHARACTERS_MESSAGE = _("Control characters are not allowed in this text.")


def is_broken_text(value: str) -> bool:
    """True if ``value`` holds NUL or a lone surrogate."""
    return BROKEN_TEXT.search(value) is not None


def has_control_characters(value: str) -> bool:
    return CONTROL_CHARACTERS.search(value) is not None


def validate_plain_text(value: Any) -> None:
    """Django (and DRF) validator: refuses control characters and bidi overrides in a string."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")


class PlainTextFormMixin:
    """A form whose every text field refuses control characters (``validate_plain_text``).

    Put it first in the bases: ``class SignupForm(PlainTextFormMixin, forms.Form)``. Password fields
    are left alone (a password is compared, never shown)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                field.validators.append(validate_plain_text)
