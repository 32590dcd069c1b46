"""Storefront conversion: counted on the server from real requests to the real storefront pages,
buffered in the cache, flushed to the database, read by the conversion page and API.

Given two shoppers (an English iPhone, a French desktop) and a bot, when they browse, add to cart,
check out and pay, then the counts per day, device and language are the ones computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from marketing import traffic
from marketing.models import ProductViewDay, TrafficDay
from payments import services as payments
from payments.models import Payment
from tests.factories import LocationFactory, UserFactory, VariantFactory
from tests.logistics.shop import ADDRESS, make_shop

pytestmark = pytest.mark.django_db

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
IPAD = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1"
ANDROID_TABLET = "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    settings.PAYMENTS_TEST_PROVIDER = True
    cache.clear()  # the counters, windows and salt live in the cache (this test run's own Redis DB)
    yield
    cache.clear()


@pytest.fixture
def shop():
    shop = make_shop()
    shop.gone = VariantFactory(sku="GONE", product__name="Sold out scarf")  # no stock anywhere
    return shop


def rows() -> dict[tuple[str, str, str], tuple[int, int, int]]:
    return {
        (r.device, r.language, r.step): (r.events, r.sessions, r.visitors)
        for r in TrafficDay.objects.filter(day=timezone.localdate())
    }


def browse(shop, django_capture_on_commit_callbacks):
    """The scenario every test below counts by hand."""
    iphone = Client(HTTP_USER_AGENT=IPHONE)
    desk = Client(HTTP_USER_AGENT=DESKTOP)
    bot = Client(HTTP_USER_AGENT=GOOGLEBOT)
    tee = f"/p/{shop.tee.product.slug}/"
    # the iPhone, in English: the tee-shirt twice (the second from the page cache), add, checkout, pay
    assert iphone.get(f"/en{tee}").status_code == 200
    assert iphone.get(f"/en{tee}").status_code == 200
    assert iphone.post("/en/cart/add/", {"sku": "TEE", "quantity": "1"}).status_code == 302
    assert iphone.get("/en/checkout/").status_code == 200
    form = {"action": "pay", "email": "ana@example.com", "phone": "0612345678", "delivery_method": "home",
            "carrier": "colissimo", "provider": "test", "idempotency_key": "k1", **ADDRESS}  # fmt: skip
    assert iphone.post("/en/checkout/", form).status_code == 302
    # the desktop, in French: the tee-shirt, the sold-out scarf, adds the tee-shirt, no checkout
    assert desk.get(f"/fr{tee}").status_code == 200
    assert desk.get(f"/fr/p/{shop.gone.product.slug}/").status_code == 200
    assert desk.post("/fr/cart/add/", {"sku": "TEE", "quantity": "1"}).status_code == 302
    # a bot and a HEAD request are not counted; nor is a user agent-less request
    assert bot.get(f"/en{tee}").status_code == 200
    assert bot.post("/en/cart/add/", {"sku": "MUG", "quantity": "1"}).status_code == 302
    assert iphone.head(f"/en{tee}").status_code == 200
    assert Client().get(f"/en{tee}").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        payments.confirm_test_payment(payment_id=Payment.objects.get().pk, succeed=True)


@pytest.mark.redis  # the demo's locmem cache flushes itself on a page: counts reach the table early
def test_the_funnel_is_counted_per_device_and_language(shop, django_capture_on_commit_callbacks):
    browse(shop, django_capture_on_commit_callbacks)
    assert TrafficDay.objects.count() == 0  # nothing written by a page: all in the cache
    traffic.flush()
    assert rows() == {
        # (events, sessions, visitors)
        ("mobile", "en", "visit"): (3, 1, 1),  # 2 product pages + the checkout page
        ("mobile", "en", "product"): (2, 1, 0),
        ("mobile", "en", "cart"): (1, 1, 0),
        ("mobile", "en", "checkout"): (2, 1, 0),  # the page, then "Pay"
        ("mobile", "en", "paid"): (1, 1, 0),
        ("desktop", "fr", "visit"): (2, 1, 1),
        ("desktop", "fr", "product"): (2, 1, 0),
        ("desktop", "fr", "cart"): (1, 1, 0),
    }
    views = {(p.product_id, p.views, p.sold_out_views) for p in ProductViewDay.objects.all()}
    assert views == {(shop.tee.product_id, 3, 0), (shop.gone.product_id, 1, 1)}
    # flushing again adds nothing
    traffic.flush()
    assert rows()[("mobile", "en", "visit")] == (3, 1, 1)
    assert ProductViewDay.objects.get(product_id=shop.tee.product_id).views == 3


@pytest.mark.redis  # the demo's locmem cache flushes itself on a page: counts reach the table early
def test_counts_after_a_flush_add_up_and_a_new_visit_after_30_minutes(
    shop, django_capture_on_commit_callbacks
):
    browse(shop, django_capture_on_commit_callbacks)
    traffic.flush()
    desk = Client(HTTP_USER_AGENT=DESKTOP)
    _expire_windows()
    assert desk.get(f"/fr/p/{shop.tee.product.slug}/").status_code == 200  # same browser, 30 min later
    traffic.flush()
    # a second session, the same visitor of the day
    assert rows()[("desktop", "fr", "visit")] == (3, 2, 1)
    assert rows()[("desktop", "fr", "product")] == (3, 2, 0)


def _expire_windows() -> None:
    """30 minutes without a page: the visit windows are gone from the cache (their TTL)."""
    client = cache._cache.get_client(write=True) if hasattr(cache, "_cache") else None
    if client is not None:
        for key in client.scan_iter(match=f"*{traffic.PREFIX}w:*"):
            client.delete(key)
    else:  # locmem
        for key in [k for k in cache._cache if f"{traffic.PREFIX}w:" in k]:  # type: ignore[attr-defined]
            cache._cache.pop(key)  # type: ignore[attr-defined]


def test_device_classes_and_bots():
    assert traffic.device_class(IPHONE) == "mobile"
    assert traffic.device_class(ANDROID_PHONE) == "mobile"
    assert traffic.device_class(IPAD) == "tablet"
    assert traffic.device_class(ANDROID_TABLET) == "tablet"
    assert traffic.device_class(DESKTOP) == "desktop"
    for agent in (GOOGLEBOT, "Mozilla/5.0 (compatible; bingbot/2.0)", "AhrefsSpider", "curl/8.0", ""):
        request = type("R", (), {"method": "GET", "META": {"HTTP_USER_AGENT": agent}})()
        assert traffic.is_bot(request), agent


def test_no_personal_data_reaches_the_database(shop, django_capture_on_commit_callbacks):
    browse(shop, django_capture_on_commit_callbacks)
    traffic.flush()
    fields = {f.name for f in TrafficDay._meta.get_fields()} | {
        f.name for f in ProductViewDay._meta.get_fields()
    }
    assert fields == {"id", "day", "device", "language", "step", "events", "sessions", "visitors", "product",
                      "views", "sold_out_views"}  # fmt: skip


# --- the API and the page ----------------------------------------------------------------------


def _api(client, **params):
    return client.get("/api/v1/reports/conversion/", params)


def test_api_figures_and_rates(client, shop, django_capture_on_commit_callbacks):
    browse(shop, django_capture_on_commit_callbacks)
    traffic.flush()
    client.force_login(UserFactory(role=Role.MANAGER))
    today = timezone.localdate()
    response = _api(client, date_from=(today - dt.timedelta(days=1)).isoformat(), date_to=today.isoformat())
    assert response.status_code == 200
    body = response.json()
    total = body["total"]
    assert {k: total[k] for k in ("sessions", "visitors", "page_views", "product_views", "product_sessions",
                                  "cart_adds", "cart_sessions", "checkout_sessions", "paid_orders")} == {
        "sessions": 2, "visitors": 2, "page_views": 5, "product_views": 4, "product_sessions": 2,
        "cart_adds": 2, "cart_sessions": 2, "checkout_sessions": 1, "paid_orders": 1,
    }  # fmt: skip
    # 2 of 2 product-viewing sessions added to cart, 1 of 2 went to checkout, 1 of 1 paid; 1 session of 2 paid
    rates = (total["view_to_cart"], total["cart_to_checkout"], total["checkout_to_paid"], total["conversion"])
    assert rates == (
        "1.0000", "0.5000", "1.0000", "0.5000",
    )  # fmt: skip
    assert [d["day"] for d in body["days"]] == [(today - dt.timedelta(days=1)).isoformat(), today.isoformat()]
    assert body["days"][0]["sessions"] == 0 and body["days"][0]["conversion"] is None
    devices = {d["device"]: (d["sessions"], d["paid_orders"]) for d in body["devices"]}
    assert devices == {"mobile": (1, 1), "tablet": (0, 0), "desktop": (1, 0)}
    languages = {d["language"]: (d["sessions"], d["cart_adds"], d["conversion"]) for d in body["languages"]}
    assert languages == {"en": (1, 1, "1.0000"), "fr": (1, 1, "0.0000")}


@pytest.mark.parametrize(
    ("role", "status"), [(Role.STORE_MANAGER, 403), (Role.STAFF, 403), (Role.CASHIER, 403)]
)
def test_api_scoping(client, role, status):
    client.force_login(UserFactory(role=role, store=LocationFactory(code="AJA")))
    response = _api(client, period="month")
    assert response.status_code == 403
    assert response.json()["code"] == "reports_forbidden"


def test_api_anonymous_and_bad_dates(client):
    assert _api(client).status_code in (401, 403)
    client.force_login(UserFactory(role=Role.MANAGER))
    response = _api(client, date_from="2026-02-30", date_to="2026-03-01")
    assert response.status_code == 400 and "date_from" in response.json()["detail"]
    assert _api(client, period="decade").status_code == 400


def test_api_reads_in_few_queries(
    client, shop, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    browse(shop, django_capture_on_commit_callbacks)
    traffic.flush()
    client.force_login(UserFactory(role=Role.MANAGER))
    with django_assert_max_num_queries(
        8
    ):  # session, user, its permissions (2), its shops, 3 GROUP BY, whatever the days
        assert _api(client, period="year").status_code == 200


def test_the_page_renders_with_its_funnel_and_exports(
    settings, client, shop, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "en"  # the back office speaks French by default; this test reads English
    browse(shop, django_capture_on_commit_callbacks)
    traffic.flush()
    client.force_login(UserFactory(role=Role.MANAGER))
    response = client.get("/dashboard/conversion/?period=today")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<meter") == 4
    assert 'value="0.5000"' in html  # 1 of 2 product-viewing sessions reached checkout
    assert ' style="' not in html  # the CSP refuses inline styles
    assert "export=csv&amp;table=devices" in html or "table=devices&amp;export=csv" in html
    csv = client.get("/dashboard/conversion/?period=today&export=csv&table=devices")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Device;Sessions;Visitors")
    assert lines[1].startswith("Mobile;1;1;3;2;1;1;1;1;1,0000;1,0000;1,0000;1,0000")
    xlsx = client.get("/dashboard/conversion/?period=today&export=xlsx")
    assert xlsx.status_code == 200
    assert client.get("/dashboard/conversion/?period=today&export=pdf").status_code == 400


def test_the_page_scoping_and_bad_dates(client):
    store = LocationFactory(code="AJA")
    client.force_login(UserFactory(role=Role.STORE_MANAGER, store=store))
    assert client.get("/dashboard/conversion/").status_code == 403
    assert "/dashboard/conversion/" not in client.get("/dashboard/").content.decode()  # no link for them
    client.force_login(UserFactory(role=Role.MANAGER))
    assert client.get("/dashboard/conversion/?date_from=2026-01-05&date_to=2026-01-01").status_code == 400
    assert "/dashboard/conversion/" in client.get("/dashboard/").content.decode()


def test_rates_round_half_up():
    from reporting.selectors.conversion import rate

    assert rate(1, 3) == Decimal("0.3333") and rate(2, 3) == Decimal("0.6667") and rate(1, 0) is None


def test_orders_no_storefront_visit_placed_are_not_counted(shop):
    assert traffic.count_paid(order_id=999_999) is False  # a till sale, an ERP order, a note expired
    traffic.flush()
    assert TrafficDay.objects.count() == 0


def test_with_a_process_local_cache_the_web_process_flushes_itself(settings, shop, monkeypatch):
    """The demo (locmem cache, no worker that could see it): counted, then flushed by the request."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    monkeypatch.setattr(traffic, "_last_local_flush", 0.0)
    desk = Client(HTTP_USER_AGENT=DESKTOP)
    assert desk.get(f"/it/p/{shop.tee.product.slug}/").status_code == 200
    assert rows() == {
        ("desktop", "it", "visit"): (1, 1, 1),
        ("desktop", "it", "product"): (1, 1, 0),
    }
    assert desk.get(f"/it/p/{shop.tee.product.slug}/").status_code == 200  # within the minute: buffered
    assert rows()[("desktop", "it", "product")] == (1, 1, 0)
    traffic.flush()
    assert rows()[("desktop", "it", "product")] == (2, 1, 0)


