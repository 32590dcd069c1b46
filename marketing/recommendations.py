"""Item-to-item co-purchase recommendations across web and till sales ("For you", "You may also like").

How it scores:

- **Baskets.** Every bought order (paid and beyond, not cancelled or refunded; web and store
  channel alike) is a basket of products. Two products are *bought together* when they are in the
  same order (weight 1) or, for an identified customer, in two of their orders less than
  ``RECOMMENDATIONS_CUSTOMER_WINDOW_DAYS`` apart (weight ``WINDOW_WEIGHT``; 0 days turns it off).
- **Recency.** Each co-purchase counts ``0.5 ** (age_days / RECOMMENDATIONS_HALF_LIFE_DAYS)``,
  the age of the (later) order: what sells together now outweighs last year's habits.
- **Similarity.** ``sim(a, b) = C(a, b) / sqrt(P(a) * P(b))`` (cosine), ``C`` the decayed
  co-purchase weight, ``P`` a product's decayed number of baskets: a best-seller does not end up
  "bought with" everything.
- **A customer's recommendations** sum ``sim(seed, candidate)`` over what they bought, each seed
  weighted by the recency of its purchase. Products they already bought are left out unless they
  are *consumables*: products kept by lot (``Product.tracks_lots``: food, with an expiry date) are
  bought again, the others (clothes, shoes, crafts) are not. Unpublished products and products
  no active location has available (``inventory.selectors.products_in_stock``) are left out too.
- **Fallback.** When the history gives fewer than ``limit`` candidates (a new customer, a product
  nobody bought), the list is topped up with the most popular products (decayed basket count).

The model is computed from ONE query over order lines and cached per day (Django's cache, keyed by
the day and a fingerprint of the bought orders, so a new sale is seen at once in tests and the
next computation in production). ``manage.py eval_recommendations`` measures it against the
popularity baseline (``evaluate``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from accounts.models import User
from catalog.models import Product
from inventory import selectors as stock_selectors
from orders.models import Order, OrderLine, OrderStatus

BOUGHT_STATUSES = (
    OrderStatus.PAID,
    OrderStatus.READY_FOR_PICKUP,
    OrderStatus.SHIPPED,
    OrderStatus.COMPLETED,
)
WINDOW_WEIGHT = 0.5  # two orders of the same customer close in time count half an order
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Purchase:
    """One product of one bought order (several lines of the same product count once)."""

    order_id: int
    customer_id: int | None
    product_id: int
    at: dt.datetime
    consumable: bool = False  # kept by lot (food): bought again and again


@dataclass
class Model:
    """Decayed popularity and co-purchase similarity, plus what each customer bought."""

    popularity: dict[int, float] = field(default_factory=dict)
    similar: dict[int, dict[int, float]] = field(default_factory=dict)
    bought: dict[int, dict[int, float]] = field(default_factory=dict)  # customer -> product -> recency
    consumables: frozenset[int] = frozenset()

    def ranked_popular(self) -> list[int]:
        return sorted(self.popularity, key=lambda pk: (-self.popularity[pk], pk))

    def score(self, seeds: dict[int, float]) -> dict[int, float]:
        scores: dict[int, float] = defaultdict(float)
        for seed, weight in seeds.items():
            for other, sim in self.similar.get(seed, {}).items():
                scores[other] += weight * sim
        return scores


def _decay(age_days: float, half_life_days: float) -> float:
    return float(0.5 ** (max(age_days, 0.0) / half_life_days))


def build_model(
    purchases: Iterable[Purchase],
    *,
    now: dt.datetime,
    half_life_days: float | None = None,
    window_days: int | None = None,
) -> Model:
    """The model from purchases (pure computation: ``evaluate`` trains it on part of the history)."""
    half_life = float(half_life_days or settings.RECOMMENDATIONS_HALF_LIFE_DAYS)
    window = settings.RECOMMENDATIONS_CUSTOMER_WINDOW_DAYS if window_days is None else window_days
    baskets: dict[int, tuple[int | None, dt.datetime, set[int]]] = {}
    consumables: set[int] = set()
    for p in purchases:
        if p.consumable:
            consumables.add(p.product_id)
        basket = baskets.setdefault(p.order_id, (p.customer_id, p.at, set()))
        basket[2].add(p.product_id)
    popularity: dict[int, float] = defaultdict(float)
    co: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    bought: dict[int, dict[int, float]] = defaultdict(dict)
    by_customer: dict[int, list[tuple[dt.datetime, set[int]]]] = defaultdict(list)
    for customer_id, at, products in baskets.values():
        weight = _decay((now - at).total_seconds() / 86400, half_life)
        for a in products:
            popularity[a] += weight
            for b in products:
                if a != b:
                    co[a][b] += weight
        if customer_id is not None:
            by_customer[customer_id].append((at, products))
            mine = bought[customer_id]
            for a in products:
                mine[a] = max(mine.get(a, 0.0), weight)
    if window > 0:
        span = dt.timedelta(days=window)
        for orders in by_customer.values():
            orders.sort(key=lambda o: o[0])
            for i, (at_i, products_i) in enumerate(orders):
                for at_j, products_j in orders[i + 1 :]:
                    if at_j - at_i > span:
                        break
                    weight = WINDOW_WEIGHT * _decay((now - at_j).total_seconds() / 86400, half_life)
                    for a in products_i:
                        for b in products_j:
                            if a != b:
                                co[a][b] += weight
                                co[b][a] += weight
    similar = {
        a: {b: c / math.sqrt(popularity[a] * popularity[b]) for b, c in row.items()} for a, row in co.items()
    }
    return Model(
        popularity=dict(popularity),
        similar=similar,
        bought=dict(bought),
        consumables=frozenset(consumables),
    )


def purchase_rows(orders: Iterable[Order] | None = None) -> list[Purchase]:
    """Every product of every bought order, both channels: one query."""
    lines = OrderLine.objects.filter(order__status__in=BOUGHT_STATUSES)
    if orders is not None:
        lines = lines.filter(order__in=orders)
    return [
        Purchase(order_id=order_id, customer_id=customer_id, product_id=product_id, at=at, consumable=lots)
        for order_id, customer_id, product_id, at, lots in lines.values_list(
            "order_id",
            "order__customer_id",
            "variant__product_id",
            "order__created_at",
            "variant__product__tracks_lots",
        )
        .order_by("order_id", "variant__product_id")
        .distinct()
    ]


def current_model() -> Model:
    """Today's model, from the cache when the bought orders have not changed (1 query), else
    computed (1 query more)."""
    fingerprint = Order.objects.filter(status__in=BOUGHT_STATUSES).aggregate(
        n=Count("pk"), last=Max("updated_at"), top=Max("pk")
    )
    last = fingerprint["last"].timestamp() if fingerprint["last"] else 0
    key = f"marketing:reco:{timezone.localdate().isoformat()}:{fingerprint['n']}:{fingerprint['top']}:{last}"
    model = cache.get(key)
    if isinstance(model, Model):
        return model
    model = build_model(purchase_rows(), now=timezone.now())
    cache.set(key, model, CACHE_SECONDS)
    return model


def rank(
    model: Model,
    *,
    seeds: dict[int, float],
    exclude: Collection[int] = (),
    limit: int = 10,
    allowed: Collection[int] | None = None,
    fallback: bool = True,
) -> list[int]:
    """Product ids by co-purchase score, then by popularity when there are not enough; never one of
    ``exclude``; only ``allowed`` ones when given (pure: no query)."""
    scores = model.score(seeds)
    excluded = set(exclude)

    def ok(pk: int) -> bool:
        return pk not in excluded and (allowed is None or pk in allowed)

    ranked = [pk for pk in sorted(scores, key=lambda pk: (-scores[pk], pk)) if ok(pk)][:limit]
    if fallback and len(ranked) < limit:
        chosen = set(ranked)
        for pk in model.ranked_popular():
            if len(ranked) == limit:
                break
            if pk not in chosen and ok(pk):
                ranked.append(pk)
    return ranked


def already_bought_exclusions(model: Model, customer_id: int) -> set[int]:
    """What the customer bought that they will not buy twice (not a consumable)."""
    return {pk for pk in model.bought.get(customer_id, {}) if pk not in model.consumables}


def _sellable(candidates: Iterable[int]) -> set[int]:
    """Published products some active location has available: 2 queries."""
    ids = list(candidates)
    if not ids:
        return set()
    published = set(Product.objects.filter(pk__in=ids, is_published=True).values_list("pk", flat=True))
    return stock_selectors.products_in_stock(published) if published else set()


def _pick(model: Model, *, seeds: dict[int, float], exclude: set[int], limit: int) -> list[int]:
    # Rank more than needed, keep the sellable ones; widen once if stock-outs ate too many.
    for width in (limit * 3, limit * 20):
        candidates = rank(model, seeds=seeds, exclude=exclude, limit=width)
        sellable = _sellable(candidates)
        picked = [pk for pk in candidates if pk in sellable][:limit]
        if len(picked) == limit or len(candidates) < width:
            return picked
    return picked


def recommend_for_customer(user: User, limit: int = 10) -> list[int]:
    """Product ids "for you": from everything the customer bought on the web and at the tills."""
    model = current_model()
    seeds = model.bought.get(user.pk, {})
    return _pick(model, seeds=dict(seeds), exclude=already_bought_exclusions(model, user.pk), limit=limit)


def recommend_for_customers(customer_ids: Iterable[int], *, limit: int = 10) -> dict[int, list[int]]:
    """``recommend_for_customer`` for many customers at once (a campaign batch): the model is read
    once and stock is checked once for every candidate (3 queries, whatever the number)."""
    model = current_model()
    width = limit * 3
    ranked: dict[int, list[int]] = {}
    for customer_id in customer_ids:
        seeds = model.bought.get(customer_id, {})
        ranked[customer_id] = rank(
            model, seeds=dict(seeds), exclude=already_bought_exclusions(model, customer_id), limit=width
        )
    sellable = _sellable({pk for ids in ranked.values() for pk in ids})
    return {customer_id: [pk for pk in ids if pk in sellable][:limit] for customer_id, ids in ranked.items()}


def recommend_for_products(
    product_ids: Iterable[int],
    *,
    exclude: Iterable[int] = (),
    limit: int = 10,
    user: User | AnonymousUser | None = None,
) -> list[int]:
    """Product ids to go with these (the cart): never one of them nor of ``exclude``; for a signed-in
    shopper, not what they already bought either (non-consumables)."""
    model = current_model()
    seeds = dict.fromkeys(product_ids, 1.0)
    excluded = set(seeds) | set(exclude)
    if isinstance(user, User):
        excluded |= already_bought_exclusions(model, user.pk)
    return _pick(model, seeds=seeds, exclude=excluded, limit=limit)


# --- offline evaluation: hold out each customer's last order --------------------------------------


@dataclass(frozen=True)
class Score:
    name: str
    hit_rate: float  # share of held-out customers with one of their last order's products in the top k
    coverage: float  # share of the published catalogue recommended to someone
    customers: int
    recommended: int


@dataclass(frozen=True)
class Evaluation:
    k: int
    customers: int
    train_orders: int
    catalogue: int
    scores: Sequence[Score]


def evaluate(*, k: int = 10, now: dt.datetime | None = None) -> Evaluation:
    """Leave-last-order-out: each identified customer's last bought order is held out, both
    recommenders are trained on every other order (both channels, anonymous till sales too), and
    asked for ``k`` products for that customer. A hit: one product of the held-out order is among
    them. Already-bought non-consumables are left out by both; stock is not considered (it is
    today's, not the day of the held-out order). 2 queries."""
    now = now or timezone.now()
    purchases = purchase_rows()
    last_order: dict[int, tuple[dt.datetime, int]] = {}
    for p in purchases:
        if p.customer_id is not None:
            current = last_order.get(p.customer_id)
            if current is None or (p.at, p.order_id) > current:
                last_order[p.customer_id] = (p.at, p.order_id)
    held_ids = {order_id for _, order_id in last_order.values()}
    held: dict[int, set[int]] = defaultdict(set)
    train: list[Purchase] = []
    for p in purchases:
        if p.order_id in held_ids and p.customer_id is not None:
            held[p.customer_id].add(p.product_id)
        else:
            train.append(p)
    model = build_model(train, now=now)
    published = set(Product.objects.filter(is_published=True).values_list("pk", flat=True))
    customers = [c for c in sorted(held) if c in model.bought]  # a history to learn from
    popular = [pk for pk in model.ranked_popular() if pk in published]
    results: dict[str, tuple[int, set[int]]] = {"co-purchase": (0, set()), "popularity": (0, set())}
    for customer in customers:
        exclude = already_bought_exclusions(model, customer)
        lists = {
            "co-purchase": rank(
                model, seeds=dict(model.bought[customer]), exclude=exclude, limit=k, allowed=published
            ),
            "popularity": [pk for pk in popular if pk not in exclude][:k],
        }
        for name, recommended in lists.items():
            hits, seen = results[name]
            seen.update(recommended)
            results[name] = (hits + (1 if held[customer] & set(recommended) else 0), seen)
    n = len(customers)
    return Evaluation(
        k=k,
        customers=n,
        train_orders=len({p.order_id for p in train}),
        catalogue=len(published),
        scores=[
            Score(
                name=name,
                hit_rate=hits / n if n else 0.0,
                coverage=len(seen) / len(published) if published else 0.0,
                customers=n,
                recommended=len(seen),
            )
            for name, (hits, seen) in results.items()
        ],
    )
