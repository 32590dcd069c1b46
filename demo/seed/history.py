"""A year of past web and till orders for a few hundred demo customers: what recommendations learn from.

Imported history, as an ERP migration would bring it: the orders and lines are written in bulk
(``orders.services.archive.import_archived_orders``)
(placing 2,500 orders through ``orders.services`` takes minutes: reservations, payments, events),
marked completed, dated over the last 365 days. They move no stock, raise no event (no invoice, no
loyalty points): they happened before the platform. Only the customers' accounts are created
(unusable passwords, ``client-NNNN@history.demo.example``).

Shopping follows co-purchase patterns, so ``manage.py eval_recommendations`` means something: the
products of each category are grouped in *families* of five (a themed basket: a T-shirt with its
shorts, a cheese with its jam...), families are more or less popular (Zipf), and each customer
returns to two or three favourite families, with now and then a best-seller added to the basket.

Deterministic (``random.Random(seed)``), and skipped when it already ran or when the catalogue is
small (the tests seed 80 products: no history, nothing slower).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from catalog.models import Variant
from inventory import selectors as stock_selectors
from inventory.models import Location, LocationKind
from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus
from orders.services.archive import import_archived_orders

MIN_PRODUCTS = 300  # below this the demo has no history
CUSTOMERS = 300
FAMILY_SIZE = 5
FAMILIES = 160
DOMAIN = "history.demo.example"
CENT = Decimal("0.01")


def seed(*, seed: int = 42, customers: int = CUSTOMERS) -> int:
    """Create the history once; returns how many orders were written (0 when skipped)."""
    if (
        User.objects.filter(email__endswith=f"@{DOMAIN}").exists()
        or Order.objects.filter(number__startswith="H0001-").exists()
    ):
        return 0
    rows = list(
        Variant.objects.filter(is_active=True, product__is_published=True)
        .order_by("product_id", "position", "sku")
        .values_list(
            "pk", "product_id", "product__category_id", "sku", "product__name",
            "price_ht_override", "product__base_price_ht", "product__vat_rate__rate",
        )
    )  # fmt: skip
    first_variant: dict[int, tuple] = {}
    for row in rows:
        first_variant.setdefault(row[1], row)
    if len(first_variant) < MIN_PRODUCTS:
        return 0
    stocked = stock_selectors.products_in_stock(first_variant)
    stores = list(Location.objects.filter(kind=LocationKind.STORE, is_active=True).order_by("code"))
    warehouse = Location.objects.filter(kind=LocationKind.WAREHOUSE, is_active=True).order_by("code").first()
    if not stores or warehouse is None:
        return 0
    rng = random.Random(seed)
    by_category: dict[int, list[int]] = defaultdict(list)
    for product_id, row in first_variant.items():
        if product_id in stocked:
            by_category[row[2]].append(product_id)
    families: list[list[int]] = []
    for category in sorted(by_category):
        products = by_category[category]
        rng.shuffle(products)
        whole = len(products) - len(products) % FAMILY_SIZE  # a short last family is left out
        families += [products[i : i + FAMILY_SIZE] for i in range(0, whole, FAMILY_SIZE)]
    rng.shuffle(families)
    families = families[:FAMILIES]
    if not families:
        return 0
    zipf = [1 / (rank + 1) for rank in range(len(families))]
    best_sellers = [family[0] for family in families[:10]]
    now = timezone.now()
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    email=f"client-{n:04d}@{DOMAIN}",
                    first_name=f"Client {n:04d}",
                    last_name="Demo",
                    password="!",  # unusable: these customers never sign in
                )
                for n in range(1, customers + 1)
            ]
        )
        users = list(User.objects.filter(email__endswith=f"@{DOMAIN}").order_by("email"))
        orders: list[Order] = []
        baskets: list[list[tuple[int, int]]] = []
        for n, user in enumerate(users, start=1):
            favourites = _distinct_choices(rng, len(families), zipf, rng.randint(2, 3))
            home = stores[rng.randrange(len(stores))]
            count = rng.randint(4, 12)
            days = sorted(rng.sample(range(1, 366), count), reverse=True)
            for i, days_ago in enumerate(days, start=1):
                family = families[favourites[0] if rng.random() < 0.5 else rng.choice(favourites)]
                products = rng.sample(family, rng.randint(2, min(4, len(family))))
                if rng.random() < 0.3:
                    extra = rng.choice(best_sellers)
                    if extra not in products:
                        products.append(extra)
                web = rng.random() < 0.6
                orders.append(
                    Order(
                        number=f"H{n:04d}-{i:02d}",
                        channel=Channel.WEB if web else Channel.STORE,
                        status=OrderStatus.COMPLETED,
                        delivery_method=DeliveryMethod.HOME if web else DeliveryMethod.IN_STORE,
                        location=warehouse if web else home,
                        customer=user,
                        email=user.email,
                        created_at=now - dt.timedelta(days=days_ago, minutes=rng.randrange(600)),
                    )
                )
                baskets.append([(pk, rng.choice((1, 1, 1, 2))) for pk in products])
        lines: list[OrderLine] = []
        for order, basket in zip(orders, baskets, strict=True):
            net_sum = vat_sum = Decimal(0)
            for product_id, quantity in basket:
                variant_id, _, _, sku, name, override, base, rate = first_variant[product_id]
                unit = override if override is not None else base
                net = (unit * quantity).quantize(CENT, ROUND_HALF_UP)
                vat = (net * rate).quantize(CENT, ROUND_HALF_UP)
                net_sum, vat_sum = net_sum + net, vat_sum + vat
                lines.append(
                    OrderLine(
                        order=order, variant_id=variant_id, sku=sku, name=name, quantity=quantity,
                        unit_price_net=unit, vat_rate=rate, total_net=net, total_vat=vat,
                        total_gross=net + vat,
                    )
                )  # fmt: skip
            order.total_net, order.total_vat = net_sum, vat_sum
            order.total_gross = order.total_gross_eur = net_sum + vat_sum
        return import_archived_orders(orders=orders, lines=lines)


def _distinct_choices(rng: random.Random, size: int, weights: list[float], k: int) -> list[int]:
    chosen: list[int] = []
    while len(chosen) < min(k, size):
        pick = rng.choices(range(size), weights)[0]
        if pick not in chosen:
            chosen.append(pick)
    return chosen
