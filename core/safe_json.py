"""JSON from outside, parsed with bounds: the one parser of the API, the websockets and webhooks.

``json.loads`` alone lets through what later turns into a 500: ``'[' * 100000`` (RecursionError),
``"\\u0000"`` (PostgreSQL refuses NUL), ``"\\ud800"`` (no UTF-8 encoding), ``1e999`` (infinity),
``NaN``, and integers no database column holds. ``loads`` refuses them with ``UnsafeJSON`` (a
``ValueError`` whose message says why), so every caller answers a 400 or an error message.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .text import is_broken_text

MAX_DEPTH = 32  # our deepest body (a sale: {"lines": [{"lot": {...}}]}) has 4 levels
MAX_INT = 2**63 - 1  # a PostgreSQL bigint
MAX_INT_DIGITS = 20


class UnsafeJSON(ValueError):
    """Valid JSON we refuse: too deep, NUL or a lone surrogate in a string, a number out of range."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON.")  # not JSON at all: a parse error


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise UnsafeJSON("An integer is too large.")
    value = int(text)
    if not -MAX_INT - 1 <= value <= MAX_INT:
        raise UnsafeJSON("An integer is too large.")
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnsafeJSON("A number is too large.")
    return value


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH, check_text: bool = True) -> Any:
    """Parse ``text``; raises ``UnsafeJSON`` (refused) or ``ValueError`` (not JSON at all, ``NaN``).

    ``check_text=False`` checks the nesting only, leaving NUL and surrogates to a ``check`` of each
    item (a batch whose items are refused one by one)."""
    try:
        value = json.loads(
            text, parse_constant=_refuse_constant, parse_int=_bounded_int, parse_float=_finite_float
        )
    except RecursionError:
        raise UnsafeJSON("The JSON is too deeply nested.") from None
    check(value, max_depth=max_depth, check_text=check_text)
    return value


def check(value: Any, *, max_depth: int = MAX_DEPTH, check_text: bool = True) -> None:
    """Raise ``UnsafeJSON`` if parsed JSON nests deeper than ``max_depth`` or holds broken text.

    Iterative (a stack, not recursion), so it cannot itself overflow."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if check_text and is_broken_text(item):
                raise UnsafeJSON("Text may not contain NUL characters or lone surrogates.")
        elif isinstance(item, dict | list):
            if depth > max_depth:
                raise UnsafeJSON("The JSON is too deeply nested.")
            if isinstance(item, dict):
                stack.extend((key, depth) for key in item)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)
