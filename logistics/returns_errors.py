"""Refusals of portal returns (RMA): one class per code, rendered by ``core.api`` as
``{"code", "message", "detail"}`` with the status below. Kept apart from ``logistics/errors.py`` so
the fulfilment and returns parts do not edit one file."""

from __future__ import annotations

from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class ReturnOrderNotFound(NotFound):
    code = "return_order_not_found"
    default_message = "No such order, or not yours."


class ReturnNotFound(NotFound):
    code = "return_not_found"
    default_message = "No such return."


class OrderNotReturnable(Conflict):
    code = "order_not_returnable"
    default_message = "This order cannot be returned."


class ReturnWindowClosed(Conflict):
    code = "return_window_closed"
    default_message = "The return period of this order is over."


class InvalidReturnRequest(ValidationFailed):
    code = "invalid_return"
    default_message = "The return is not valid."


class UnknownOrderLine(ValidationFailed):
    code = "unknown_order_line"
    default_message = "This item is not on the order."


class ReturnExceedsReturnable(Conflict):
    code = "return_exceeds_returnable"
    default_message = "More units than can still be returned."


class ReturnAlreadyReceived(Conflict):
    code = "return_already_received"
    default_message = "This return has already been received."


class ReturnNotReceivable(Conflict):
    code = "return_not_receivable"
    default_message = "This return cannot be received."


class WrongStore(PermissionDenied):
    code = "wrong_store"
    default_message = "You may not receive returns at this location."


class LabelNotRetryable(Conflict):
    code = "label_not_retryable"
    default_message = "Only a failed return label can be asked again."
