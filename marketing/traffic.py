"""Storefront traffic and conversion, counted on the server: no tracker, no cookie of our own.

What is counted, per local day x device class (mobile, tablet, desktop) x language x step:

- ``visit``: every storefront HTML page shown (``events``: page views), the visits (``sessions``)
  and the distinct visitors of the day (``visitors``);
- ``product``: product pages shown (a page served from the page cache counts too: the view runs),
  ``cart``: products added to a cart, ``checkout``: the checkout page shown with a cart,
  ``paid``: storefront orders paid. For these, ``events`` is how many times, ``sessions`` how many
  visits reached the step at least once (the funnel reads sessions).

Who is who, without storing personal data:

- a **visitor** is a salted hash of (IP address, user agent); the salt is random, lives in the cache
  for the day only (``SALT_TTL``) and is never written to the database, so yesterday's hashes cannot
  be linked to today's or back to an address. Only counts reach the database.
- a **visit (session)** is a window of activity that ends after ``VISIT_SECONDS`` (30 minutes)
  without a page. It is keyed by the Django session key when the shopper has a session, else by the
  visitor hash; a shopper whose session starts mid-visit (the first add to cart) keeps their visit
  (the hash's window is looked up too). So are visitors whose key changed at sign-in. Two people
  behind one address with the same browser, at the same time, count as one.
- bots are not counted: HEAD requests, an empty user agent, or one that names a bot, crawler,
  spider... (``BOT_PATTERN``).

Speed: no database write on a page. A request costs three cache round trips (the visit's window:
one ``get_many``, one ``set_many``; its counters: one pipeline of INCRBY on Redis), plus one or two
at the start of a visit and at a product's first view of the day. Counters are buffered in the cache and
``flush()`` (Celery beat, ``marketing.tasks.flush_traffic``, every minute) adds them to
``TrafficDay`` / ``ProductViewDay`` and takes them off the cache: flushing twice adds nothing more.
A crash between the database commit and taking the counters off could count a minute twice; a
failing database write puts them back. With a process-local cache (the demo's locmem, where no
worker sees the web process's counters) the web process flushes itself at most once a minute.

Paid orders: the checkout view notes which visit placed the order (``note_order``: device and
language, kept ``ORDER_TTL`` in the cache); the ``order.paid`` subscriber (``marketing.subscribers``)
counts it on the payment's day, once (``count_paid``). Orders from elsewhere (tills, the ERP, an
order whose note expired) are not storefront conversions and are not counted here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.ratelimit import client_ip

from .traffic_models import Device, ProductViewDay, Step, TrafficDay

__all__ = ["Device", "ProductViewDay", "Step", "TrafficDay", "count_paid", "flush", "note_order", "note_step"]

logger = logging.getLogger(__name__)

PREFIX = "tr:"
VISIT_SECONDS = 30 * 60
SALT_TTL = 26 * 3600
COUNTER_TTL = 4 * 24 * 3600  # a counter the flush never took (beat down for days) is dropped
ORDER_TTL = 3 * 24 * 3600
FLUSH_DAYS = 3  # the flush looks at today's counters and the two days before
FLUSH_LOCK_SECONDS = 50
LOCAL_FLUSH_SECONDS = 60
BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|scrap|headless|lighthouse|pingdom|monitor|preview|fetch|curl|wget|"
    r"python-|httpclient|http-client|java/|go-http|okhttp|facebookexternalhit|bingpreview",
    re.IGNORECASE,
)
TABLET_PATTERN = re.compile(r"ipad|tablet|kindle|silk|playbook|(android(?!.*mobile))", re.IGNORECASE)
MOBILE_PATTERN = re.compile(r"mobi|iphone|ipod|android|blackberry|opera mini|iemobile", re.IGNORECASE)


FUNNEL = (Step.PRODUCT, Step.CART, Step.CHECKOUT, Step.PAID)
MEASURES = ("events", "sessions", "visitors")


# --- who is asking ------------------------------------------------------------------------------


def is_bot(request: Any) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "")
    return request.method == "HEAD" or not agent.strip() or bool(BOT_PATTERN.search(agent))


def device_class(user_agent: str) -> str:
    if TABLET_PATTERN.search(user_agent):
        return Device.TABLET
    if MOBILE_PATTERN.search(user_agent):
        return Device.MOBILE
    return Device.DESKTOP


def language_of(request: Any) -> str:
    code = (getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE).split("-")[0].lower()
    known = {c for c, _name in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE.split("-")[0]


_salts: dict[str, str] = {}


def _salt(day: dt.date) -> str:
    """Today's random salt: one per day shared by every process through the cache, forgotten after."""
    key = f"{PREFIX}salt:{day.isoformat()}"
    salt = _salts.get(key)
    if salt is None:
        cache.add(key, secrets.token_hex(16), SALT_TTL)
        salt = cache.get(key) or secrets.token_hex(16)  # the cache down: a salt for this process
        _salts.clear()
        _salts[key] = salt
    return salt


