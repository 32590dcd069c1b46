"""POS errors: stable codes the register shows (``{"code", "message", "detail"}``, see core.api)."""

from core.errors import Conflict, LimitExceeded, NotFound, PermissionDenied, ValidationFailed


class SessionNotOpen(Conflict):
    code = "register_closed"
    default_message = "This register session is closed: open a new session first."


class SessionAlreadyOpen(Conflict):
    code = "session_already_open"
    default_message = "This register already has an open session."


class RegisterInactive(Conflict):
    code = "register_inactive"
    default_message = "This register is out of service."


class TendersShort(ValidationFailed):
    code = "tenders_insufficient"
    default_message = "The payments do not cover the total."


class InvalidTender(ValidationFailed):
    code = "invalid_tender"
    default_message = "This payment is not valid."


class DiscountNotAllowed(PermissionDenied):
    code = "discount_not_allowed"
    default_message = "You may not give discounts."


class InvalidDiscount(ValidationFailed):
    code = "invalid_discount"
    default_message = "A discount must be between zero and the line total."


class DiscountReasonRequired(ValidationFailed):
    code = "discount_reason_required"
    default_message = "A discount needs a reason."


class InvalidCashCount(ValidationFailed):
    code = "invalid_cash_count"
    default_message = "The cash count is not valid."


class InvalidAmount(ValidationFailed):
    code = "invalid_amount"
    default_message = "The amount must be greater than zero, to the cent."


class NotEnoughCash(Conflict):
    code = "not_enough_cash"
    default_message = "The drawer does not hold that much cash."


class SaleUuidConflict(Conflict):
    code = "sale_uuid_conflict"
    default_message = "This sale id was already used by another store."


class UnknownCustomer(NotFound):
    code = "unknown_customer"
    default_message = "No customer has this id."


class NotAtThisStore(PermissionDenied):
    code = "permission_denied"
    default_message = "You may not use the registers of this store."


class SaleNotFound(NotFound):
    code = "sale_not_found"
    default_message = "No sale or order with this number can be returned here."


class NotReturnable(Conflict):
    code = "not_returnable"
    default_message = "This order cannot be returned."


class ReturnExceedsSold(Conflict):
    code = "return_exceeds_sold"
    default_message = "You cannot return more than was sold minus what was already returned."


class NotOnOrder(ValidationFailed):
    code = "not_on_order"
    default_message = "This item is not on the order."


class InvalidReturn(ValidationFailed):
    code = "invalid_return"
    default_message = "The return is not valid."


class StoreCreditNotFound(NotFound):
    code = "store_credit_not_found"
    default_message = "No store credit with this code."


class StoreCreditInsufficient(Conflict):
    code = "store_credit_insufficient"
    default_message = "The store credit does not cover this amount."


class ExchangeTenderTooLarge(InvalidTender):
    default_message = "Card and mobile payments cannot exceed what is left to pay after the exchange."


class NoReceiptEmail(ValidationFailed):
    code = "no_email"
    default_message = "Give an e-mail address: this sale has no identified customer."


class PickupNotFound(NotFound):
    code = "pickup_not_found"
    default_message = "No click & collect order with this number at this store."


class VerificationFailed(ValidationFailed):
    code = "verification_failed"
    default_message = "This does not match the order: check the customer's identity again."


class SaleTooLarge(LimitExceeded):
    code = "sale_too_large"
    default_message = "A sale has too many lines: split it."


class SaleProofRequired(ValidationFailed):
    code = "sale_proof_required"
    default_message = (
        "Scan the barcode of the order confirmation, or type the customer's e-mail or phone, "
        "to find a web order or another store's sale."
    )


class SaleKeyMismatch(ValidationFailed):
    code = "sale_key_mismatch"
    default_message = "The Idempotency-Key of a sale is its uuid."


class CatalogCursorRefused(ValidationFailed):
    """``GET catalog/?since=``: not a cursor, too old or from the future. ``detail``:
    ``{"since": the value, "reason": "invalid" | "too_old" | "future"}``; the till downloads in full."""

    code = "catalog_cursor_refused"
    default_message = "This catalog cursor cannot give a delta: download the whole catalog."
