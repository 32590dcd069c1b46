"""Customer accounts: sign-up, profile, addresses, the data export and closing an account.

Views only parse input and call one of these; each owns its transaction. Errors are
``ApplicationError`` subclasses with stable codes (the pages show their ``message``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import password_validation
from django.core import mail, signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core import events
from core.errors import ValidationFailed

from . import personal_data
from .errors import (
    AccountNotClosable,
    EmailAlreadyRegistered,
    EmailAlreadyVerified,
    IncorrectPassword,
    InvalidErpCustomer,
    InvalidVerificationLink,
    VerificationEmailTooSoon,
    WeakPassword,
)
from .events import AccountClosed, AccountEmailVerified, CustomerUpdated
from .models import Address, CustomerProfile, Role, User
from .roles import assign_role


class Unset:
    """A keyword left out (``UNSET``), told apart from an explicit None."""


UNSET = Unset()

# Countries we deliver to (ISO 3166-1 alpha-2); the address form offers these.
COUNTRIES: list[tuple[str, Any]] = [
    ("FR", gettext_lazy("France")),
    ("IT", gettext_lazy("Italy")),
    ("BE", gettext_lazy("Belgium")),
    ("LU", gettext_lazy("Luxembourg")),
    ("MC", gettext_lazy("Monaco")),
    ("CH", gettext_lazy("Switzerland")),
    ("DE", gettext_lazy("Germany")),
    ("ES", gettext_lazy("Spain")),
    ("PT", gettext_lazy("Portugal")),
    ("NL", gettext_lazy("Netherlands")),
    ("AT", gettext_lazy("Austria")),
    ("IE", gettext_lazy("Ireland")),
    ("GB", gettext_lazy("United Kingdom")),
    ("US", gettext_lazy("United States")),
]
COUNTRY_CODES = {code for code, _name in COUNTRIES}
DEFAULT_KINDS = ("shipping", "billing")
EXPORT_FORMAT_VERSION = 1


# --- sign-up and profile ----------------------------------------------------------------------


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def email_is_registered(email: str, *, exclude_user_id: int | None = None) -> bool:
    found = User.objects.filter(email__iexact=normalize_email(email))
    if exclude_user_id is not None:
        found = found.exclude(pk=exclude_user_id)
    return found.exists()


def _check_language(language: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    if language not in codes:
        raise ValidationFailed(
            _("Unsupported language %(language)r.") % {"language": language},
            detail={"preferred_language": sorted(codes)},
        )
    return language


def _taken_message() -> str:
    return _("An account already exists with this e-mail address.")


@transaction.atomic
def register_customer(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    language: str,
    marketing_opt_in: bool = False,
) -> User:
    """A shopper account: the User (shopper role) and its CustomerProfile, or nothing at all.

    ``EmailAlreadyRegistered`` for an e-mail already in use (in any letter case), ``WeakPassword``
    when Django's password validators refuse the password, ``ValidationFailed`` for a bad e-mail,
    a missing name or an unsupported language.
    """
    email = normalize_email(email)
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    try:
        validate_email(email)
    except DjangoValidationError as exc:
        raise ValidationFailed(_("Enter a valid e-mail address."), detail={"email": exc.messages}) from exc
    missing = [name for name, value in (("first_name", first_name), ("last_name", last_name)) if not value]
    if missing:
        raise ValidationFailed(
            _("Your first and last name are required."), detail={name: ["required"] for name in missing}
        )
    _check_language(language)
    if email_is_registered(email):
        raise EmailAlreadyRegistered(_taken_message(), detail={"email": email})
    candidate = User(email=email, first_name=first_name, last_name=last_name)
    try:
        password_validation.validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise WeakPassword(" ".join(exc.messages), detail={"password": exc.messages}) from exc
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                preferred_language=language,
            )
    except IntegrityError as exc:  # a concurrent sign-up with the same e-mail won the race
        raise EmailAlreadyRegistered(_taken_message(), detail={"email": email}) from exc
    assign_role(user, Role.SHOPPER)
    CustomerProfile.objects.create(user=user, marketing_opt_in=bool(marketing_opt_in))
    ensure_loyalty_card(user=user)  # the card is in the account from the start, for the till
    return user


LOYALTY_PREFIX = "LC"


def _new_card_number() -> str:
    return LOYALTY_PREFIX + "".join(secrets.choice("0123456789") for _ in range(10))


def ensure_loyalty_card(*, user: User) -> str | None:
    """The customer's loyalty card number, given now if they have none. None for accounts without a
    customer profile (staff). Re-runnable and safe against two requests at once."""
    profile = CustomerProfile.objects.filter(user=user).only("pk", "loyalty_card_number").first()
    if profile is None:
        return None
    if profile.loyalty_card_number:
        return profile.loyalty_card_number
    for _attempt in range(5):
        number = _new_card_number()
        try:
            with transaction.atomic():
                updated = CustomerProfile.objects.filter(
                    pk=profile.pk, loyalty_card_number__isnull=True
                ).update(loyalty_card_number=number)
        except IntegrityError:  # the number is someone else's: draw again
            continue
        if updated:
            return number
        return CustomerProfile.objects.values_list("loyalty_card_number", flat=True).get(pk=profile.pk)
    raise RuntimeError("could not draw a free loyalty card number")  # 10^10 numbers: never in practice


@transaction.atomic
def update_profile(
    *,
    user: User,
    first_name: str,
    last_name: str,
    phone: str,
    preferred_language: str,
    marketing_opt_in: bool,
    birth_date: dt.date | None | Unset = UNSET,
) -> User:
    """Name, phone, language (e-mails and texts use it), the marketing consent and, optionally, the
    birth date (a loyalty birthday coupon; None clears it, left out keeps it)."""
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    if not first_name or not last_name:
        raise ValidationFailed(
            _("Your first and last name are required."),
            detail={
                name: ["required"]
                for name, value in (("first_name", first_name), ("last_name", last_name))
                if not value
            },
        )
    _check_language(preferred_language)
    if isinstance(birth_date, dt.date):
        today = timezone.localdate()
        if not dt.date(1900, 1, 1) <= birth_date <= today:
            raise ValidationFailed(
                _("Enter a birth date between 1900 and today."), detail={"birth_date": ["invalid"]}
            )
    user.first_name, user.last_name = first_name, last_name
    user.phone = (phone or "").strip()
    user.preferred_language = preferred_language
    user.save(update_fields=["first_name", "last_name", "phone", "preferred_language"])
    profile, _created = CustomerProfile.objects.get_or_create(user=user)
    if profile.marketing_opt_in != bool(marketing_opt_in):
        profile.marketing_opt_in = bool(marketing_opt_in)
        profile.save(update_fields=["marketing_opt_in"])
    if not isinstance(birth_date, Unset) and profile.birth_date != birth_date:
        profile.birth_date = birth_date
        profile.save(update_fields=["birth_date"])
    events.publish(CustomerUpdated(user_id=user.pk))
    return user


# --- addresses --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressData:
    first_name: str
    last_name: str
    line1: str
    postal_code: str
    city: str
    country: str = "FR"
    line2: str = ""
    label: str = ""
    phone: str = ""

    def cleaned(self) -> AddressData:
        values = {name: (getattr(self, name) or "").strip() for name in self.__dataclass_fields__}
        values["country"] = values["country"].upper()
        return AddressData(**values)


def _validate_address(data: AddressData) -> AddressData:
    data = data.cleaned()
    errors = {
        name: [_("This field is required.")]
        for name in ("first_name", "last_name", "line1", "postal_code", "city")
        if not getattr(data, name)
    }
    if data.country not in COUNTRY_CODES:
        errors["country"] = [_("We do not deliver to this country.")]
    if errors:
        raise ValidationFailed(_("The address is incomplete."), detail=errors)
    return data


@transaction.atomic
def create_address(
    *, user: User, data: AddressData, default_shipping: bool = False, default_billing: bool = False
) -> Address:
    """A new address; the account's first one becomes its default shipping and billing address."""
    data = _validate_address(data)
    has_any = Address.objects.filter(user=user).exists()
    address = Address.objects.create(user=user, **data.__dict__)
    for kind, wanted in (("shipping", default_shipping), ("billing", default_billing)):
        if wanted or not has_any:
            _make_default(address, kind)
    return address


