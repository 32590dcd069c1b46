"""A year of sales across the four stores and the web: what the KPI dashboard tells.

Imported history (``orders.services.archive.import_archived_orders``, as an ERP migration brings
it): walk-in till sales in every store and web orders (home delivery from the warehouse, click &
collect in a store), dated over the 365 days before today, a batch of days per transaction. Each
batch publishes ``OrdersArchived``: reporting refreshes its facts after the commit (the Celery task,
eager in the demo), so the dashboard is filled when the seed ends.

The story: a summer season (the island's tourists) and a December peak, Saturdays busy in the
stores and Sunday evenings on the web, Ajaccio the biggest store and Calvi the smallest, the web
growing through the year; a few best-sellers (Zipf) and a third of the till sales identified (the
history customers). Variants get a cost price first (``ensure_cost_prices``) so margins show.

Archived orders carry no payments or tenders (the payments page starts with the platform's own
sales) and move no stock. Deterministic (``random.Random(seed)``); skipped when it already ran or
when the catalogue is small (the tests).
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from catalog.models import Variant
from inventory.models import Location, LocationKind
from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus
from orders.services.archive import import_archived_orders

from .history import DOMAIN, MIN_PRODUCTS

PREFIX = "Y"  # Y<yymmdd>-<location>-<n>
CENT = Decimal("0.01")
STORE_DAILY = {"AJA": 8.0, "BAS": 6.5, "PVE": 5.0}  # mean till sales a day; other stores: 3.5
WEB_DAILY = 5.0
MONTH = [0.7, 0.65, 0.75, 0.85, 1.0, 1.2, 1.7, 1.9, 1.1, 0.85, 0.9, 1.6]  # January .. December
STORE_WEEKDAY = [0.8, 0.85, 0.9, 0.95, 1.1, 1.6, 0.4]  # Monday .. Sunday
WEB_WEEKDAY = [1.1, 1.0, 1.0, 1.0, 0.9, 0.85, 1.25]
STORE_HOURS: dict[int, float] = {9: 3, 10: 6, 11: 9, 12: 8, 13: 4, 14: 5, 15: 6, 16: 8, 17: 10, 18: 9, 19: 4}
WEB_HOURS = dict(enumerate([1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 2, 3, 3.5, 4, 4, 4.5, 5, 4, 4, 4, 4.5,
                            5, 6, 7.5, 8, 6, 3]))  # fmt: skip
DAYS_PER_BATCH = 30


def ensure_cost_prices() -> int:
    """A cost price (EUR HT) on every variant without one: 38 % to 62 % of its price, the same every
    run (from the SKU); one variant in fifty stays without (margins are over the costed units)."""
    changed = []
    for variant in (
        Variant.objects.filter(cost_price_ht__isnull=True)
        .select_related("product")
        .only("sku", "price_ht_override", "cost_price_ht", "product__base_price_ht")
    ):
        mark = zlib.crc32(variant.sku.encode())
        if mark % 50 == 0:
            continue
        price = variant.price_ht_override
        if price is None:
            price = variant.product.base_price_ht
        variant.cost_price_ht = (price * Decimal(38 + mark % 25) / 100).quantize(CENT, ROUND_HALF_UP)
        changed.append(variant)
    Variant.objects.bulk_update(changed, ["cost_price_ht"], batch_size=2000)
    return len(changed)


def seed(*, seed: int = 42) -> int:
    """Write the year once; returns how many orders were written (0 when skipped)."""
    if Order.objects.filter(number__startswith=f"{PREFIX}2").exists():
        return 0
    catalogue = list(
        Variant.objects.filter(is_active=True, product__is_published=True)
        .order_by("sku")
        .values_list("pk", "sku", "product__name", "price_ht_override", "product__base_price_ht",
                     "product__vat_rate__rate")
    )  # fmt: skip
    stores = list(Location.objects.filter(kind=LocationKind.STORE, is_active=True).order_by("code"))
    warehouse = Location.objects.filter(kind=LocationKind.WAREHOUSE, is_active=True).order_by("code").first()
    if len({row[2] for row in catalogue}) < MIN_PRODUCTS or not stores or warehouse is None:
        return 0
    ensure_cost_prices()
    rng = random.Random(seed)
    rng.shuffle(catalogue)  # the popularity rank
    cum_popularity: list[float] = []
    total = 0.0
    for rank in range(len(catalogue)):
        total += 1 / (rank + 1) ** 0.8
        cum_popularity.append(total)
    customers = list(User.objects.filter(email__endswith=f"@{DOMAIN}").order_by("email"))
    today = timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in range(365, 0, -1)]
    written = 0
    for start in range(0, len(days), DAYS_PER_BATCH):
        orders: list[Order] = []
        lines: list[OrderLine] = []
        for day in days[start : start + DAYS_PER_BATCH]:
            season = MONTH[day.month - 1] * (1 + 0.1 * (day - days[0]).days / 365)
            for store in stores:
                mean = STORE_DAILY.get(store.code, 3.5) * season * STORE_WEEKDAY[day.weekday()]
                for n in range(_count(rng, mean)):
                    customer = rng.choice(customers) if customers and rng.random() < 0.33 else None
                    suffix = f"{day:%y%m%d}-{store.code}-{n}"
                    orders.append(_order(rng, suffix, Channel.STORE, DeliveryMethod.IN_STORE, store,
                                         customer, day, STORE_HOURS))  # fmt: skip
            web_growth = 1 + 0.6 * (day - days[0]).days / 365
            mean = WEB_DAILY * MONTH[day.month - 1] * WEB_WEEKDAY[day.weekday()] * web_growth
            for n in range(_count(rng, mean)):
                collect = rng.random() < 0.25
                customer = rng.choice(customers) if customers else None
                orders.append(
                    _order(rng, f"{day:%y%m%d}-WEB-{n}", Channel.WEB,
                           DeliveryMethod.CLICK_AND_COLLECT if collect else DeliveryMethod.HOME,
                           rng.choice(stores) if collect else warehouse, customer, day, WEB_HOURS)
                )  # fmt: skip
        for order in orders:
            net_sum = vat_sum = Decimal(0)
            count = rng.choices((1, 2, 3, 4, 5), (35, 28, 18, 11, 8))[0]
            for pk, sku, name, override, base, rate in {
                row[0]: row for row in rng.choices(catalogue, cum_weights=cum_popularity, k=count)
            }.values():
                quantity = rng.choices((1, 2, 3), (85, 12, 3))[0]
                unit = override if override is not None else base
                net = (unit * quantity).quantize(CENT, ROUND_HALF_UP)
                vat = (net * rate).quantize(CENT, ROUND_HALF_UP)
                net_sum, vat_sum = net_sum + net, vat_sum + vat
                lines.append(
                    OrderLine(order=order, variant_id=pk, sku=sku, name=name, quantity=quantity,
                              unit_price_net=unit, vat_rate=rate, total_net=net, total_vat=vat,
                              total_gross=net + vat)
                )  # fmt: skip
            order.total_net, order.total_vat = net_sum, vat_sum
            order.total_gross = order.total_gross_eur = net_sum + vat_sum
        with transaction.atomic():  # the reports refresh after this commit
            written += import_archived_orders(orders=orders, lines=lines)
    return written


def _count(rng: random.Random, mean: float) -> int:
    """About ``mean`` (a day is never exactly average)."""
    return max(0, round(rng.gauss(mean, mean**0.5)))


def _order(
    rng: random.Random,
    suffix: str,
    channel: str,
    method: str,
    location: Location,
    customer: User | None,
    day: dt.date,
    hours: dict[int, float],
) -> Order:
    hour = rng.choices(list(hours), list(hours.values()))[0]
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60))))
    return Order(
        number=f"{PREFIX}{suffix}",
        channel=channel,
        status=OrderStatus.COMPLETED,
        delivery_method=method,
        location=location,
        customer=customer,
        email=customer.email if customer else "",
        created_at=at,
    )
