"""Co-purchase recommendations (marketing.recommendations), eval_recommendations, the storefront blocks."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Product
from inventory.services.batch import receive_stock
from marketing import recommendations as reco
from marketing.recommendations import Purchase, build_model, rank
from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus
from tests.accounts.portal_support import shopper
from tests.factories import LocationFactory, VariantFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(db):
    return LocationFactory(code="AJA", name="Ajaccio")


@pytest.fixture
def catalogue(store):
    """Products A..H, one variant each, 5 in stock at the store (G: none, out of stock)."""
    made = {}
    for letter in "ABCDEFGH":
        variant = VariantFactory(sku=f"SKU-{letter}", product__name=f"Product {letter}")
        if letter != "G":
            receive_stock(variant=variant, location=store, quantity=5)
        made[letter] = variant.product
    return made


def buy(store, customer, *products: Product, days_ago: int = 0, status: str = OrderStatus.COMPLETED) -> Order:
    """A bought order of these products (one unit each), written directly: a read test controls its date."""
    count = Order.objects.count() + 1
    order = Order.objects.create(
        number=f"T{count:05d}",
        channel=Channel.STORE if customer is None else Channel.WEB,
        status=status,
        delivery_method=DeliveryMethod.IN_STORE if customer is None else DeliveryMethod.HOME,
        location=store,
        customer=customer,
        email=customer.email if customer else "",
        total_net=Decimal("10.00") * len(products),
        total_vat=Decimal("2.00") * len(products),
        total_gross=Decimal("12.00") * len(products),
        total_gross_eur=Decimal("12.00") * len(products),
    )
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    for product in products:
        variant = product.variants.first()
        OrderLine.objects.create(
            order=order, variant=variant, sku=variant.sku, name=product.name, quantity=1,
            unit_price_net=Decimal("10"), vat_rate=Decimal("0.2"), total_net=Decimal("10.00"),
            total_vat=Decimal("2.00"), total_gross=Decimal("12.00"),
        )  # fmt: skip
    return order


def test_products_bought_together_rank_by_cosine_similarity_then_popularity(store, catalogue):
    a, b, c, d, e = (catalogue[x] for x in "ABCDE")
    buy(store, None, a, b)
    buy(store, None, a, b)
    buy(store, None, a, c)
    buy(store, None, d, e)
    buy(store, None, d)
    buy(store, None, catalogue["F"], status=OrderStatus.CANCELLED)  # not bought: ignored
    model = reco.current_model()
    # C(A,B)=2, P(A)=3, P(B)=2 -> 2/sqrt(6); C(A,C)=1, P(C)=1 -> 1/sqrt(3)
    assert model.similar[a.pk] == pytest.approx({b.pk: 2 / 6**0.5, c.pk: 1 / 3**0.5}, rel=1e-3)
    assert model.popularity[a.pk] == pytest.approx(3, rel=1e-3)
    # B and C from co-purchases, then D (2 baskets) and E (1) from popularity; F never sold
    assert reco.recommend_for_products([a.pk], limit=4) == [b.pk, c.pk, d.pk, e.pk]
    assert reco.recommend_for_products([a.pk], exclude=[b.pk], limit=2) == [c.pk, d.pk]


def test_a_recent_co_purchase_outweighs_older_ones(settings):
    settings.RECOMMENDATIONS_HALF_LIFE_DAYS = 90
    old = NOW - dt.timedelta(days=360)  # 4 half-lives: each old basket weighs 1/16
    purchases = [
        Purchase(order_id=1, customer_id=None, product_id=1, at=old),
        Purchase(order_id=1, customer_id=None, product_id=2, at=old),
        Purchase(order_id=2, customer_id=None, product_id=1, at=old),
        Purchase(order_id=2, customer_id=None, product_id=2, at=old),
        Purchase(order_id=3, customer_id=None, product_id=1, at=NOW),
        Purchase(order_id=3, customer_id=None, product_id=3, at=NOW),
    ]
    model = build_model(purchases, now=NOW, window_days=0)
    assert model.popularity == pytest.approx({1: 1.125, 2: 0.125, 3: 1.0})
    assert rank(model, seeds={1: 1.0}, exclude={1}, limit=2, fallback=False) == [3, 2]
    # without decay, the two old baskets win
    flat = build_model(purchases, now=NOW, window_days=0, half_life_days=10**9)
    assert rank(flat, seeds={1: 1.0}, exclude={1}, limit=2, fallback=False) == [2, 3]


def test_orders_of_one_customer_within_the_window_count_as_bought_together():
    purchases = [
        Purchase(order_id=1, customer_id=7, product_id=1, at=NOW - dt.timedelta(days=10)),
        Purchase(order_id=2, customer_id=7, product_id=2, at=NOW),
        Purchase(order_id=3, customer_id=7, product_id=3, at=NOW - dt.timedelta(days=100)),
    ]
    model = build_model(purchases, now=NOW, window_days=30, half_life_days=10**9)
    assert model.similar[1] == pytest.approx({2: 0.5})  # half an order, 10 days apart
    assert 3 not in model.similar  # 100 days apart: not together


def test_a_customer_is_not_offered_what_they_bought_unless_consumable_nor_out_of_stock(store, catalogue):
    a, b, c, g = (catalogue[x] for x in "ABCG")
    jam = catalogue["F"]
    Product.objects.filter(pk=jam.pk).update(tracks_lots=True)  # a consumable: bought again
    ana = shopper(email="ana@example.com")
    buy(store, ana, a, jam, days_ago=5)
    for _ in range(3):
        buy(store, None, a, g)  # G: the best match, but out of stock
    buy(store, None, a, b)
    buy(store, None, jam, c)
    picks = reco.recommend_for_customer(ana, limit=3)
    # sim(jam, C) = 1/sqrt(2*1) > sim(A, B) = 1/sqrt(5*1) > sim(A, jam) = 1/sqrt(5*2); A bought, G out
    assert picks == [c.pk, b.pk, jam.pk]


def test_thin_history_falls_back_to_popular_products_in_stock(store, catalogue):
    a, b, c, g = (catalogue[x] for x in "ABCG")
    for _ in range(3):
        buy(store, None, g)  # the most popular, out of stock
    buy(store, None, b)
    buy(store, None, b)
    buy(store, None, c)
    newcomer = shopper(email="new@example.com")
    assert reco.recommend_for_customer(newcomer, limit=3) == [b.pk, c.pk]
    assert reco.recommend_for_products([a.pk], limit=2) == [b.pk, c.pk]  # A never sold


def test_eval_command_shows_the_recommender_beating_popularity(store, catalogue):
    a, b, c, e = (catalogue[x] for x in "ABCE")
    customers = [shopper(email=f"c{n}@example.com") for n in range(3)]
    for customer, (first, last) in zip(customers, [((a, b), c), ((a, c), b), ((b, c), a)], strict=True):
        buy(store, customer, *first, days_ago=20)
        buy(store, customer, last, days_ago=1)  # held out
    for _ in range(5):
        buy(store, None, e, days_ago=3)  # the best-seller nobody above buys
    out = io.StringIO()
    call_command("eval_recommendations", "--k", "1", stdout=out)
    published = Product.objects.filter(is_published=True).count()
    assert published == 8
    assert out.getvalue().splitlines() == [
        "3 customers held out (their last order), 8 orders to learn from, 8 published products.",
        "  recommender      hit rate@1   coverage",
        f"  co-purchase          100.0% {3 / 8:>10.1%}",
        f"  popularity             0.0% {1 / 8:>10.1%}",
    ]


def test_portal_dashboard_shows_for_you(client, store, catalogue, django_assert_max_num_queries):
    a, b = catalogue["A"], catalogue["B"]
    ana = shopper(email="ana@example.com")
    buy(store, ana, a, days_ago=3)
    buy(store, None, a, b)
    client.force_login(ana)
    client.get("/en/account/")  # the model is cached for the day
    # the dashboard (8), the model fingerprint (1), published and in stock (2), the cards (6): any count
    with django_assert_max_num_queries(17):
        response = client.get("/en/account/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "For you" in page
    section = page.split('id="for-you-title"')[1].split("</section>")[0]
    assert "Product B" in section and "Product A" not in section


def test_cart_page_shows_for_you_after_often_bought_together(client, store, catalogue):
    a, b, c = (catalogue[x] for x in "ABC")
    for _ in range(3):
        buy(store, None, a, b)
    buy(store, None, a, c)
    buy(store, None, catalogue["D"])
    client.post("/en/cart/add/", {"sku": "SKU-A", "quantity": "1"})
    page = client.get("/en/cart/").content.decode()
    assert "For you" in page
    section = page.split('id="also-like-title"')[1].split("</section>")[0]
    # B and C are "Often bought together" already: the block shows the next ones, never A
    assert "Product D" in section
    assert "Product A" not in section and "Product B" not in section and "Product C" not in section


def test_demo_history_is_written_once_with_consistent_orders(store, monkeypatch):
    from demo.seed import history
    from inventory.models import LocationKind
    from tests.factories import CategoryFactory

    LocationFactory(code="WH", name="Warehouse", kind=LocationKind.WAREHOUSE)
    category = CategoryFactory()
    for n in range(10):
        variant = VariantFactory(sku=f"H-{n}", product__category=category)
        receive_stock(variant=variant, location=store, quantity=5)
    monkeypatch.setattr(history, "MIN_PRODUCTS", 10)
    written = history.seed(seed=7, customers=4)
    orders = list(Order.objects.order_by("number").values_list("number", "channel", "status", "total_gross"))
    assert written == len(orders) > 0
    assert {status for _, _, status, _ in orders} == {OrderStatus.COMPLETED}
    assert history.seed(seed=7, customers=4) == 0  # a re-run adds nothing
    for order in Order.objects.prefetch_related("lines"):
        assert order.total_gross == sum(line.total_gross for line in order.lines.all())
        assert timezone.now() - dt.timedelta(days=366) < order.created_at < timezone.now()
