"""Order routing: which location ships each line of a home-delivery order. The one place of the rule.

1. The warehouse, when it has every line.
2. Else one store (active, sells online) that has every line: ship-from-store. When several do, the
   one with the most units left after the order (summed over the order's variants) wins, then the
   store's code (alphabetical), so the choice is stable.
3. Else a split in two shipments: the warehouse takes the lines it has in full, one store the rest
   (the same "most units left" choice among the stores that have all of the rest).
4. Else nowhere: home delivery is not offered.

A line is never cut between two locations (each order line has one reservation). ``route_lines`` is a
pure function of availability (no query); ``plan_route`` reads the availability (one query) and
calls it; ``describe_route`` gives the rule's words, stored on the shipments and shown on the order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from inventory import selectors as stock
from inventory.models import Location, LocationKind


class RouteKind:
    WAREHOUSE = "warehouse"
    STORE = "store"
    SPLIT = "split"


@dataclass(frozen=True)
class RouteLine:
    """One line to route: a variant, its SKU (for the words) and the quantity."""

    variant_id: int
    sku: str
    quantity: int


@dataclass(frozen=True)
class Leg:
    """The lines (indexes into the routed lines) one location ships."""

    location: Location
    indexes: tuple[int, ...]


@dataclass(frozen=True)
class Route:
    kind: str
    legs: tuple[Leg, ...]
    skus: tuple[str, ...]  # the routed lines' SKUs, in order
    warehouse_lacks: tuple[str, ...] = ()  # SKUs the warehouse could not cover in full

    @property
    def main_location(self) -> Location:
        """The order's location: the first leg (the warehouse in a split)."""
        return self.legs[0].location

    def location_of(self, index: int) -> Location:
        for leg in self.legs:
            if index in leg.indexes:
                return leg.location
        raise IndexError(index)

    def line_locations(self) -> list[Location]:
        return [self.location_of(i) for i in range(len(self.skus))]

    def describe(self) -> str:
        return describe_route(self)


Availability = Mapping[tuple[int, int], int]  # (variant id, location id) -> units available


def route_lines(
    *,
    lines: Sequence[RouteLine],
    warehouse: Location | None,
    stores: Sequence[Location],
    available: Availability,
) -> Route | None:
    """The route of ``lines`` (see the module's rule), or None when no one or two locations cover them.

    ``stores`` are the candidate stores (the caller passes the active ones that sell online);
    ``available`` the units available per (variant, location), as ``inventory.selectors`` gives them.
    """
    if not lines:
        return None
    skus = tuple(line.sku for line in lines)
    needed = _needed(lines)
    everything = tuple(range(len(lines)))

    def covers(location: Location, indexes: Sequence[int]) -> bool:
        want = _needed([lines[i] for i in indexes])
        return all(available.get((variant, location.pk), 0) >= qty for variant, qty in want.items())

    def best_store(indexes: Sequence[int]) -> Location | None:
        want = _needed([lines[i] for i in indexes])
        candidates = [store for store in stores if covers(store, indexes)]
        if not candidates:
            return None
        return min(
            candidates,
            key=lambda store: (
                -sum(available.get((variant, store.pk), 0) - qty for variant, qty in want.items()),
                store.code,
            ),
        )

    if warehouse is not None and covers(warehouse, everything):
        return Route(kind=RouteKind.WAREHOUSE, legs=(Leg(warehouse, everything),), skus=skus)
    lacks = tuple(
        dict.fromkeys(
            line.sku
            for line in lines
            if warehouse is None
            or available.get((line.variant_id, warehouse.pk), 0) < needed[line.variant_id]
        )
    )
    store = best_store(everything)
    if store is not None:
        return Route(kind=RouteKind.STORE, legs=(Leg(store, everything),), skus=skus, warehouse_lacks=lacks)
    if warehouse is None:
        return None
    at_warehouse = tuple(
        i
        for i, line in enumerate(lines)
        if available.get((line.variant_id, warehouse.pk), 0) >= needed[line.variant_id]
    )
    rest = tuple(i for i in everything if i not in at_warehouse)
    if not at_warehouse:
        return None
    store = best_store(rest)
    if store is None:
        return None
    return Route(
        kind=RouteKind.SPLIT,
        legs=(Leg(warehouse, at_warehouse), Leg(store, rest)),
        skus=skus,
        warehouse_lacks=lacks,
    )


def describe_route(route: Route) -> str:
    """The rule's words for ``route``: "Warehouse has every line", "Shipped from store Ajaccio: the
    warehouse lacks TEE", "Split: the warehouse ships TEE; store Bastia ships MUG"."""
    if route.kind == RouteKind.WAREHOUSE:
        return _("Warehouse has every line")
    if route.kind == RouteKind.STORE:
        return _("Shipped from store %(store)s: the warehouse lacks %(skus)s") % {
            "store": route.main_location.name,
            "skus": ", ".join(route.warehouse_lacks),
        }
    first, second = route.legs
    return _("Split: the warehouse ships %(first)s; store %(store)s ships %(second)s") % {
        "first": ", ".join(dict.fromkeys(route.skus[i] for i in first.indexes)),
        "store": second.location.name,
        "second": ", ".join(dict.fromkeys(route.skus[i] for i in second.indexes)),
    }


def home_warehouse() -> Location | None:
    """The warehouse home delivery starts from (active, sells online; the first by code)."""
    return (
        Location.objects.filter(kind=LocationKind.WAREHOUSE, sells_online=True, is_active=True)
        .order_by("code")
        .first()
    )


def shipping_stores() -> list[Location]:
    """Stores that may ship an order (ship-from-store): active and selling online."""
    return list(
        Location.objects.filter(kind=LocationKind.STORE, sells_online=True, is_active=True).order_by("code")
    )


def plan_route(
    *,
    lines: Sequence[RouteLine],
    warehouse: Location | None,
    stores: Sequence[Location] | None = None,
    available: Availability | None = None,
) -> Route | None:
    """``route_lines`` with today's availability (one query when ``available`` is not given)."""
    stores = shipping_stores() if stores is None else list(stores)
    if available is None:
        location_ids = [store.pk for store in stores] + ([warehouse.pk] if warehouse else [])
        available = stock.available_by_location(
            variant_ids={line.variant_id for line in lines}, location_ids=location_ids
        )
    return route_lines(lines=lines, warehouse=warehouse, stores=stores, available=available)


def _needed(lines: Sequence[RouteLine]) -> dict[int, int]:
    """Units per variant (a variant on two lines needs both quantities at one place)."""
    needed: dict[int, int] = {}
    for line in lines:
        needed[line.variant_id] = needed.get(line.variant_id, 0) + line.quantity
    return needed
