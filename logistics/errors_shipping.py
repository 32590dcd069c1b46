"""Refusals of labels, hand-over and tracking (``logistics.services_shipping``), one class per code."""

from __future__ import annotations

from core.errors import Conflict, NotFound, PermissionDenied


class ShipmentNotFound(NotFound):
    code = "shipment_not_found"
    default_message = "No such shipment."


class ParcelNotFound(NotFound):
    code = "parcel_not_found"
    default_message = "No such parcel."


class LabelAlreadyReady(Conflict):
    code = "label_already_ready"
    default_message = "This parcel already has its label."


class LabelInProgress(Conflict):
    code = "label_in_progress"
    default_message = "The carrier is being asked for this label right now: try again in a few minutes."


class LabelsNotReady(Conflict):
    code = "labels_not_ready"
    default_message = "The labels of this shipment are not all ready yet."


class ShipmentNotReady(Conflict):
    code = "shipment_not_ready"
    default_message = "This shipment cannot be handed to the carrier now."


class InvalidWebhookSignature(PermissionDenied):
    code = "invalid_signature"
    default_message = "The carrier's signature does not check out: nothing was recorded."
