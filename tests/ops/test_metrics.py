"""GET /metrics: the Prometheus text format, behind ``Authorization: Bearer <METRICS_TOKEN>``.

Each test reads the samples before and after what it does: the counters live as long as the process.
"""

import uuid

import pytest
import redis
from asgiref.sync import sync_to_async

from core import metrics
from inventory import services
from storefront import cache as page_cache
from tests.factories import LocationFactory, VariantFactory, staff
from tests.inventory.test_realtime import open_socket
from tests.ops.support import TOKEN, fail, log_something, sample, scrape
from tests.orders.pickup_support import *  # noqa: F403  (the shop and payments_test_provider fixtures)
from tests.orders.pickup_support import pay_with_test_provider, place
from tests.realtime_support import _close_db_thread_connections, _private_channel_layer  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def test_no_token_configured_is_a_404_whatever_is_sent(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


def test_a_missing_or_wrong_token_is_a_404(client, token):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 404  # no scheme
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 404


def test_a_request_is_timed_under_its_view_name_with_its_queries(client, token, settings):
    settings.REDIS_URL = ""
    before = scrape(client)

    assert client.get("/healthz").status_code == 200  # one query: SELECT 1
    assert client.get("/readyz?x=/secret/path").status_code == 200

    after = scrape(client)
    labels = {"view": "healthz", "method": "GET", "status": "2xx"}
    assert sample(after, "http_request_duration_seconds_count", **labels) == (
        sample(before, "http_request_duration_seconds_count", **labels) + 1
    )
    assert sample(after, "http_request_duration_seconds_sum", **labels) > sample(
        before, "http_request_duration_seconds_sum", **labels
    )
    assert sample(after, "http_request_db_queries_sum", view="healthz") == (
        sample(before, "http_request_db_queries_sum", view="healthz") + 1
    )
    # the view's name, never the path a client sent
    assert (
        sample(after, "http_request_duration_seconds_count", view="readyz", method="GET", status="2xx") >= 1
    )
    assert not any("secret" in str(key) for key in after)


def test_unmatched_paths_share_one_label(client, token):
    before = scrape(client)

    client.get("/no/such/page-1")
    client.get("/no/such/page-2")

    after = scrape(client)
    labels = {"view": "unmatched", "method": "GET", "status": "4xx"}
    assert sample(after, "http_request_duration_seconds_count", **labels) == (
        sample(before, "http_request_duration_seconds_count", **labels) + 2
    )


def test_a_paid_order_and_a_declined_payment_are_counted_after_commit(
    client,
    token,
    shop,
    django_capture_on_commit_callbacks,
):
    from payments import services as payments

    before = scrape(client)
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_test_provider(place(shop))
    declined = place(shop, tees=1, mugs=0)
    with django_capture_on_commit_callbacks(execute=True):
        start = payments.start_payment(order=declined, provider="test", return_url="/d/", cancel_url="/c/")
        payments.confirm_test_payment(payment_id=start.payment_id, succeed=False)

    after = scrape(client)
    assert (
        sample(after, "orders_paid_total", channel="web")
        == sample(before, "orders_paid_total", channel="web") + 1
    )
    assert sample(after, "payments_failed_total", provider="test") == (
        sample(before, "payments_failed_total", provider="test") + 1
    )


def test_a_rolled_back_payment_counts_nothing(client, token, shop, django_capture_on_commit_callbacks):
    before = scrape(client)
    with django_capture_on_commit_callbacks(execute=False):  # the commit never comes
        pay_with_test_provider(place(shop))

    after = scrape(client)
    assert sample(after, "orders_paid_total", channel="web") == sample(
        before, "orders_paid_total", channel="web"
    )


def test_page_cache_hits_and_misses(client, token):
    key = page_cache.page_key(kind="product", parts=["fr", "EUR", uuid.uuid4().hex], product_id=987654)
    before = scrape(client)

    assert page_cache.get_page(key) is None
    page_cache.set_page(key, {"main": "<p>hi</p>"})
    assert page_cache.get_page(key) == {"main": "<p>hi</p>"}
    assert page_cache.get_page(key) == {"main": "<p>hi</p>"}

    after = scrape(client)
    for result, more in (("miss", 1), ("hit", 2)):
        assert sample(after, "page_cache_requests_total", kind="product", result=result) == (
            sample(before, "page_cache_requests_total", kind="product", result=result) + more
        )


def test_celery_task_durations_and_failures(client, token, eager_celery):
    before = scrape(client)

    log_something.delay()
    # As a worker runs it: the error is recorded, not raised (eager mode would re-raise before
    # Celery's failure and postrun signals, as CELERY_TASK_EAGER_PROPAGATES asks).
    assert isinstance(fail.apply(throw=False).result, LookupError)

    after = scrape(client)
    ok = {"task": "tests.ops.log_something", "state": "SUCCESS"}
    assert sample(after, "celery_task_duration_seconds_count", **ok) == (
        sample(before, "celery_task_duration_seconds_count", **ok) + 1
    )
    failed = {"task": "tests.ops.fail", "state": "FAILURE"}
    assert sample(after, "celery_task_duration_seconds_count", **failed) == (
        sample(before, "celery_task_duration_seconds_count", **failed) + 1
    )
    assert sample(after, "celery_task_failures_total", task="tests.ops.fail", exception="LookupError") == (
        sample(before, "celery_task_failures_total", task="tests.ops.fail", exception="LookupError") + 1
    )


@pytest.mark.redis
def test_queue_length_is_read_from_the_broker_at_scrape_time(client, token, settings):
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("celery", "celery\x06\x163")
    try:
        broker.rpush("celery", b"{}", b"{}", b"{}")
        broker.rpush("celery\x06\x163", b"{}")  # a priority step of the same queue
        assert sample(scrape(client), "celery_queue_length", queue="celery") == 4
        broker.delete("celery", "celery\x06\x163")
        assert sample(scrape(client), "celery_queue_length", queue="celery") == 0
    finally:
        broker.delete("celery", "celery\x06\x163")
        broker.close()


def test_an_unreachable_broker_leaves_the_queue_length_out_not_the_scrape(client, token, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    samples = scrape(client)

    assert not any(name == "celery_queue_length" for name, _ in samples)
    assert any(name == "http_request_duration_seconds_count" for name, _ in samples)


@pytest.mark.django_db(transaction=True)
async def test_websockets_per_location_and_the_stock_push_lag(settings):
    """A till's socket counts under its store while open; a committed stock change reaching it is one
    push-lag sample (through the configured channel layer: Redis when REDIS_URL is set)."""
    zza = await sync_to_async(LocationFactory)(code="ZZA", name="Zonza")
    variant = await sync_to_async(VariantFactory)(sku="LAG-1")
    gauge = metrics.WEBSOCKETS.labels("stock", "ZZA")
    before, lag_before = gauge._value.get(), _lag_count()

    ws = await open_socket("locations=ZZA", user=await sync_to_async(staff)())
    assert (await ws.receive_json_from(timeout=2))["type"] == "snapshot"
    during = gauge._value.get()
    await sync_to_async(services.receive_stock)(variant=variant, location=zza, quantity=3, reference="PO-9")
    change = await ws.receive_json_from(timeout=2)
    await ws.disconnect()

    assert during == before + 1
    assert gauge._value.get() == before
    assert change["type"] == "stock.changed" and "sent_at" not in change  # clients never see it
    assert _lag_count() == lag_before + 1


def _lag_count() -> float:
    return next(s.value for s in metrics.STOCK_PUSH_LAG.collect()[0].samples if s.name.endswith("_count"))


def test_metrics_only_for_get_and_head(client, token):
    assert client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


def test_till_sales_refunds_and_returns_are_counted_by_subscribers_after_commit(client, token):
    """reporting.metrics listens after commit (a rolled-back sale counts nothing); each handler moves
    its counter. (A real paid order goes through the whole chain above.)"""
    from core import events
    from orders import events as order_events
    from reporting import metrics as business

    handlers = [
        (order_events.StoreSaleCompleted, business.on_store_sale),
        (order_events.OrderRefunded, business.on_order_refunded),
        (order_events.OrderPartRefunded, business.on_part_refunded),
        (order_events.StoreSaleReturned, business.on_store_sale_returned),
        (order_events.OrderPaid, business.on_order_paid),
    ]
    for kind, handler in handlers:
        assert events.Subscription(kind, handler, events.AFTER_COMMIT) in events.subscribers_of(kind)
    common = {"order_id": 1, "number": "T-1", "channel": "pos", "delivery_method": "store", "user_id": None}
    before = scrape(client)

    business.on_store_sale(
        order_events.StoreSaleCompleted(**common, from_status="", to_status="completed", customer_id=None)
    )
    business.on_order_refunded(order_events.OrderRefunded(**common, from_status="paid", to_status="refunded"))
    business.on_part_refunded(
        order_events.OrderPartRefunded(order_id=1, number="T-1", amount="5.00", action_id=1, user_id=None)
    )
    business.on_store_sale_returned(
        order_events.StoreSaleReturned(order_id=1, number="T-1", return_id=1, location_id=1, user_id=None)
    )

    after = scrape(client)
    assert sample(after, "till_sales_total") == sample(before, "till_sales_total") + 1
    assert sample(after, "refunds_total", kind="full") == sample(before, "refunds_total", kind="full") + 1
    assert sample(after, "refunds_total", kind="part") == sample(before, "refunds_total", kind="part") + 1
    assert sample(after, "till_returns_total") == sample(before, "till_returns_total") + 1
