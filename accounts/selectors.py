"""Account reads for the customer portal, the shop pages and the APIs."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .errors import AddressNotFound
from .models import Address, CompanyMember, CustomerGroup, CustomerProfile, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


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


def customer_group_for(user: User | AnonymousUser | None) -> CustomerGroup | None:
    """The signed-in customer's group (B2B price lists), None for everybody else. No query when the
    user's profile was loaded with its group (``select_related("customer_profile__group")``), else 1."""
    if user is None or not user.is_authenticated:
        return None
    if User.customer_profile.is_cached(user):  # the reverse one-to-one descriptor knows
        try:
            return user.customer_profile.group
        except CustomerProfile.DoesNotExist:  # loaded, and there is none
            return None
    profile = CustomerProfile.objects.select_related("group").filter(user=user).first()
    return profile.group if profile else None


_MEMBERSHIP_ATTR = "_company_membership"


def company_membership_for(user: User | AnonymousUser | None) -> CompanyMember | None:
    """The signed-in user's company membership with its company, None for everybody else. One query
    per user instance: the answer is kept on the instance (a request's ``request.user``, which its
    cart shares), so the page, the cart's prices and the checkout ask once; the membership services
    forget it on the instances they are given (``forget_company_membership``)."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return getattr(user, _MEMBERSHIP_ATTR)
    except AttributeError:
        pass
    membership = (
        CompanyMember.objects.select_related("company").filter(user=user, company__is_active=True).first()
    )
    setattr(user, _MEMBERSHIP_ATTR, membership)
    return membership


def forget_company_membership(user: object) -> None:
    """After a membership change: the next ``company_membership_for(user)`` asks the database."""
    with contextlib.suppress(AttributeError):
        delattr(user, _MEMBERSHIP_ATTR)
