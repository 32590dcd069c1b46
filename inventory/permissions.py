"""Who may do what where. Views and consumers call these before calling a service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from core.auth import is_signed_in
from core.errors import PermissionDenied

from .models import Location, LocationKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    AnyUser = User | AnonymousUser | None


def can_act_at(user: AnyUser, location: Location, perm: str) -> bool:
    """``perm`` is an inventory codename such as ``record_sale`` or ``transfer_stock``."""
    if not (is_signed_in(user) and user.is_active):
        return False
    if not user.has_perm(f"inventory.{perm}"):
        return False
    return user.has_perm("inventory.act_on_any_location") or user.store_id == location.pk


def ensure_can_act(user: AnyUser, location: Location, perm: str) -> None:
    if not can_act_at(user, location, perm):
        raise PermissionDenied(f"You may not do this at {location.code}.", detail={"location": location.code})


def watchable_locations(user: AnyUser) -> QuerySet[Location]:
    """Locations whose live stock a user may follow: staff and managers any; a cashier their store and
    the other open stores (so they can say "two left at Bastia"), never the warehouse."""
    if not (is_signed_in(user) and user.is_active):
        return Location.objects.none()
    if user.has_perm("inventory.act_on_any_location"):
        return Location.objects.filter(is_active=True)
    if user.store_id and user.has_perm("inventory.view_stocklevel"):
        return Location.objects.filter(Q(pk=user.store_id) | Q(is_active=True, kind=LocationKind.STORE))
    return Location.objects.none()


def default_watched_locations(user: AnyUser) -> QuerySet[Location]:
    """What a socket follows when it names no location: a cashier's own store, else all it may watch."""
    national = is_signed_in(user) and user.has_perm("inventory.act_on_any_location")
    if is_signed_in(user) and user.store_id and not national:
        return watchable_locations(user).filter(pk=user.store_id)
    return watchable_locations(user)


def readable_location_codes(user: AnyUser, requested: list[str] | None) -> list[str]:
    """The one rule for reading stock, over REST (``GET /stock/``) and the websocket: the locations of
    ``watchable_locations``. ``requested`` codes outside it raise ``PermissionDenied``; none requested
    means all of it."""
    allowed = set(watchable_locations(user).values_list("code", flat=True))
    if not requested:
        return sorted(allowed)
    denied = sorted(set(requested) - allowed)
    if denied:
        raise PermissionDenied(
            f"You may not read the stock of {', '.join(denied)}.", detail={"location": denied}
        )
    return list(requested)
