"""B2B company accounts: the company, its identifiers, its buyers and their roles.

A company has buyers (place orders), approvers (also approve the orders above the company's
``approval_limit``) and administrators (also manage the members). A user buys for one company at
most. The VAT number and the SIRET are checked with python-stdnum (format and check digits) and
stored compact (``FR40303265045``, ``73282932000074``); the VAT number is also checked against the
VIES register when ``VAT_CHECKER = "vies"`` (``accounts.vat_check``): a register outage keeps the
company, ``vat_checked_at`` empty, to be checked again; a number the register says is not valid is
refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as fr_siret

from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from . import vat_check
from .models import Company, CompanyMember, CompanyRole, CustomerGroup, PaymentTerms, User
from .selectors import forget_company_membership


class InvalidCompany(ValidationFailed):
    """A company refused field by field (``detail``: {field: message})."""

    code = "invalid_company"
    default_message = "The company is not valid."


class CompanyTaken(Conflict):
    code = "company_taken"
    default_message = "A company with this VAT number or SIRET already exists."


class AlreadyInACompany(Conflict):
    code = "already_in_a_company"
    default_message = "This user already buys for a company."


class LastCompanyAdmin(Conflict):
    code = "last_company_admin"
    default_message = "A company keeps at least one administrator."


@dataclass(frozen=True)
class CompanyData:
    name: str
    vat_number: str = ""
    siret: str = ""
    group: CustomerGroup | None = None
    payment_terms: str = PaymentTerms.ONLINE
    credit_limit: Decimal | str | int = Decimal("0")
    approval_limit: Decimal | str | int | None = None


def clean_vat_number(value: str) -> str:
    """The compact VAT number, or ``InvalidCompany``. Empty stays empty."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return str(eu_vat.validate(value))
    except StdnumError:
        raise InvalidCompany(
            _("%(number)s is not a valid EU VAT number (country code and digits, e.g. FR40303265045).")
            % {"number": value[:40]},
            detail={"vat_number": "invalid"},
        ) from None


