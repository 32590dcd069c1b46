"""Is this VAT number registered? A small interface in front of the EU's VIES register.

``check_vat(number)`` asks the backend named by ``VAT_CHECKER``:

- ``"none"`` (the default, the demo and tests): no register is asked; the number's format and check
  digits (python-stdnum, in ``services_companies``) are all that is checked;
- ``"vies"``: VIES's REST API (``VIES_API_URL``), ``POST /check-vat-number`` with
  ``{"countryCode": "FR", "vatNumber": "40303265045"}``, answering ``{"valid": true, "name": ...}``.

A register that answers "not valid" is a ``VatCheckResult(valid=False)``; one that cannot be reached
(network, 5xx, VIES's ``MS_UNAVAILABLE``) raises ``VatRegisterUnavailable``: callers keep the company
with ``vat_checked_at`` empty and check again later, rather than refusing a customer for an outage.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from django.conf import settings


class VatRegisterUnavailable(Exception):
    """The VAT register could not answer now (network, outage). Retry later."""


@dataclass(frozen=True)
class VatCheckResult:
    valid: bool
    checked: bool  # False: no register was asked (``VAT_CHECKER = "none"``)
    name: str = ""
    address: str = ""


def check_vat(number: str) -> VatCheckResult:
    """``number`` compact, with its country prefix (``FR40303265045``)."""
    backend = settings.VAT_CHECKER
    if backend == "none":
        return VatCheckResult(valid=True, checked=False)
    if backend == "vies":
        return _vies(number)
    raise ValueError(f"Unknown VAT_CHECKER {backend!r}: 'none' or 'vies'.")


def _vies(number: str) -> VatCheckResult:
    country, rest = number[:2].upper(), number[2:]
    if country == "GR":  # VIES names Greece "EL"
        country = "EL"
    try:
        response = requests.post(
            settings.VIES_API_URL.rstrip("/") + "/check-vat-number",
            json={"countryCode": country, "vatNumber": rest},
            timeout=settings.VIES_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise VatRegisterUnavailable(str(exc)) from exc
    if response.status_code >= 500:
        raise VatRegisterUnavailable(f"VIES answered {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise VatRegisterUnavailable("VIES answered something that is not JSON") from exc
    if response.status_code >= 400 or "valid" not in body:
        # VIES reports a member state's register being down as an error body, not as "invalid"
        errors = body.get("errorWrappers") or [{"error": body.get("actionSucceed", "unknown")}]
        raise VatRegisterUnavailable(f"VIES could not check the number: {errors[0].get('error')}")
    return VatCheckResult(
        valid=bool(body["valid"]),
        checked=True,
        name=(body.get("name") or "").strip("- "),
        address=(body.get("address") or "").strip("- "),
    )
