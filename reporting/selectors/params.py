"""Whole-number knobs of a report from the query string (days of a window, thresholds): a bad or
out-of-range value is ``BadParameter`` (400, naming the field), never a silent default."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from core.errors import ValidationFailed


class BadParameter(ValidationFailed):
    code = "bad_parameter"
    default_message = "A parameter of the report is not valid."


def int_param(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        message = _("A whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        raise BadParameter(detail={name: [str(message)]})
    return int(raw)