@transaction.atomic
def update_address(
    *, address: Address, data: AddressData, default_shipping: bool = False, default_billing: bool = False
) -> Address:
    """Change an address; ``default_*`` make it the default (unticking leaves the default as it is)."""
    data = _validate_address(data)
    for name, value in data.__dict__.items():
        setattr(address, name, value)
    address.save(update_fields=list(data.__dict__))
    for kind, wanted in (("shipping", default_shipping), ("billing", default_billing)):
        if wanted:
            _make_default(address, kind)
    return address


@transaction.atomic
def delete_address(*, address: Address) -> None:
    """Delete an address; a default it was passes to the account's oldest remaining address."""
    user_id = address.user_id
    was = {kind: getattr(address, f"is_default_{kind}") for kind in DEFAULT_KINDS}
    address.delete()
    heir = Address.objects.filter(user_id=user_id).order_by("id").first()
    if heir is not None:
        for kind in DEFAULT_KINDS:
            if was[kind]:
                _make_default(heir, kind)


@transaction.atomic
def set_default_address(*, address: Address, kind: str) -> Address:
    """Make ``address`` the default ``shipping`` or ``billing`` address of its account."""
    if kind not in DEFAULT_KINDS:
        raise ValidationFailed(
            _("Unknown default %(kind)r: use shipping or billing.") % {"kind": kind}, detail={"kind": kind}
        )
    _make_default(address, kind)
    return address


