"""Customers: one row per ERP customer, keyed by ``customer_code`` (``CustomerProfile.erp_code``).

A code seen before updates its account; a new code whose e-mail already has an account (a shopper
who signed up on the web) attaches the code to it; else a shopper account is created without a
password (the customer sets one with "forgotten password"). The VAT number and the SIRET are checked
with python-stdnum (the SIREN kept is the SIRET's first nine digits). The address is kept as the
account's "ERP" address. ``marketing_opt_in`` is taken for new accounts only: afterwards consent is
the customer's own (marketing keeps its proof).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

from accounts.models import Address, CustomerGroup, CustomerProfile, Role, User
from accounts.roles import ensure_roles
from accounts.services import ERP_ADDRESS_LABEL

from ..base import ChunkResult, Context, Handler, Row, RowError, field_value
from ..values import parse_bool

ADDRESS_LABEL = ERP_ADDRESS_LABEL  # the same address the webservice keeps
COUNTRY_NAMES = {"france": "FR", "belgique": "BE", "belgium": "BE", "suisse": "CH", "switzerland": "CH",
                 "luxembourg": "LU", "italie": "IT", "italy": "IT", "espagne": "ES", "spain": "ES",
                 "allemagne": "DE", "germany": "DE", "monaco": "MC"}  # fmt: skip


@dataclass
class _Customer:
    row: Row
    code: str
    email: str
    fields: dict[str, str]
    profile: dict[str, Any]
    group: CustomerGroup | None
    address: dict[str, str] | None
    opt_in: bool | None


class CustomersHandler(Handler):
    kind = "customers"
    required_columns: ClassVar[tuple[str, ...]] = ("customer_code",)

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.groups = {g.code.lower(): g for g in CustomerGroup.objects.all()}
        self.seen: dict[str, int] = {}
        self.shopper = ensure_roles()[Role.SHOPPER]

    def _check(self, row: Row) -> _Customer:
        code = row.get("customer_code")
        if not code:
            raise RowError("customer_code", "customer_code is missing")
        if len(code) > 40:
            raise RowError("customer_code", "customer_code longer than 40 characters", code)
        if code in self.seen:
            raise RowError("customer_code", f"customer {code} already in line {self.seen[code]}", code)
        email = row.get("email").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise RowError("email", f"{email!r} is not an e-mail address", email) from exc
        profile: dict[str, Any] = {}
        if company := row.get("company"):
            profile["company_name"] = company[:200]
        if raw_vat := row.get("vat_number"):
            if not eu_vat.is_valid(raw_vat):
                raise RowError("vat_number", f"{raw_vat!r} is not a valid EU VAT number", raw_vat)
            profile["vat_number"] = eu_vat.compact(raw_vat)
        if raw_siret := row.get("siret"):
            if fr_siret.is_valid(raw_siret):
                profile["siren"] = fr_siret.to_siren(raw_siret)
            elif fr_siren.is_valid(raw_siret):
                profile["siren"] = fr_siren.compact(raw_siret)
            else:
                raise RowError("siret", f"{raw_siret!r} is not a valid SIRET (or SIREN)", raw_siret)
        group = None
        if group_code := row.get("customer_group"):
            group = self.groups.get(group_code.lower())
            if group is None:
                raise RowError("customer_group", f"unknown customer group {group_code}", group_code)
        country = row.get("country") or "FR"
        country = COUNTRY_NAMES.get(country.lower(), country.upper())
        if len(country) != 2 or not country.isalpha():
            raise RowError("country", f"{row.get('country')!r} is not a country code (FR, BE...)", country)
        address = None
        if row.get("address") or row.get("city"):
            if not (row.get("address") and row.get("postcode") and row.get("city")):
                raise RowError("address", "an address needs address, postcode and city")
            address = {
                "line1": row.get("address")[:200],
                "postal_code": row.get("postcode")[:20],
                "city": row.get("city")[:100],
                "country": country,
                "phone": row.get("phone")[:32],
            }
        fields = {
            name: row.get(name)[:limit]
            for name, limit in (("first_name", 150), ("last_name", 150), ("phone", 32))
            if row.get(name)
        }
        opt_in = field_value(row, "marketing_opt_in", parse_bool)
        return _Customer(row, code, email, fields, profile, group, address, opt_in)

    def apply(self, rows: list[Row]) -> ChunkResult:
        result = ChunkResult()
        checked: list[_Customer] = []
        for row in rows:
            try:
                customer = self._check(row)
            except RowError as error:
                result.reject(row, error)
                continue
            self.seen[customer.code] = row.line
            checked.append(customer)
        if checked:
            with transaction.atomic():
                self._write(checked, result)
        return result

    def _write(self, customers: list[_Customer], result: ChunkResult) -> None:
        profiles = {
            p.erp_code: p
            for p in CustomerProfile.objects.select_related("user").filter(
                erp_code__in=[c.code for c in customers]
            )
        }
        emails = {c.email for c in customers if c.email}
        users = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
        orphan_profiles = {
            p.user_id: p for p in CustomerProfile.objects.filter(user__in=list(users.values()))
        }
        addresses = {
            a.user_id: a
            for a in Address.objects.filter(
                label=ADDRESS_LABEL,
                user_id__in=[p.user_id for p in profiles.values()] + [u.pk for u in users.values()],
            )
        }
        new_users: list[tuple[_Customer, User]] = []
        changed_users: dict[int, User] = {}
        new_profiles: list[CustomerProfile] = []
        changed_profiles: dict[int, CustomerProfile] = {}
        new_addresses: list[Address] = []
        changed_addresses: list[Address] = []
        states: list[str] = []
        taken_emails: set[str] = set()
        for customer in customers:
            try:
                profile = profiles.get(customer.code)
                user = profile.user if profile else users.get(customer.email) if customer.email else None
                state = "unchanged"
                if user is None:
                    if not customer.email:
                        raise RowError("email", "email is missing (needed for a new customer)")
                    if customer.email in taken_emails:
                        raise RowError(
                            "email", f"{customer.email} is already another customer's", customer.email
                        )
                    user = User(email=customer.email, password=make_password(None), **customer.fields)
                    new_users.append((customer, user))
                    state = "created"
                else:
                    if customer.email and user.email.lower() != customer.email:
                        other = users.get(customer.email)
                        if other is not None or customer.email in taken_emails:
                            raise RowError(
                                "email", f"{customer.email} is already another account's", customer.email
                            )
                        user.email = customer.email
                        changed_users[user.pk] = user
                    for name, value in customer.fields.items():
                        if getattr(user, name) != value:
                            setattr(user, name, value)
                            changed_users[user.pk] = user
                    if user.pk in changed_users:
                        state = "updated"
                if customer.email:
                    taken_emails.add(customer.email)
                if profile is None and user.pk is not None:
                    profile = orphan_profiles.get(user.pk)
                    if profile is not None and profile.erp_code and profile.erp_code != customer.code:
                        raise RowError(
                            "email",
                            f"{customer.email} belongs to ERP customer {profile.erp_code}",
                            customer.email,
                        )
                wanted: dict[str, Any] = {"erp_code": customer.code, **customer.profile}
                if customer.group is not None:
                    wanted["group_id"] = customer.group.pk
                if profile is None:
                    profile = CustomerProfile(user=user, marketing_opt_in=bool(customer.opt_in), **wanted)
                    new_profiles.append(profile)
                    state = "created" if state == "created" else "updated"
                else:
                    for name, value in wanted.items():
                        if getattr(profile, name) != value:
                            setattr(profile, name, value)
                            changed_profiles[profile.pk] = profile
                    if profile.pk in changed_profiles and state == "unchanged":
                        state = "updated"
                if customer.address is not None:
                    first = customer.fields.get("first_name") or user.first_name or "-"
                    last = (
                        customer.fields.get("last_name")
                        or user.last_name
                        or customer.profile.get("company_name", "-")
                    )
                    data = {**customer.address, "first_name": first[:100], "last_name": last[:100]}
                    address = addresses.get(user.pk) if user.pk else None
                    if address is None:
                        new_addresses.append(
                            Address(user=user, label=ADDRESS_LABEL, is_default_billing=True, **data)
                        )
                        state = "created" if state == "created" else "updated"
                    elif any(getattr(address, k) != v for k, v in data.items()):
                        for k, v in data.items():
                            setattr(address, k, v)
                        changed_addresses.append(address)
                        if state == "unchanged":
                            state = "updated"
                states.append(state)
            except RowError as error:
                result.reject(customer.row, error)
                self.seen.pop(customer.code, None)
        User.objects.bulk_create([u for _, u in new_users], batch_size=1000)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=self.shopper.pk) for _, u in new_users],
            ignore_conflicts=True,
        )
        if changed_users:
            User.objects.bulk_update(
                list(changed_users.values()), ["email", "first_name", "last_name", "phone"], batch_size=1000
            )
        for profile in new_profiles:
            profile.user_id = profile.user.pk
        CustomerProfile.objects.bulk_create(new_profiles, batch_size=1000)
        if changed_profiles:
            CustomerProfile.objects.bulk_update(
                list(changed_profiles.values()),
                ["erp_code", "company_name", "vat_number", "siren", "group"],
                batch_size=1000,
            )
        for address in new_addresses:
            address.user_id = address.user.pk
        Address.objects.bulk_create(new_addresses, batch_size=1000)
        if changed_addresses:
            Address.objects.bulk_update(
                changed_addresses,
                ["line1", "postal_code", "city", "country", "phone", "first_name", "last_name"],
                batch_size=1000,
            )
        result.created += states.count("created")
        result.updated += states.count("updated")
        result.unchanged += states.count("unchanged")
