"""``get_carrier(code)``: the client for a carrier code. The carriers helper adds Colissimo, DPD and
La Poste here (configured in settings: ``CARRIERS``)."""

from __future__ import annotations

from .base import CarrierClient, CarrierError, CourierClient


def _clients() -> dict[str, CarrierClient]:
    return {"courier": CourierClient()}


def carrier_codes() -> list[str]:
    return sorted(_clients())


def get_carrier(code: str) -> CarrierClient:
    try:
        return _clients()[code]
    except KeyError:
        raise CarrierError(f"no carrier client for {code!r}", retryable=False) from None