def _make_default(address: Address, kind: str) -> None:
    field = f"is_default_{kind}"
    Address.objects.filter(user_id=address.user_id, **{field: True}).exclude(pk=address.pk).update(
        **{field: False}
    )
    Address.objects.filter(pk=address.pk).update(**{field: True})
    setattr(address, field, True)


# --- export my data ---------------------------------------------------------------------------


def export_customer_data(*, user: User, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the shop keeps about the account, as plain JSON values (GDPR art. 15 and 20).

    Amounts are strings (exact decimals), dates ISO 8601 in UTC. A fixed number of queries.
    """
    profile = CustomerProfile.objects.filter(user=user).select_related("group").first()
    addresses = list(Address.objects.filter(user=user).order_by("id"))
    data: dict[str, Any] = {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": _iso(now or timezone.now()),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "preferred_language": user.preferred_language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "profile": None
        if profile is None
        else {
            "marketing_opt_in": profile.marketing_opt_in,
            "customer_group": profile.group.name if profile.group else None,
            "company_name": profile.company_name,
            "vat_number": profile.vat_number,
            "loyalty_card_number": profile.loyalty_card_number,
            "created_at": _iso(profile.created_at),
        },
        "addresses": [_address_data(address) for address in addresses],
    }
    for holder in personal_data.holders():
        data[holder.section] = holder.export(user)
    return data


def _iso(value: dt.datetime | None) -> str | None:
    return personal_data.iso(value)


def _address_data(address: Address) -> dict[str, Any]:
    return {
        "label": address.label,
        "first_name": address.first_name,
        "last_name": address.last_name,
        "line1": address.line1,
        "line2": address.line2,
        "postal_code": address.postal_code,
        "city": address.city,
        "country": address.country,
        "phone": address.phone,
        "is_default_shipping": address.is_default_shipping,
        "is_default_billing": address.is_default_billing,
    }


# --- closing an account -----------------------------------------------------------------------


def anonymised_email(user_id: int) -> str:
    return f"deleted-{user_id}@invalid.example"


@transaction.atomic
def close_account(*, user: User, password: str) -> User:
    """Close a shopper's account after checking the password: personal data is anonymised, the
    orders (lines and totals) stay for the books. ``IncorrectPassword`` changes nothing.

    The user: e-mail ``deleted-<id>@invalid.example``, names and phone blank, inactive, unusable
    password, API tokens deleted. The profile: cleared (no consent, no company, no loyalty card).
    Addresses and open carts: deleted. Orders: e-mail replaced, phone blank, the shipping address
    snapshot reduced to its country; lines, totals and status trail untouched.
    Reviews (if any): kept, shown as "Anonymous". ``account.closed`` is published first, with the
    real e-mail and phone (marketing withdraws every consent of the account, in this transaction).
    """
    if user.is_staff or user.is_superuser:
        raise AccountNotClosable(_("Staff accounts are closed by an administrator, not from the shop."))
    if not password or not user.check_password(password):
        raise IncorrectPassword(_("The password is not correct."), detail={"password": ["incorrect"]})
    user = User.objects.select_for_update().get(pk=user.pk)
    # Before anything is anonymised: marketing (in the transaction) withdraws every consent.
    events.publish(AccountClosed(user_id=user.pk, email=user.email, phone=user.phone))
    email = anonymised_email(user.pk)

    for holder in personal_data.holders():
        holder.erase(user, email)
    Address.objects.filter(user=user).delete()
    CustomerProfile.objects.filter(user=user).update(
        marketing_opt_in=False, company_name="", vat_number="", loyalty_card_number=None, group=None
    )
    if apps.is_installed("rest_framework.authtoken"):
        from rest_framework.authtoken.models import Token

        Token.objects.filter(user=user).delete()

    user.email = email
    user.first_name = user.last_name = user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "first_name", "last_name", "phone", "is_active", "password"])
    return user


def unlock_logins(*, emails: list[str]) -> int:
    """Clear django-axes' failed sign-in records of these accounts, from every address (staff's
    "Unlock logins" admin action; ``manage.py axes_reset_username <email>`` does the same for one).
    Returns how many records were removed. Usernames are stored as ``core.ratelimit.login_username``
    writes them: trimmed, lower-cased."""
    from axes.utils import reset

    return sum(reset(username=email.strip().lower()) for email in emails)


# --- customers from the ERP (integrations' webservices and files) ----------------------------------


@dataclass(frozen=True)
class ErpCustomerData:
    """A customer as the ERP sends it; ``customer_code`` is ``CustomerProfile.erp_code``."""

    customer_code: str
    email: str
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    vat_number: str = ""
    siret: str = ""
    customer_group: str = ""
    phone: str = ""
    marketing_opt_in: bool = False
    address: str = ""  # with postcode and city: the account's billing address labelled "ERP"
    postcode: str = ""
    city: str = ""
    country: str = "FR"


ERP_ADDRESS_LABEL = "ERP"


@dataclass(frozen=True)
class UpsertResult:
    user: User
    outcome: str  # "created", "updated" or "unchanged"


@transaction.atomic
def upsert_erp_customer(*, data: ErpCustomerData) -> UpsertResult:
    """Create or update the customer with this ERP code: the same data twice changes nothing.

    A customer who already has an account under this e-mail and no ERP code is adopted (the code is
    set). ``ValidationFailed`` (field by field) for a bad e-mail, SIRET or unknown group;
    ``EmailAlreadyRegistered`` when the e-mail belongs to another ERP customer. Nothing is written
    when refused. Publishes ``customer.updated`` when anything changed.
    """
    from .models import CustomerGroup

    code = data.customer_code.strip()
    email = normalize_email(data.email)
    errors: dict[str, list[str]] = {}
    if not code:
        errors["customer_code"] = [_("This field is required.")]
    try:
        validate_email(email)
    except DjangoValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    siret = "".join(data.siret.split())
    if siret and not (siret.isdigit() and len(siret) in (9, 14)):
        errors["siret"] = [_("A SIRET is 14 digits (or a SIREN, 9).")]
    group = None
    if data.customer_group:
        group = CustomerGroup.objects.filter(code=data.customer_group).first()
        if group is None:
            errors["customer_group"] = [_("Unknown customer group %(code)r.") % {"code": data.customer_group}]
    address_values = None
    if data.address.strip() or data.postcode.strip() or data.city.strip():
        for name in ("address", "postcode", "city"):
            if not getattr(data, name).strip():
                errors[name] = [_("An address needs address, postcode and city.")]
        country = data.country.strip().upper() or "FR"
        if len(country) != 2 or not country.isalpha():
            errors["country"] = [_("A two-letter country code (FR, BE...).")]
        address_values = {
            "line1": data.address.strip()[:200],
            "postal_code": data.postcode.strip()[:20],
            "city": data.city.strip()[:100],
            "country": country,
            "phone": data.phone.strip()[:32],
        }
    if errors:
        raise InvalidErpCustomer(_("The customer is not valid."), detail=errors)

    profile = CustomerProfile.objects.select_related("user").filter(erp_code=code).first()
    owner = User.objects.filter(email__iexact=email).first()
    if profile is not None and owner is not None and owner.pk != profile.user_id:
        raise EmailAlreadyRegistered(_taken_message(), detail={"email": email})
    created = False
    if profile is None:
        if owner is not None:
            profile, _created = CustomerProfile.objects.get_or_create(user=owner)
            if profile.erp_code:  # another ERP customer already has this e-mail
                raise EmailAlreadyRegistered(_taken_message(), detail={"email": email})
        else:
            user = User.objects.create_user(email=email, password=None)
            assign_role(user, Role.SHOPPER)
            profile = CustomerProfile.objects.create(user=user)
            created = True
    user = profile.user
    user_values = {
        "email": email,
        "first_name": data.first_name.strip(),
        "last_name": data.last_name.strip(),
        "phone": data.phone.strip(),
    }
    profile_values = {
        "erp_code": code,
        "company_name": data.company.strip(),
        "vat_number": data.vat_number.strip(),
        "siren": siret[:9],
        "group_id": group.pk if group is not None else None,
        "marketing_opt_in": bool(data.marketing_opt_in),
    }
    changed_user = [name for name, value in user_values.items() if getattr(user, name) != value]
    changed_profile = [name for name, value in profile_values.items() if getattr(profile, name) != value]
    for name in changed_user:
        setattr(user, name, user_values[name])
    for name in changed_profile:
        setattr(profile, name, profile_values[name])
    if changed_user:
        user.save(update_fields=changed_user)
    if changed_profile:
        profile.save(update_fields=changed_profile)
    changed_address = address_values is not None and _set_erp_address(user, address_values, data)
    if created or changed_user or changed_profile or changed_address:
        events.publish(CustomerUpdated(user_id=user.pk, created=created))
    changed = changed_user or changed_profile or changed_address
    outcome = "created" if created else "updated" if changed else "unchanged"
    return UpsertResult(user=user, outcome=outcome)


def _set_erp_address(user: User, values: dict[str, str], data: ErpCustomerData) -> bool:
    """The customer's "ERP" billing address made to say ``values``; True when anything was written."""
    from .models import Address

    wanted = {
        **values,
        "first_name": (data.first_name.strip() or user.first_name or "-")[:100],
        "last_name": (data.last_name.strip() or user.last_name or data.company.strip() or "-")[:100],
    }
    address = Address.objects.filter(user=user, label=ERP_ADDRESS_LABEL).first()
    if address is None:
        Address.objects.create(user=user, label=ERP_ADDRESS_LABEL, is_default_billing=True, **wanted)
        return True
    changed = [name for name, value in wanted.items() if getattr(address, name) != value]
    for name in changed:
        setattr(address, name, wanted[name])
    if changed:
        address.save(update_fields=changed)
    return bool(changed)


