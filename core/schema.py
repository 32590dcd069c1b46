"""The OpenAPI schema says exactly what the code does: shared input fields and the schema hook.

``make fuzz`` (schemathesis, ``tests/fuzz/``) holds the API to its schema in both directions: every
request the schema allows is parsed (a refusal is a documented 404/409 or a 4xx with a domain code,
never ``invalid``), every request it forbids is refused, and every answer has a documented status,
headers and body. The pieces here keep the two in step by construction: one object both documents
and validates.

- ``DecimalString``: money in a request is a JSON string such as ``"12.50"``; the regex that the
  schema publishes is the one the field applies (no sign, exponent, spaces or leading zeros).
- ``QueryParams``: base of the serializers that parse a query string (``core.api.parse``); a
  parameter sent empty (``?sort=``) is refused unless the field allows blanks, as the schema says.
- ``StrictLimitOffsetPagination``: ``limit`` 1..max and ``offset`` >= 0, integers; anything else
  (``offset=null``) is a 400 instead of being silently replaced by the default.
- ``document_common_responses``: a drf-spectacular postprocessing hook that adds the answers any
  operation can give whatever its view does: 401 (a bad token or session is refused before the
  view runs, even on public operations), 403 on writes (CSRF with a session), 429 with
  ``Retry-After`` (throttles), 400 ``invalid_idempotency_key`` where ``Idempotency-Key`` is taken,
  and 400/415 where a JSON body is parsed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_INT32 = 2**31 - 1  # the largest id or count any API integer may carry (PostgreSQL integer)
# What Python's str.strip() removes, spelled for both Python and ECMA regexes (their \s differ).
STRIPPED = r"\t-\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Control characters and bidi overrides, refused in every API text value (core.text, core.api.parse);
# tab, LF and CR are allowed.
CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
VISIBLE = rf"[^{CONTROL}{STRIPPED}]"  # one character that trimming keeps and the control rule allows
NO_NUL = rf"[^{CONTROL}]"  # any character the control rule allows (NUL included in the refusal)
# An integer in a query string, as the schema's `type: integer` reads it: DRF's IntegerField would
# also take "0.0", "+5" and " 5".
INTEGER = re.compile(r"-?[0-9]+")


# --- money in requests -----------------------------------------------------------------------------


def decimal_pattern(*, max_digits: int, decimal_places: int, positive: bool) -> str:
    """``^(?:0|[1-9]\\d{0,9})(?:\\.\\d{1,2})?$`` for 12/2 (``positive``: at least one cent)."""
    whole = max_digits - decimal_places
    if not positive:
        return rf"^(?:0|[1-9]\d{{0,{whole - 1}}})(?:\.\d{{1,{decimal_places}}})?$"
    # a non-zero whole part, or 0.<at least one non-zero place>
    fraction = rf"(?:\.\d{{1,{decimal_places}}})?"
    tiny = r"0\.(?:[1-9]\d?|0[1-9])" if decimal_places == 2 else r"0\.\d*[1-9]\d*"
    return rf"^(?:[1-9]\d{{0,{whole - 1}}}{fraction}|{tiny})$"


class DecimalString(serializers.DecimalField):
    """A non-negative (or, with ``positive=True``, at least one cent) amount sent as a JSON string.

    JSON numbers are refused: a float cannot carry an exact amount. The schema publishes the regex
    the field checks, so a schema-valid amount always parses and an invalid one never does.
    """

    default_error_messages = {"format": 'Send an amount as a string such as "12.50".'}

    def __init__(
        self, *, positive: bool = False, max_digits: int = 12, decimal_places: int = 2, **kwargs: Any
    ):
        self.positive = positive
        self.regex = decimal_pattern(max_digits=max_digits, decimal_places=decimal_places, positive=positive)
        kwargs.setdefault("min_value", Decimal("0.01") if positive else Decimal("0"))
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str) or not re.fullmatch(self.regex, data):
            self.fail("format")
        return super().to_internal_value(data)


class DecimalStringExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    target_class = DecimalString
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field: DecimalString = self.target
        return {"type": "string", "format": "decimal", "pattern": field.regex}


class TrimmedCharFieldExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """A text field refuses the NUL character, and one that may not be blank trims its value and
    refuses what is left empty (``"  "`` is a 400): the schema's ``pattern`` says both, which
    ``minLength`` alone does not."""

    target_class = serializers.CharField
    match_subclasses = False  # e-mail, slug, regex and UUID fields carry their own format or pattern

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field: serializers.CharField = self.target
        schema: dict[str, Any] = auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        if direction == "request" and "pattern" not in schema:
            if field.trim_whitespace and not field.allow_blank:
                schema["pattern"] = rf"^{NO_NUL}*{VISIBLE}{NO_NUL}*$"
            else:  # "+": drf-spectacular adds a `oneOf` branch for "" when blanks are allowed
                schema["pattern"] = rf"^{NO_NUL}+$"
        return schema


class ListSerializerExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """``Child(many=True, allow_empty=False, max_length=N)``: DRF checks the bounds, the schema says
    ``minItems``/``maxItems`` (drf-spectacular reads them only from ``ListField``)."""

    target_class = serializers.ListSerializer
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field: serializers.ListSerializer[Any] = self.target
        schema: dict[str, Any] = auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        if direction == "request" and schema.get("type") == "array":
            # DRF's ListSerializer takes min_length/max_length; the stubs do not know them
            min_length, max_length = getattr(field, "min_length", None), getattr(field, "max_length", None)
            minimum = max(min_length or 0, 0 if field.allow_empty else 1)
            if minimum:
                schema["minItems"] = minimum
            if max_length is not None:
                schema["maxItems"] = max_length
        return schema


# --- query strings ---------------------------------------------------------------------------------


class QueryParams(serializers.Serializer[Any]):
    """Parses ``request.query_params``: a parameter sent empty is refused unless its field allows blanks.

    DRF treats ``?sort=`` as "not sent" for an optional field and quietly uses the default; the
    schema (no ``allowEmptyValue``) says the request is invalid, so the API refuses it. An integer
    parameter is digits only (DRF alone would take ``0.0``).
    """

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "getlist"):
            default = serializers.CharField.default_error_messages["blank"]
            blank = {
                name: [field.error_messages.get("blank", default)]
                for name, field in self.fields.items()
                if name in data and data.get(name) == "" and not getattr(field, "allow_blank", False)
            }
            if blank:
                raise serializers.ValidationError(blank)
            not_integers = {
                name: [serializers.IntegerField.default_error_messages["invalid"]]
                for name, field in self.fields.items()
                if isinstance(field, serializers.IntegerField)
                and name in data
                and not INTEGER.fullmatch(data.get(name))
            }
            if not_integers:
                raise serializers.ValidationError(not_integers)
        return super().to_internal_value(data)


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """``limit`` (1..``max_limit``, default ``default_limit``) and ``offset`` (>= 0), checked: a value
    that is not such an integer is a 400 ``invalid`` naming the parameter, as the schema says."""

    default_limit = 100
    max_limit = 1000

    def get_limit(self, request: Request) -> int:
        value = self._parse(request, self.limit_query_param, minimum=1, maximum=self.max_limit or MAX_INT32)
        return self.default_limit if value is None else value

    def get_offset(self, request: Request) -> int:
        value = self._parse(request, self.offset_query_param, minimum=0, maximum=MAX_INT32)
        return 0 if value is None else value

    def _parse(self, request: Request, name: str, *, minimum: int, maximum: int) -> int | None:
        if name not in request.query_params:
            return None
        field = serializers.IntegerField(min_value=minimum, max_value=maximum)
        value = request.query_params[name]
        try:
            if not INTEGER.fullmatch(value):
                field.fail("invalid")
            return int(field.run_validation(value))
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({name: exc.detail}) from None

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_limit or MAX_INT32,
                    "default": self.default_limit,
                }
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 0, "maximum": MAX_INT32, "default": 0}
        return parameters


# --- responses every operation can give ----------------------------------------------------------------

_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_COMMON = {
    "401": "No or bad credentials (`not_authenticated`): a bad token or session is refused before the "
    "operation runs, even where signing in is optional.",
    "403": "Not allowed (`permission_denied`), e.g. a session without its CSRF token.",
    "429": "Too many requests (`throttled`): wait `Retry-After` seconds.",
}
_IDEMPOTENCY_400 = "`invalid_idempotency_key`: an empty or malformed `Idempotency-Key`."
_QUERY_400 = "`invalid`: a query parameter out of its documented bounds (`detail` names it)."
_BODY_400 = "`parse_error`: the body is not valid JSON."
_BODY_415 = "The body must be JSON (`unsupported_media_type`)."
_UNSAFE = {"post", "put", "patch", "delete"}


def _error(description: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": _ERROR_REF}}, "description": description}


def _add(responses: dict[str, Any], status: str, description: str) -> None:
    if status not in responses:
        responses[status] = _error(description)
    elif description not in responses[status].get("description", ""):
        responses[status]["description"] = f"{responses[status].get('description', '')} {description}".strip()


def document_common_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]: the statuses any operation can answer."""
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            _add(responses, "401", _COMMON["401"])
            if method in _UNSAFE:
                _add(responses, "403", _COMMON["403"])
            _add(responses, "429", _COMMON["429"])
            responses["429"]["headers"] = {
                "Retry-After": {
                    "schema": {"type": "integer", "minimum": 0},
                    "required": True,
                    "description": "Seconds to wait before trying again.",
                }
            }
            parameters = operation.get("parameters", [])
            names = {parameter.get("name") for parameter in parameters}
            if "Idempotency-Key" in names:
                _add(responses, "400", _IDEMPOTENCY_400)
            if any(parameter.get("in") == "query" for parameter in parameters):
                _add(responses, "400", _QUERY_400)
            if "requestBody" in operation:
                _add(responses, "400", _BODY_400)
                _add(responses, "415", _BODY_415)
    return result
