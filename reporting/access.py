"""Who sees which figures: managers (``reporting.view_chain_dashboard``) every location and channel,
store managers (``reporting.view_store_dashboard``) their own store (``user.store``), anyone else
nothing (``ReportForbidden``: the pages and the API answer 403).

**Shops.** Every fact carries its shop (``reporting.facts``): a web order's shop, none for a till sale
("the stores", shop key ``STORES``). A member of staff limited to some shops (``shops.StaffShopAccess``)
sees only those shops' figures, by default all of them together. The stores' till sales need store
access, given as it is for the dashboard: a store manager (``view_store_dashboard`` and ``user.store``)
limited to shops sees their store's till sales beside their shops' web orders there; a chain manager
limited to shops sees no till sale (the stores are not one of their shops: leave them without a limit
to see the stores). Asking for a shop outside that is ``ShopForbidden`` (403); a code that names no shop
is ``UnknownShop`` (400). Staff without a limit see every shop and the stores, and may pick one
(``?shop=<code>``, ``?shop=stores``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy

from core.errors import PermissionDenied, ValidationFailed

if TYPE_CHECKING:
    from django.db.models import QuerySet

STORES = 0  # the shop key of the stores' till sales (facts without a shop)
STORES_CODE = "stores"  # ``?shop=stores``: the stores' till sales (a shop with that code comes first)


class ReportForbidden(PermissionDenied):
    code = "reports_forbidden"
    default_message = "Only managers, and store managers for their store, see the reports."


class ShopForbidden(ReportForbidden):
    code = "shop_forbidden"
    default_message = "You do not see this shop's figures."


class UnknownShop(ValidationFailed):
    code = "unknown_shop"
    default_message = "No shop has this code."


class NotByShop(ReportForbidden):
    code = "report_not_by_shop"
    default_message = "This report is not split by shop: only staff who see every shop read it."


@dataclass(frozen=True)
class Scope:
    """``location_id`` None: the whole chain; else one store's figures only. ``shops``: the shop keys
    whose figures count (``STORES``: the till sales), None for every shop and the stores.
    ``shop_code``: the shop picked (``?shop=``), "" when none; ``shop_choices``: what the page's shop
    selector offers (code, name), empty when there is nothing to choose."""

    location_id: int | None = None
    shops: tuple[int, ...] | None = None
    shop_code: str = ""
    shop_choices: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def chain(self) -> bool:
        return self.location_id is None

    @property
    def all_shops(self) -> bool:
        return self.shops is None

    def shop_q(self, field: str = "shop") -> Q:
        """The rows of the scope's shops (``Q()`` for every shop)."""
        if self.shops is None:
            return Q()
        ids = [key for key in self.shops if key != STORES]
        found = Q(**{f"{field}_id__in": ids}) if ids else Q(pk__in=[])
        if STORES in self.shops:
            found |= Q(**{f"{field}__isnull": True})
        return found

    def filter(
        self, queryset: QuerySet[Any], field: str = "location_id", shop_field: str = "shop"
    ) -> QuerySet[Any]:
        if not self.chain:
            queryset = queryset.filter(**{field: self.location_id})
        return queryset if self.shops is None else queryset.filter(self.shop_q(shop_field))

    def require_all_shops(self) -> None:
        """For the reports that have no shop dimension (customers, conversion)."""
        if self.shops is not None:
            raise NotByShop()


def _location_scope(user: Any) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise ReportForbidden()
    if user.is_superuser or user.has_perm("reporting.view_chain_dashboard"):
        return Scope()
    store_id = getattr(user, "store_id", None)
    if store_id is not None and user.has_perm("reporting.view_store_dashboard"):
        return Scope(location_id=store_id)
    raise ReportForbidden()


def allowed_shops(user: Any, base: Scope) -> set[int] | None:
    """The shop keys ``user`` may read (``STORES`` included when they have access to stores); None:
    every shop. One query (``shops.selectors.shop_ids_for_staff``)."""
    from shops.selectors import shop_ids_for_staff

    ids = shop_ids_for_staff(user)
    if ids is None:
        return None
    keys = set(ids)
    if not base.chain:  # a store manager: their store's till sales
        keys.add(STORES)
    return keys


def scope_for(user: Any, shop: str | None = None) -> Scope:
    """The figures ``user`` may read, limited to the shop coded ``shop`` when given (``STORES_CODE``:
    the till sales). 403 (``ReportForbidden``, ``ShopForbidden``) or 400 (``UnknownShop``)."""
    from shops.selectors import all_shops

    base = _location_scope(user)
    allowed = allowed_shops(user, base)
    # The shops from the in-process snapshot: no query once warm.
    shops = [(info.id, info.code, info.name) for info in all_shops() if info.id is not None]
    choices = [(code, name) for pk, code, name in shops if allowed is None or pk in allowed]
    if allowed is None or STORES in allowed:
        choices.append((STORES_CODE, gettext("Stores (till sales)")))
    offered = tuple(choices) if len(shops) > 1 and len(choices) > 1 else ()
    code = (shop or "").strip()
    if not code:
        keys = None if allowed is None else tuple(sorted(allowed))
        return Scope(base.location_id, keys, "", offered)
    by_code = {row_code: pk for pk, row_code, _name in shops}
    if code in by_code:
        key = by_code[code]
    elif code == STORES_CODE:
        key = STORES
    else:
        known = ", ".join([*by_code, STORES_CODE])
        message = gettext_lazy("No shop has the code %(code)s. One of: %(known)s.")
        raise UnknownShop(
            message=str(message % {"code": code[:40], "known": known}),
            detail={"shop": [str(message % {"code": code[:40], "known": known})]},
        )
    if allowed is not None and key not in allowed:
        raise ShopForbidden()
    return Scope(base.location_id, (key,), code, offered)
