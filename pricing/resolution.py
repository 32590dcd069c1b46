"""The one rule for which price list entry applies (``unit_prices``, ``best_entries`` and the B2B
quantity breaks all use it).

For a variant and a customer, the candidate entries are those of the active lists that match: the
channel (or any), the store (or any), the shop (or none: a list of another shop never applies, and
without a shop, as at the till, only the lists without one do), the dates, the customer's company
(or none), its group (or none). Among them, in this order:

1. the most specific list: the customer's company (rank 4), then its group (rank 3), then the
   request's shop (rank 2), then the lists for everybody (rank 1) — a company's negotiated price is
   not beaten by a general list with a higher priority, nor a group's by a shop's. A list naming
   several of them ranks by the most specific (a group list of one shop is a group list);
2. the highest ``priority``;
3. the largest quantity break (``min_quantity``) the line's quantity reaches;
4. the lowest price.

No candidate: the catalog price.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from .models import Channel, PriceListEntry

if TYPE_CHECKING:
    from accounts.models import Company, CustomerGroup
    from inventory.models import Location

RANK_COMPANY, RANK_GROUP, RANK_SHOP, RANK_ANYONE = 4, 3, 2, 1


def candidates(
    *,
    variant_ids: Iterable[int],
    customer_group: CustomerGroup | None,
    company: Company | None,
    channel: str,
    location: Location | None,
    at: dt.datetime,
    max_quantity: int | None = 1,
    shop_id: int | None = None,
) -> QuerySet[PriceListEntry, Any]:
    """The matching entries, best first per variant (ordered by variant). ``max_quantity`` drops the
    breaks no line reaches (None keeps every break: the product page's "from 10 units" table).
    ``shop_id``: the request's shop (``ShopInfo.id``); None: only the lists of no shop."""
    group_q = Q(price_list__customer_group__isnull=True)
    if customer_group is not None:
        group_q |= Q(price_list__customer_group=customer_group)
    company_q = Q(price_list__company__isnull=True)
    if company is not None:
        company_q |= Q(price_list__company=company)
    location_q = Q(price_list__location__isnull=True)
    if location is not None:
        location_q |= Q(price_list__location=location)
    shop_q = Q(price_list__shop__isnull=True)
    if shop_id is not None:
        shop_q |= Q(price_list__shop_id=shop_id)
    entries = (
        PriceListEntry.objects.filter(
            variant_id__in=list(variant_ids),
            price_list__is_active=True,
            price_list__channel__in=[Channel.ANY, channel],
        )
        .filter(group_q, company_q, location_q, shop_q)
        .filter(Q(price_list__starts_at__isnull=True) | Q(price_list__starts_at__lte=at))
        .filter(Q(price_list__ends_at__isnull=True) | Q(price_list__ends_at__gt=at))
    )
    if max_quantity is not None:
        entries = entries.filter(min_quantity__lte=max(max_quantity, 1))
    return entries.annotate(
        rank=Case(
            When(price_list__company__isnull=False, then=Value(RANK_COMPANY)),
            When(price_list__customer_group__isnull=False, then=Value(RANK_GROUP)),
            When(price_list__shop__isnull=False, then=Value(RANK_SHOP)),
            default=Value(RANK_ANYONE),
            output_field=IntegerField(),
        )
    ).order_by("variant_id", "-rank", "-price_list__priority", "-min_quantity", "price_ht")


def pick(rows: Iterable[Any], quantities: Mapping[int, int] | None = None) -> dict[int, Any]:
    """The winning row per variant from ``candidates`` (rows with ``variant_id`` and ``min_quantity``):
    the first one whose break the variant's quantity reaches (1 when not given)."""
    best: dict[int, Any] = {}
    for row in rows:
        variant_id = row.variant_id
        if variant_id in best:
            continue
        wanted = quantities.get(variant_id, 1) if quantities else 1
        if row.min_quantity <= max(wanted, 1):
            best[variant_id] = row
    return best