# --- e-mail verification ---------------------------------------------------------------------------

VERIFY_EMAIL_SALT = "accounts.verify-email"
VERIFY_EMAIL_MAX_AGE = dt.timedelta(days=7)


def email_verification_token(*, user: User) -> str:
    """A signed token (no table) naming the account and the address it proves; ``verify_email`` checks
    both, so a link sent before the address changed proves nothing."""
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=VERIFY_EMAIL_SALT)


def send_email_verification(*, user: User, verify_url: str) -> None:
    """E-mail the verification link (``verify_url`` holds the token) after the current transaction
    commits, in the shopper's language; ``email_verification_sent_at`` records when (the resend limit
    counts from it)."""
    email, language = user.email, user.preferred_language
    user.email_verification_sent_at = timezone.now()
    User.objects.filter(pk=user.pk).update(email_verification_sent_at=user.email_verification_sent_at)

    def send() -> None:
        with translation.override(language):
            mail.send_mail(
                subject=_("Confirm your e-mail address"),
                message=_(
                    "Hello,\n\nOpen this link to confirm that %(email)s is your e-mail address. Orders "
                    "you placed with it without an account will then appear in your account.\n\n"
                    "%(url)s\n\nThe link is valid for 7 days."
                )
                % {"email": email, "url": verify_url},
                from_email=None,
                recipient_list=[email],
            )

    transaction.on_commit(send, robust=True)


