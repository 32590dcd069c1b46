"""``get_carrier(code)``: the client for a carrier code, built from settings ``CARRIERS`` on each call
(so a changed setting, or a test's ``settings`` fixture, applies at once; building one is cheap).

``CARRIER_MODE="live"``: the real HTTP clients (``colissimo``, ``dpd``, ``laposte``).
``CARRIER_MODE="fake"`` (the default when DEBUG): the same clients wrapped in ``SandboxClient``,
which creates labels without network (``sandbox.py``). The store courier (``courier``) has no API
and is the same in both modes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.conf import settings

from .base import CarrierClient, CarrierError, CourierClient
from .colissimo import ColissimoClient
from .dpd import DpdClient
from .laposte import LaPosteClient
from .sandbox import SandboxClient

CLIENTS: dict[str, Callable[[Mapping[str, object]], CarrierClient]] = {
    "colissimo": ColissimoClient,
    "dpd": DpdClient,
    "laposte": LaPosteClient,
}

# Who issues the prepaid return label when the parcel went out with a carrier that has none:
# Lettre suivie has no return product, the store courier no label at all.
RETURN_CARRIER = {"laposte": "colissimo", "courier": "colissimo"}


def return_carrier_code(code: str) -> str:
    """The carrier that makes the return label for an order shipped with ``code``."""
    return RETURN_CARRIER.get(code, code or "colissimo")


def carrier_codes() -> list[str]:
    """Every code ``get_carrier`` answers: the configured carriers and the store courier."""
    configured = getattr(settings, "CARRIERS", {})
    return sorted({"courier", *(code for code in CLIENTS if code in configured)})


def get_carrier(code: str) -> CarrierClient:
    if code == "courier":
        return CourierClient()
    config = getattr(settings, "CARRIERS", {}).get(code)
    if code not in CLIENTS or config is None:
        raise CarrierError(f"no carrier client for {code!r}", retryable=False)
    client = CLIENTS[code](config)
    if getattr(settings, "CARRIER_MODE", "live") == "fake":
        return SandboxClient(client, config)
    return client
