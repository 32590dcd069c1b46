"""Account reads for the customer portal, the shop pages and the APIs."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .errors import AddressNotFound
from .models import Address, CustomerGroup, CustomerProfile, User


def addresses_for_user(user: User) -> QuerySet[Address]:
    """The account's addresses: default shipping first, then default billing, then by label/id."""
    return Address.objects.filter(user=user).order_by(
        "-is_default_shipping", "-is_default_billing", "label", "id"
    )


def address_for_user(*, user: User, address_id: int) -> Address:
    """One of the account's own addresses; ``AddressNotFound`` for anybody else's (or none)."""
    address = Address.objects.filter(user=user, pk=address_id).first()
    if address is None:
        raise AddressNotFound(_("No such address in your account."), detail={"address_id": address_id})
    return address


def profile_for_user(user: User) -> CustomerProfile | None:
    """The customer profile, or None for an account that has none yet (staff, pre-portal accounts)."""
    return CustomerProfile.objects.filter(user=user).first()


def customer_group_for(user) -> CustomerGroup | None:
    """The signed-in shopper's customer group (B2B price lists), None for everybody else. At most 1 query."""
    if user is None or not user.is_authenticated:
        return None
    profile = CustomerProfile.objects.select_related("group").filter(user=user).first()
    return profile.group if profile else None
