"""The design tokens seen from Python: the values ``static/css/tokens.css`` gives its custom properties.

tokens.css is the one source of the platform's colours (docs/architecture.md, "Look"). Python needs a
few of them where CSS cannot reach: the till's web app manifest (``theme_color``) and the
``<meta name="theme-color">`` of its page. They are read from the file, never copied, so changing the
brand in tokens.css changes them too.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders

TOKENS_PATH = "css/tokens.css"

# A custom property declared at the top level of :root: "--brand: #8a3b12;".
_DECLARATION = re.compile(r"^\s*--(?P<name>[a-z0-9-]+)\s*:\s*(?P<value>[^;]+);", re.MULTILINE)


@cache
def design_tokens() -> dict[str, str]:
    """Every token of tokens.css, by name without the leading ``--`` (``{"brand": "#8a3b12", ...}``)."""
    found = finders.find(TOKENS_PATH)
    if not found:
        raise LookupError(f"{TOKENS_PATH} is not among the static files")
    text = Path(str(found)).read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return {m["name"]: m["value"].strip() for m in _DECLARATION.finditer(text)}


def design_token(name: str) -> str:
    """One token's value, a token that refers to another (``var(--brand)``) resolved to a literal."""
    tokens = design_tokens()
    value = tokens[name]
    seen = {name}
    while (ref := re.fullmatch(r"var\(--([a-z0-9-]+)\)", value)) and ref[1] not in seen:
        seen.add(ref[1])
        value = tokens[ref[1]]
    return value
