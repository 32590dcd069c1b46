from core.errors import Conflict, NotFound, Throttled, ValidationFailed


class EmailAlreadyRegistered(Conflict):
    code = "email_taken"
    default_message = "An account already exists with this e-mail address."


class WeakPassword(ValidationFailed):
    code = "weak_password"
    default_message = "This password is too weak."


class IncorrectPassword(ValidationFailed):
    code = "incorrect_password"
    default_message = "The password is not correct."


class AccountNotClosable(Conflict):
    code = "account_not_closable"
    default_message = "Staff accounts are closed by an administrator, not from the shop."


class AddressNotFound(NotFound):
    default_message = "No such address in your account."


class InvalidErpCustomer(ValidationFailed):
    """A customer from the ERP refused field by field (``detail``): unknown group, bad SIRET..."""

    code = "invalid_customer"
    default_message = "The customer is not valid."


class InvalidVerificationLink(ValidationFailed):
    """An e-mail verification link that is forged, expired, or for an address the account no longer has."""

    code = "invalid_verification_link"
    default_message = "This verification link is not valid."


class EmailAlreadyVerified(Conflict):
    code = "email_already_verified"
    default_message = "Your e-mail address is already confirmed."


class VerificationEmailTooSoon(Throttled):
    """A new verification link asked for before ``EMAIL_VERIFICATION_RESEND_MINUTES`` have passed since
    the last one; ``detail["wait"]``: seconds to wait (``Retry-After``)."""

    code = "verification_email_too_soon"
    default_message = "We sent you a link a moment ago; please wait before asking for another."