def clean_siret(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return str(fr_siret.validate(value))
    except StdnumError:
        raise InvalidCompany(
            _("%(number)s is not a valid SIRET (14 digits).") % {"number": value[:40]},
            detail={"siret": "invalid"},
        ) from None


def _amount(value: Decimal | str | int | None, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidCompany(_("An amount of zero or more, to the cent."), detail={field: "invalid"})
    return amount


def _clean(data: CompanyData) -> dict[str, object]:
    name = (data.name or "").strip()
    if not name:
        raise InvalidCompany(_("The company needs a name."), detail={"name": "required"})
    if data.payment_terms not in PaymentTerms.values:
        raise InvalidCompany(_("Unknown payment terms."), detail={"payment_terms": "invalid"})
    credit_limit = _amount(data.credit_limit, "credit_limit") or Decimal("0")
    return {
        "name": name[:200],
        "vat_number": clean_vat_number(data.vat_number),
        "siret": clean_siret(data.siret),
        "group": data.group,
        "payment_terms": data.payment_terms,
        "credit_limit": credit_limit,
        "approval_limit": _amount(data.approval_limit, "approval_limit"),
    }


def vat_checked_at(vat_number: str) -> dt.datetime | None:
    """When the register confirmed ``vat_number`` (now), None if no register was asked or it was down;
    ``InvalidCompany`` when the register says the number does not exist."""
    if not vat_number:
        return None
    try:
        result = vat_check.check_vat(vat_number)
    except vat_check.VatRegisterUnavailable:
        return None
    if not result.valid:
        raise InvalidCompany(
            _("The EU VAT register does not know %(number)s.") % {"number": vat_number},
            detail={"vat_number": "not_registered"},
        )
    return timezone.now() if result.checked else None


def create_company(*, data: CompanyData, admin: User | None = None) -> Company:
    """A company (``admin``, if given, becomes its first administrator). The register is asked before
    the transaction: no row is locked while VIES answers."""
    fields = _clean(data)
    checked_at = vat_checked_at(str(fields["vat_number"]))
    try:
        with transaction.atomic():
            company = Company.objects.create(**fields, vat_checked_at=checked_at)
            if admin is not None:
                _join(company, admin, CompanyRole.ADMIN)
    except IntegrityError as exc:
        if "company_vat_unique" in str(exc) or "company_siret_unique" in str(exc) or "UNIQUE" in str(exc):
            raise CompanyTaken() from None
        raise
    return company


def update_company(*, company: Company, data: CompanyData) -> Company:
    fields = _clean(data)
    vat_changed = fields["vat_number"] != company.vat_number
    checked_at = vat_checked_at(str(fields["vat_number"])) if vat_changed else company.vat_checked_at
    for name, value in fields.items():
        setattr(company, name, value)
    company.vat_checked_at = checked_at
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError:
        raise CompanyTaken() from None
    return company


def recheck_vat(*, company: Company) -> Company:
    """Ask the register again (a company saved while VIES was down). Keeps the number if the register
    is still down; ``InvalidCompany`` if it now says the number is not registered."""
    checked_at = vat_checked_at(company.vat_number)
    if checked_at is not None:
        Company.objects.filter(pk=company.pk).update(vat_checked_at=checked_at)
        company.vat_checked_at = checked_at
    return company


def _join(company: Company, user: User, role: str) -> CompanyMember:
    if role not in CompanyRole.values:
        raise InvalidCompany(_("Unknown company role."), detail={"role": "invalid"})
    try:
        with transaction.atomic():
            forget_company_membership(user)
            return CompanyMember.objects.create(company=company, user=user, role=role)
    except IntegrityError:
        raise AlreadyInACompany() from None


@transaction.atomic
def add_member(*, company: Company, user: User, role: str = CompanyRole.BUYER, actor: User) -> CompanyMember:
    """The actor's right is checked under the same lock as role changes and removals: an admin
    demoted or removed at the same moment cannot still add a member."""
    _locked_members(company, actor)
    return _join(company, user, role)


def _locked_members(company: Company, actor: User) -> dict[int, CompanyMember]:
    """The company's members, locked (two admins changing roles at once are served one after the
    other), after checking ``actor`` is one of its administrators as of now (or staff)."""
    members = {m.user_id: m for m in CompanyMember.objects.select_for_update().filter(company=company)}
    acting = members.get(actor.pk)
    if not actor.is_staff and (acting is None or acting.role != CompanyRole.ADMIN):
        raise PermissionDenied(_("Only an administrator of the company manages its buyers."))
    return members


@transaction.atomic
def set_member_role(*, company: Company, user: User, role: str, actor: User) -> CompanyMember:
    if role not in CompanyRole.values:
        raise InvalidCompany(_("Unknown company role."), detail={"role": "invalid"})
    members = _locked_members(company, actor)
    member = members.get(user.pk)
    if member is None:
        raise NotFound(_("This user does not buy for this company."))
    admins = [m for m in members.values() if m.role == CompanyRole.ADMIN]
    if member.role == CompanyRole.ADMIN and role != CompanyRole.ADMIN and len(admins) == 1:
        raise LastCompanyAdmin()
    member.role = role
    member.save(update_fields=["role"])
    forget_company_membership(user)
    return member


@transaction.atomic
def remove_member(*, company: Company, user: User, actor: User) -> None:
    members = _locked_members(company, actor)
    member = members.get(user.pk)
    if member is None:
        raise NotFound(_("This user does not buy for this company."))
    admins = [m for m in members.values() if m.role == CompanyRole.ADMIN]
    if member.role == CompanyRole.ADMIN and len(admins) == 1:
        raise LastCompanyAdmin()
    member.delete()
    forget_company_membership(user)


def lock_company(company_id: int) -> Company:
    """The company row locked until the caller's transaction ends: orders on terms and approvals of
    one company are decided one at a time (its credit limit cannot be exceeded by two at once)."""
    return Company.objects.select_for_update().get(pk=company_id)