def visitor_hash(request: Any, day: dt.date) -> str:
    raw = f"{_salt(day)}|{client_ip(request)}|{request.META.get('HTTP_USER_AGENT', '')}"
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


# --- what a request did -------------------------------------------------------------------------


@dataclass
class _Notes:
    steps: list[str]
    products: list[tuple[int, bool]]
    orders: list[int]


def _notes(request: Any) -> _Notes:
    notes = getattr(request, "_traffic_notes", None)
    if notes is None:
        notes = _Notes(steps=[], products=[], orders=[])
        request._traffic_notes = notes
    return notes


def note_step(request: Any, step: str, *, product_id: int | None = None, sold_out: bool = False) -> None:
    """Called by a storefront view: this request reached ``step`` (counted by ``count_request``).

    No I/O here: the storefront's traffic middleware counts everything once the response is ready."""
    notes = _notes(request)
    notes.steps.append(step)
    if product_id is not None:
        notes.products.append((product_id, sold_out))


def note_order(request: Any, *, order_id: int) -> None:
    """The checkout view placed this order: remember the visit's device and language for its payment."""
    _notes(request).orders.append(order_id)


def _counter(day: dt.date, device: str, language: str, step: str, measure: str) -> str:
    return f"{PREFIX}c:{day.isoformat()}:{device}:{language}:{step}:{measure}"


def _incr(key: str, by: int = 1) -> None:
    try:
        cache.incr(key, by)
    except ValueError:  # not there yet
        if not cache.add(key, by, COUNTER_TTL):
            with contextlib.suppress(ValueError):
                cache.incr(key, by)


def count_request(request: Any, *, page_view: bool) -> None:
    """Count what the request did (its notes, and a page view if it showed a storefront page).

    Never fails the page: the cache being down loses the counts, nothing else."""
    notes = getattr(request, "_traffic_notes", None)
    if not page_view and notes is None:
        return
    if is_bot(request):
        return
    try:
        _count(request, notes or _Notes([], [], []), page_view=page_view)
    except Exception:  # pragma: no cover - counting must never break a page
        logger.exception("traffic: could not count a request")
    _maybe_flush_locally()


