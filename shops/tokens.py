"""A shop's design-token overrides: which tokens exist, what values they accept, the CSS they make.

The tokens are the CSS custom properties of ``static/css/tokens.css`` (one source of the look). A
shop overrides a few of them (its brand colour, its radius, its font); the overrides are shown as
``:root{--brand:...}`` after the main stylesheet (``shops.views.tokens_css``).

Values are checked against narrow patterns (a colour, a length, a font stack) so that nothing a
member of staff types can close the rule and inject CSS or HTML: ``red;}</style><script>`` is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

COLOUR_TOKENS = ("brand", "brand-dark", "brand-soft", "accent", "bg", "surface", "text", "muted", "link")
LENGTH_TOKENS = ("radius",)
FONT_TOKENS = ("font",)
TOKEN_NAMES = (*COLOUR_TOKENS, *LENGTH_TOKENS, *FONT_TOKENS)

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_NUMBER = r"-?(?:\d+(?:\.\d+)?|\.\d+)%?"
_FUNCTION = re.compile(
    rf"(?:rgba?|hsla?)\(\s*{_NUMBER}(?:deg)?(?:\s*[,\s]\s*{_NUMBER}){{2}}(?:\s*[,/]\s*{_NUMBER})?\s*\)"
)
_LENGTH = re.compile(r"0|(?:\d+(?:\.\d+)?|\.\d+)(?:px|rem|em|%)")
_FAMILY = re.compile(
    r"""(?:"[A-Za-z0-9 \-]{1,60}"|'[A-Za-z0-9 \-]{1,60}'|[A-Za-z][A-Za-z0-9\-]*(?: [A-Za-z0-9\-]+)*)"""
)
MAX_VALUE_LENGTH = 200


def _is_colour(value: str) -> bool:
    return bool(_HEX.fullmatch(value) or _FUNCTION.fullmatch(value))


def _is_length(value: str) -> bool:
    return bool(_LENGTH.fullmatch(value))


def _is_font_stack(value: str) -> bool:
    families = [part.strip() for part in value.split(",")]
    return 0 < len(families) <= 8 and all(_FAMILY.fullmatch(family) for family in families)


def clean_tokens(raw: object) -> dict[str, str]:
    """The overrides, normalised (values stripped); ``ValidationError`` naming every bad entry."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, Mapping):
        raise ValidationError(
            _('The design tokens must be an object of names and values, e.g. {"brand": "#0b5d3b"}.'),
            code="tokens_not_object",
        )
    errors: list[ValidationError] = []
    cleaned: dict[str, str] = {}
    for name, value in raw.items():
        if name not in TOKEN_NAMES:
            errors.append(
                ValidationError(
                    _("“%(name)s” is not a design token. Allowed: %(allowed)s."),
                    code="unknown_token",
                    params={"name": str(name)[:60], "allowed": ", ".join(TOKEN_NAMES)},
                )
            )
            continue
        text = value.strip() if isinstance(value, str) else ""
        if name in COLOUR_TOKENS:
            ok, expected = _is_colour(text), _("a colour such as #0b5d3b or rgb(11, 93, 59)")
        elif name in LENGTH_TOKENS:
            ok, expected = _is_length(text), _("a length such as 8px, 0.5rem or 0")
        else:
            ok, expected = _is_font_stack(text), _('a list of font names such as "Source Sans 3", sans-serif')
        if not ok or len(text) > MAX_VALUE_LENGTH:
            errors.append(
                ValidationError(
                    _("%(name)s: “%(value)s” is not %(expected)s."),
                    code="bad_token_value",
                    params={"name": name, "value": str(value)[:60], "expected": expected},
                )
            )
            continue
        cleaned[name] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def validate_tokens(value: object) -> None:
    """Model-field validator (the admin's form shows its messages under the field)."""
    clean_tokens(value)


def tokens_css(tokens: Mapping[str, str]) -> str:
    """``:root{--brand:#0b5d3b;...}`` for overrides already cleaned, "" when there are none.

    Re-checked here, one token at a time: a value written around the validators is dropped, it
    never breaks out of the rule (nor fails the page)."""
    safe: dict[str, str] = {}
    for name, value in tokens.items():
        try:
            safe.update(clean_tokens({name: value}))
        except ValidationError:
            continue
    if not safe:
        return ""
    body = ";".join(f"--{name}:{value}" for name, value in sorted(safe.items()))
    return f":root{{{body}}}\n"
