"""Refusals of routing, picking and packing (``logistics.services_fulfilment``), one class per code."""

from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, NotFound, ValidationFailed


class NothingToPick(Conflict):
    code = "nothing_to_pick"
    default_message = _("No shipment is waiting to be picked here.")


class WrongBarcode(Conflict):
    """A scan of a barcode that is not in the wave or the shipment."""

    code = "wrong_barcode"
    default_message = _("This item is not in the list.")


class AlreadyComplete(Conflict):
    """A scan of an item whose line is already complete (picked, reported short, or verified)."""

    code = "already_complete"
    default_message = _("Every unit of this item is already done.")


class WrongStatus(Conflict):
    code = "wrong_status"
    default_message = _("This cannot be done at this stage.")


class InvalidShortPick(ValidationFailed):
    code = "invalid_short_pick"
    default_message = _("The units found must be fewer than expected and at least those scanned.")


class InvalidParcel(ValidationFailed):
    code = "invalid_parcel"
    default_message = _("The parcel is not valid.")


class UnitsNotVerified(Conflict):
    code = "units_not_verified"
    default_message = _("Scan and pack every picked unit before printing the label.")


class UnknownShipment(NotFound):
    code = "unknown_shipment"
    default_message = _("No such shipment.")