def _count(request: Any, notes: _Notes, *, page_view: bool) -> None:
    day = timezone.localdate()
    agent = request.META.get("HTTP_USER_AGENT", "")
    visitor = visitor_hash(request, day)
    session = getattr(request, "session", None)
    session_key = session.session_key if session is not None else None
    keys = [f"{PREFIX}w:{visitor}"] + ([f"{PREFIX}w:{session_key}"] if session_key else [])
    found = cache.get_many(keys)
    state: dict[str, Any] | None = found.get(keys[-1]) or found.get(keys[0])
    new_visit = state is None or state.get("day") != day.isoformat()
    if new_visit:
        state = {"day": day.isoformat(), "device": device_class(agent), "lang": language_of(request)}
        state |= {"steps": [], "products": []}
    assert state is not None
    device, language = state["device"], state["lang"]
    deltas: dict[str, int] = defaultdict(int)
    if new_visit:
        deltas[_counter(day, device, language, Step.VISIT, "sessions")] += 1
        if cache.add(f"{PREFIX}d:{day.isoformat()}:{visitor}", 1, SALT_TTL):
            deltas[_counter(day, device, language, Step.VISIT, "visitors")] += 1
    if page_view:
        deltas[_counter(day, device, language, Step.VISIT, "events")] += 1
    for step in notes.steps:
        deltas[_counter(day, device, language, step, "events")] += 1
        if step not in state["steps"]:
            state["steps"].append(step)
            deltas[_counter(day, device, language, step, "sessions")] += 1
    for product_id, sold_out in notes.products:
        base = f"{PREFIX}p:{day.isoformat()}"
        if product_id not in state["products"]:
            state["products"].append(product_id)
            _list_product(base, product_id)
        deltas[f"{base}:{product_id}:views"] += 1
        if sold_out:
            deltas[f"{base}:{product_id}:sold_out"] += 1
    for order_id in notes.orders:
        cache.set(f"{PREFIX}o:{order_id}", {"device": device, "lang": language}, ORDER_TTL)
    _write_many(deltas, windows=dict.fromkeys(keys, state))


def _list_product(base: str, product_id: int) -> None:
    """Put the product in the day's list the flush reads (once a day, whoever views it first)."""
    if cache.add(f"{base}:seen:{product_id}", 1, COUNTER_TTL):
        try:
            position = cache.incr(f"{base}:n")
        except ValueError:
            position = 1 if cache.add(f"{base}:n", 1, COUNTER_TTL) else cache.incr(f"{base}:n")
        cache.set(f"{base}:i:{position}", product_id, COUNTER_TTL)


def _write_many(deltas: dict[str, int], *, windows: dict[str, Any] | None = None) -> None:
    """A request's counters and visit windows in one round trip when the cache is Redis (a pipeline
    of INCRBY and SET, through ``ResilientRedisCache``'s circuit breaker), else one call each."""
    windows = windows or {}
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        if windows:
            cache.set_many(windows, VISIT_SECONDS)
        for key, delta in deltas.items():
            _incr(key, delta)
        return

    def call() -> None:
        client = backend._cache
        pipe = client.get_client(write=True).pipeline(transaction=False)
        for key, value in windows.items():
            pipe.set(backend.make_and_validate_key(key), client._serializer.dumps(value), ex=VISIT_SECONDS)  # type: ignore[attr-defined]
        for key, delta in deltas.items():
            full = backend.make_and_validate_key(key)
            pipe.incrby(full, delta)
            pipe.expire(full, COUNTER_TTL)
        pipe.execute()

    guard = getattr(backend, "_guard", None)
    if guard is not None:
        guard(call, lambda: None)
    else:
        call()


def count_paid(*, order_id: int) -> bool:
    """The order was paid: count it once, under the device and language of the visit that placed it."""
    noted = cache.get(f"{PREFIX}o:{order_id}")
    if not noted or not cache.add(f"{PREFIX}paid:{order_id}", 1, ORDER_TTL):
        return False
    day = timezone.localdate()
    _write_many(
        {_counter(day, noted["device"], noted["lang"], Step.PAID, m): 1 for m in ("events", "sessions")}
    )
    _maybe_flush_locally()
    return True


# --- flush --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flushed:
    traffic_rows: int = 0
    product_rows: int = 0


def flush(*, today: dt.date | None = None) -> Flushed:
    """Add the cache's counters to the database and take them off the cache (idempotent: a second
    flush finds nothing to add). One flush at a time (a cache lock)."""
    if not cache.add(f"{PREFIX}flush-lock", 1, FLUSH_LOCK_SECONDS):
        return Flushed()
    try:
        today = today or timezone.localdate()
        days = [today - dt.timedelta(days=n) for n in range(FLUSH_DAYS)]
        return _flush_days(days)
    finally:
        cache.delete(f"{PREFIX}flush-lock")


