from catalog.errors import UnknownSku  # noqa: F401 - a stock request can name an unknown SKU
from core.errors import ApplicationError, Conflict, NotFound, ValidationFailed


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = "Not enough stock available."


class ReservationNotActive(Conflict):
    code = "reservation_not_active"
    default_message = "This reservation is no longer active."


class LotRequired(ValidationFailed):
    code = "lot_required"
    default_message = "This product is tracked by lot: give a batch number and an expiry date."


class LotNotTracked(ValidationFailed):
    code = "lot_not_tracked"
    default_message = "This product is not tracked by lot: send no batch number."


class InvalidQuantity(ValidationFailed):
    code = "invalid_quantity"
    default_message = "The quantity must be a whole number greater than zero."


class UnknownLocation(NotFound):
    code = "unknown_location"
    default_message = "No location has this code."


class SameLocation(ValidationFailed):
    code = "same_location"
    default_message = "A transfer needs two different locations."


__all__ = [
    "ApplicationError",
    "InsufficientStock",
    "InvalidQuantity",
    "LotNotTracked",
    "LotRequired",
    "ReservationNotActive",
    "SameLocation",
    "UnknownLocation",
    "UnknownSku",
]


class InvalidBinLocation(ValidationFailed):
    code = "invalid_bin_location"
    default_message = "A bin location is at most 32 printable characters, e.g. A-03-2."