@transaction.atomic(durable=True)
def resend_email_verification(*, user: User, verify_url: str) -> None:
    """The shopper asked again for the verification link (the first one lost, or expired): sent, at
    most once per ``EMAIL_VERIFICATION_RESEND_MINUTES``. The window is claimed with one conditional
    UPDATE, so two clicks racing send one e-mail.

    ``EmailAlreadyVerified`` (409) when there is nothing to confirm; ``VerificationEmailTooSoon``
    (429, ``detail["wait"]`` seconds) inside the window; either way nothing is sent or written."""
    if user.email_verified_at is not None:
        raise EmailAlreadyVerified(_("Your e-mail address is already confirmed."))
    now = timezone.now()
    window = dt.timedelta(minutes=settings.EMAIL_VERIFICATION_RESEND_MINUTES)
    claimed = (
        User.objects.filter(pk=user.pk, email_verified_at__isnull=True)
        .filter(Q(email_verification_sent_at__isnull=True) | Q(email_verification_sent_at__lte=now - window))
        .update(email_verification_sent_at=now)
    )
    if not claimed:
        last = User.objects.filter(pk=user.pk).values_list("email_verification_sent_at", flat=True).first()
        wait = max(60, int(((last or now) + window - now).total_seconds()))
        minutes = -(-wait // 60)
        raise VerificationEmailTooSoon(
            ngettext(
                "We sent you a link less than %(window)d minutes ago. You can ask for a new one in "
                "%(minutes)d minute.",
                "We sent you a link less than %(window)d minutes ago. You can ask for a new one in "
                "%(minutes)d minutes.",
                minutes,
            )
            % {"window": settings.EMAIL_VERIFICATION_RESEND_MINUTES, "minutes": minutes},
            detail={"wait": wait},
        )
    send_email_verification(user=user, verify_url=verify_url)


@transaction.atomic(durable=True)
def verify_email(*, token: str, max_age: dt.timedelta = VERIFY_EMAIL_MAX_AGE) -> User:
    """The shopper opened the verification link: the account's address is verified (the first time:
    ``email_verified_at``) and ``account.email_verified`` is published (every time: its subscribers,
    such as the orders app attaching guest orders of that address, are idempotent).

    ``InvalidVerificationLink`` (400), nothing written: a forged or expired token, an inactive or
    unknown account, or an account whose address changed since the link was sent."""
    try:
        data = signing.loads(str(token or "")[:500], salt=VERIFY_EMAIL_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidVerificationLink(
            _("This verification link has expired."), detail={"reason": "expired"}
        ) from None
    except signing.BadSignature:
        raise InvalidVerificationLink(
            _("This verification link is not valid."), detail={"reason": "bad"}
        ) from None
    user_id = data.get("u") if isinstance(data, dict) else None
    user = (
        User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if isinstance(user_id, int)
        else None
    )
    if user is None or user.email.lower() != str(data.get("e", "")):
        raise InvalidVerificationLink(
            _("This verification link is for another e-mail address."), detail={"reason": "changed"}
        )
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    events.publish(AccountEmailVerified(user_id=user.pk, email=user.email))
    return user