def _flush_days(days: list[dt.date]) -> Flushed:
    languages = sorted({code for code, _name in settings.LANGUAGES})
    keys = {
        _counter(day, device, language, step, measure): (day, device, language, step, measure)
        for day in days
        for device in Device.values
        for language in languages
        for step in Step.values
        for measure in MEASURES
    }
    values = {k: int(v) for k, v in cache.get_many(list(keys)).items() if v}
    product_values, product_keys = _product_counters(days)
    if not values and not product_values:
        return Flushed()
    rows: dict[tuple[dt.date, str, str, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(MEASURES, 0)
    )
    for key, value in values.items():
        day, device, language, step, measure = keys[key]
        rows[(day, device, language, step)][measure] += value
    products: dict[tuple[dt.date, int], dict[str, int]] = defaultdict(lambda: {"views": 0, "sold_out": 0})
    for key, value in product_values.items():
        day, product_id, measure = product_keys[key]
        products[(day, product_id)][measure] += value
    taken = {**values, **product_values}
    for key, value in taken.items():  # taken off first: counts arriving meanwhile stay for the next flush
        cache.decr(key, value)
    try:
        _write(rows, products)
    except Exception:
        for key, value in taken.items():  # not written: put them back for the next flush
            _incr(key, value)
        raise
    return Flushed(traffic_rows=len(rows), product_rows=len(products))


def _product_counters(days: list[dt.date]) -> tuple[dict[str, int], dict[str, tuple[dt.date, int, str]]]:
    bases = {f"{PREFIX}p:{day.isoformat()}": day for day in days}
    counts = cache.get_many([f"{base}:n" for base in bases])
    index_keys = [f"{base}:i:{i}" for base in bases for i in range(1, int(counts.get(f"{base}:n") or 0) + 1)]
    ids = cache.get_many(index_keys) if index_keys else {}
    keys: dict[str, tuple[dt.date, int, str]] = {}
    for index_key, product_id in ids.items():
        base = index_key.rsplit(":i:", 1)[0]
        for measure, suffix in (("views", "views"), ("sold_out", "sold_out")):
            keys[f"{base}:{product_id}:{suffix}"] = (bases[base], int(product_id), measure)
    values = {k: int(v) for k, v in cache.get_many(list(keys)).items() if v} if keys else {}
    return values, keys


def _write(
    rows: dict[tuple[dt.date, str, str, str], dict[str, int]],
    products: dict[tuple[dt.date, int], dict[str, int]],
) -> None:
    from catalog.models import Product

    with transaction.atomic():
        TrafficDay.objects.bulk_create(
            [TrafficDay(day=d, device=dev, language=lang, step=s) for (d, dev, lang, s) in rows],
            ignore_conflicts=True,
        )
        for (day, device, language, step), add in rows.items():
            TrafficDay.objects.filter(day=day, device=device, language=language, step=step).update(
                events=F("events") + add["events"],
                sessions=F("sessions") + add["sessions"],
                visitors=F("visitors") + add["visitors"],
            )
        existing = set(
            Product.objects.filter(pk__in={pid for _d, pid in products}).values_list("pk", flat=True)
        )
        products = {key: add for key, add in products.items() if key[1] in existing}  # deleted since
        ProductViewDay.objects.bulk_create(
            [ProductViewDay(day=d, product_id=pid) for (d, pid) in products], ignore_conflicts=True
        )
        for (day, product_id), add in products.items():
            ProductViewDay.objects.filter(day=day, product_id=product_id).update(
                views=F("views") + add["views"], sold_out_views=F("sold_out_views") + add["sold_out"]
            )


_last_local_flush = 0.0


def _maybe_flush_locally() -> None:
    """A process-local cache (the demo's locmem): no worker sees these counters, flush from here."""
    global _last_local_flush
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if not backend.endswith("LocMemCache") or time.monotonic() - _last_local_flush < LOCAL_FLUSH_SECONDS:
        return
    _last_local_flush = time.monotonic()
    try:
        flush()
    except Exception:  # pragma: no cover
        logger.exception("traffic: local flush failed")
