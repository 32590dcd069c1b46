"""Carriers behind one interface (``base.CarrierClient``); ``get_carrier(code)`` returns the client."""

from .base import (
    CarrierClient,
    CarrierError,
    InvalidCarrierWebhook,
    LabelRequest,
    LabelResult,
    PostalAddress,
    TrackingStatus,
    TrackingUpdate,
)
from .registry import carrier_codes, get_carrier, return_carrier_code

__all__ = [
    "CarrierClient",
    "CarrierError",
    "InvalidCarrierWebhook",
    "LabelRequest",
    "LabelResult",
    "PostalAddress",
    "TrackingStatus",
    "TrackingUpdate",
    "carrier_codes",
    "get_carrier",
    "return_carrier_code",
]
