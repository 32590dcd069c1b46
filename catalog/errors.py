from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class NotVerifiedBuyer(PermissionDenied):
    code = "not_verified_buyer"
    default_message = "Only customers who bought this product can review it."


class AlreadyReviewed(Conflict):
    code = "already_reviewed"
    default_message = "You have already reviewed this product."


class InvalidReview(ValidationFailed):
    code = "invalid_review"


class UnknownVariant(ValidationFailed):
    code = "unknown_variant"
    default_message = "This product has no such variant."


class UnknownSku(NotFound):
    code = "unknown_sku"
    default_message = "No product variant has this SKU."


class InvalidErpProduct(ValidationFailed):
    """A product from the ERP refused field by field (``detail``): unknown category or VAT rate, bad EAN..."""

    code = "invalid_product"
    default_message = "The product is not valid."