def test_a_long_period_shows_months_and_the_api_keeps_days(client):
    for day, sessions in ((dt.date(2026, 1, 31), 3), (dt.date(2026, 2, 1), 4), (dt.date(2026, 2, 28), 5)):
        TrafficDay.objects.create(day=day, device="mobile", language="fr", step="visit", sessions=sessions)
    client.force_login(UserFactory(role=Role.MANAGER))
    query = "?date_from=2026-01-01&date_to=2026-06-30"
    csv = client.get(f"/dashboard/conversion/{query}&export=csv&table=days").content.decode("utf-8-sig")
    months = [line.split(";")[:2] for line in csv.splitlines()[1:]]
    assert months[:3] == [["2026-01-01", "3"], ["2026-02-01", "9"], ["2026-03-01", "0"]]
    assert len(months) == 6 + 1  # six months and the total
    body = client.get(f"/api/v1/reports/conversion/{query}").json()
    assert len(body["days"]) == 181 and body["total"]["sessions"] == 12


def test_beat_flushes_every_minute(settings, shop, django_capture_on_commit_callbacks):
    from marketing import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["marketing-flush-traffic"]
    assert (entry["task"], entry["schedule"]) == ("marketing.tasks.flush_traffic", 60.0)
    browse(shop, django_capture_on_commit_callbacks)
    assert tasks.flush_traffic() == 8  # the eight (device, language, step) rows of the scenario
    assert tasks.flush_traffic() == 0
