"""Which price applies (issue 17): company > group > the shop's lists > everybody > the catalog price,
then priority, then the quantity break reached, then the lowest price; dates respected; a list of
another shop never applies, and without a shop (the till) only the lists of no shop do. A Hypothesis
test compares the one query of ``unit_prices`` with a plain-Python reading of the rule, on random
lists."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Company, CustomerGroup
from pricing import selectors, services
from pricing.models import PriceList, PriceListEntry
from shops.models import Shop
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 12, 0))
BASE = Decimal("100.0000")


@pytest.fixture
def world():
    group = CustomerGroup.objects.create(code="pro", name="Pro", is_b2b=True)
    other_group = CustomerGroup.objects.create(code="vip", name="VIP")
    company = Company.objects.create(name="Maison Rossi", group=group)
    other_company = Company.objects.create(name="Autre SARL", group=group)
    variant = VariantFactory(product__base_price_ht=BASE)
    shop_a = Shop.objects.create(code="shop-a", name="Shop A")
    shop_b = Shop.objects.create(code="shop-b", name="Shop B")
    return {"group": group, "other_group": other_group, "company": company, "other_company": other_company,
            "variant": variant, "a": shop_a, "b": shop_b}  # fmt: skip


def entry(code, variant, price, *, min_quantity=1, **list_fields):
    plist, _ = PriceList.objects.get_or_create(code=code, defaults={"name": code, **list_fields})
    return PriceListEntry.objects.create(
        price_list=plist, variant=variant, price_ht=Decimal(price), min_quantity=min_quantity
    )


def price(world, *, quantity=1, company=True, group=True, shop=None):
    return services.unit_price(
        variant=world["variant"],
        customer_group=world["group"] if group else None,
        company=world["company"] if company else None,
        quantity=quantity,
        at=NOW,
        shop_id=world[shop].pk if shop else None,
    )


def test_the_company_list_beats_the_group_and_a_general_list_of_higher_priority(world):
    v = world["variant"]
    entry("everyone", v, "70", priority=100)
    entry("group", v, "90", customer_group=world["group"], priority=50)
    entry("company", v, "95", company=world["company"], priority=0)
    assert price(world).price_list == "company"
    assert price(world).net == Decimal("95")  # negotiated, even if a general sale is lower
    assert price(world, company=False).price_list == "group"
    assert price(world, company=False, group=False).price_list == "everyone"


def test_the_shop_list_ranks_between_the_group_and_everybody(world):
    v = world["variant"]
    entry("everyone", v, "70", priority=100)
    entry("shop-a", v, "85", shop=world["a"], priority=0)
    entry("group", v, "90", customer_group=world["group"], priority=0)
    entry("company", v, "95", company=world["company"], priority=0)
    assert price(world, shop="a").price_list == "company"
    assert price(world, shop="a", company=False).price_list == "group"
    assert price(world, shop="a", company=False, group=False).price_list == "shop-a"
    assert price(world, shop="a", company=False, group=False).net == Decimal("85")  # beats a lower general
    assert price(world, shop="b", company=False, group=False).price_list == "everyone"


def test_a_list_of_another_shop_never_applies_and_the_till_sees_only_lists_of_no_shop(world):
    entry("shop-b", world["variant"], "10", shop=world["b"])
    assert price(world, shop="a").net == BASE
    assert price(world, shop="a").price_list is None
    assert price(world).net == BASE  # no shop (the till, an e-mail): not a shop's list
    assert price(world, shop="b").net == Decimal("10")


def test_a_shop_list_keeps_its_quantity_breaks_and_dates(world):
    v = world["variant"]
    entry("shop-a", v, "90", shop=world["a"])
    entry("shop-a", v, "80", shop=world["a"], min_quantity=10)
    entry("shop-a-later", v, "50", shop=world["a"], starts_at=NOW + dt.timedelta(days=1))
    entry("shop-a-over", v, "40", shop=world["a"], ends_at=NOW)
    no_one = {"company": False, "group": False, "shop": "a"}
    assert [price(world, quantity=q, **no_one).net for q in (1, 9, 10)] == [
        Decimal("90"), Decimal("90"), Decimal("80")
    ]  # fmt: skip
    breaks = services.price_breaks(variant=v, at=NOW, shop_id=world["a"].pk)
    assert [(b.min_quantity, b.price.net) for b in breaks] == [(1, Decimal("90")), (10, Decimal("80"))]
    assert services.price_breaks(variant=v, at=NOW, shop_id=world["b"].pk) == []


def test_the_storefront_batch_reads_the_same_shop_rule(world, django_assert_num_queries):
    v = world["variant"]
    entry("shop-a", v, "85", shop=world["a"])
    entry("shop-b", v, "75", shop=world["b"])
    with django_assert_num_queries(1):
        on_a = selectors.best_entries(variant_ids=[v.pk], at=NOW, shop_id=world["a"].pk)
    assert on_a == {v.pk: (Decimal("85.0000"), "shop-a")}
    assert selectors.best_entries(variant_ids=[v.pk], at=NOW) == {}
    v.product.refresh_from_db()
    shown = selectors.display_prices(variants=[v], at=NOW, shop_id=world["b"].pk)[v.pk]
    assert (shown.net_eur, shown.price_list, shown.is_discounted) == (Decimal("75.0000"), "shop-b", True)


def test_another_companys_list_never_applies(world):
    entry("theirs", world["variant"], "10", company=world["other_company"])
    assert price(world).net == BASE
    assert price(world).price_list is None


def test_quantity_breaks_apply_from_their_quantity_and_the_discount_shows(world):
    v = world["variant"]
    entry("company", v, "90", company=world["company"])
    entry("company", v, "80", company=world["company"], min_quantity=10)
    entry("company", v, "75", company=world["company"], min_quantity=50)
    assert [price(world, quantity=q).net for q in (1, 9, 10, 49, 50, 500)] == [
        Decimal(p) for p in ("90", "90", "80", "80", "75", "75")
    ]
    at_ten = price(world, quantity=10)
    assert (at_ten.base_net, at_ten.discount_percent, at_ten.min_quantity) == (BASE, Decimal("20.0"), 10)
    breaks = services.price_breaks(variant=v, customer_group=world["group"], company=world["company"], at=NOW)
    assert [(b.min_quantity, b.price.net) for b in breaks] == [(1, Decimal("90")), (10, Decimal("80")),
                                                               (50, Decimal("75"))]  # fmt: skip


def test_a_break_only_list_leaves_small_quantities_to_the_next_list(world):
    v = world["variant"]
    entry("group", v, "92", customer_group=world["group"])
    entry("company", v, "85", company=world["company"], min_quantity=20)
    assert price(world, quantity=5).price_list == "group"
    assert price(world, quantity=20).price_list == "company"


def test_dates_bound_a_list(world):
    v = world["variant"]
    entry("past", v, "50", company=world["company"], ends_at=NOW - dt.timedelta(hours=1))
    entry("future", v, "60", company=world["company"], starts_at=NOW + dt.timedelta(hours=1))
    assert price(world).net == BASE


def test_unit_prices_is_one_query_for_a_cart(world, django_assert_num_queries):
    variants = [world["variant"], *(VariantFactory(product__base_price_ht=BASE) for _ in range(4))]
    for n, v in enumerate(variants):
        entry("company", v, str(50 + n), company=world["company"], min_quantity=n + 1)
    with django_assert_num_queries(1):
        prices = services.unit_prices(
            variants=variants, customer_group=world["group"], company=world["company"], at=NOW,
            quantities={v.pk: 3 for v in variants},
        )  # fmt: skip
    assert [prices[v.pk].net for v in variants] == [Decimal(50), Decimal(51), Decimal(52), BASE, BASE]


def test_a_quantity_break_below_one_is_refused_by_the_database(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        entry("company", world["variant"], "1", company=world["company"], min_quantity=0)


# --- the rule, property-based ---------------------------------------------------------------------

LIST_KINDS = ("company", "other_company", "group", "other_group", "everyone")
SHOPS = (None, "a", "b")  # a list of every shop, of shop A, of shop B
list_spec = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(LIST_KINDS),
        "shop": st.sampled_from(SHOPS),
        "priority": st.integers(0, 3),
        "dated": st.sampled_from(["always", "past", "future", "now"]),
        "entries": st.lists(
            st.tuples(st.sampled_from([1, 5, 10, 25]), st.integers(40, 120)),
            min_size=1,
            max_size=3,
            unique_by=lambda e: e[0],
        ),  # fmt: skip
    }
)


def expected(specs, quantity, *, company, group, shop):
    """The rule read literally: filter, then sort by (rank, priority, break, -price). Rank: company 4,
    group 3, a list of the shop 2, everybody 1 (a company or group list of one shop keeps its rank)."""
    rank = {"company": 4, "group": 3, "everyone": 1}
    candidates = []
    for spec in specs:
        if spec["dated"] in ("past", "future"):
            continue
        kind = spec["kind"]
        if kind in ("other_company", "other_group"):
            continue
        if kind == "company" and not company or kind == "group" and not group:
            continue
        if spec["shop"] is not None and spec["shop"] != shop:
            continue  # another shop's list, or a shop's list at the till
        list_rank = 2 if kind == "everyone" and spec["shop"] is not None else rank[kind]
        for min_quantity, price_ in spec["entries"]:
            if min_quantity <= quantity:
                candidates.append((list_rank, spec["priority"], min_quantity, -price_))
    if not candidates:
        return BASE
    return Decimal(-max(candidates)[3])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    specs=st.lists(list_spec, min_size=0, max_size=5),
    quantity=st.sampled_from([1, 4, 5, 9, 10, 30]),
    as_company=st.booleans(),
    with_group=st.booleans(),
    on_shop=st.sampled_from(SHOPS),
)
def test_the_query_follows_the_rule(world, specs, quantity, as_company, with_group, on_shop):
    PriceListEntry.objects.all().delete()
    PriceList.objects.all().delete()
    v = world["variant"]
    owners = {
        "company": {"company": world["company"]},
        "other_company": {"company": world["other_company"]},
        "group": {"customer_group": world["group"]},
        "other_group": {"customer_group": world["other_group"]},
        "everyone": {},
    }
    dates = {
        "always": {},
        "past": {"starts_at": NOW - dt.timedelta(days=9), "ends_at": NOW - dt.timedelta(days=1)},
        "future": {"starts_at": NOW + dt.timedelta(days=1)},
        "now": {"starts_at": NOW - dt.timedelta(days=1), "ends_at": NOW + dt.timedelta(days=1)},
    }
    for n, spec in enumerate(specs):
        plist = PriceList.objects.create(
            code=f"l{n}",
            name=f"l{n}",
            priority=spec["priority"],
            shop=world[spec["shop"]] if spec["shop"] else None,
            **owners[spec["kind"]],
            **dates[spec["dated"]],
        )
        for min_quantity, price_ in spec["entries"]:
            PriceListEntry.objects.create(
                price_list=plist, variant=v, price_ht=Decimal(price_), min_quantity=min_quantity
            )
    got = services.unit_price(
        variant=v,
        customer_group=world["group"] if with_group else None,
        company=world["company"] if as_company else None,
        quantity=quantity,
        at=NOW,
        shop_id=world[on_shop].pk if on_shop else None,
    )
    assert got.net == expected(specs, quantity, company=as_company, group=with_group, shop=on_shop)
