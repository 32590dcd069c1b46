"""The API's JSON parser (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``), apart from ``core.api`` because
DRF imports it while ``rest_framework.views`` is still loading."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from core import safe_json
from core.errors import InvalidInput


class SafeJSONParser(JSONParser):
    """DRF's JSON parser through ``core.safe_json``: a body nested too deep, holding NUL or a lone
    surrogate, a number out of range, ``NaN`` or ``Infinity`` is a 400 ``invalid_input``; text that
    is not JSON stays a 400 ``parse_error``. The parser of every API view (``DEFAULT_PARSER_CLASSES``).

    ``check_text = False`` leaves NUL and surrogates to the view (a batch that refuses item by item
    calls ``core.safe_json.check`` on each)."""

    check_text = True

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc.reason}") from None
        try:
            return safe_json.loads(text, check_text=self.check_text)
        except safe_json.UnsafeJSON as exc:
            raise InvalidInput(str(exc)) from None
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
