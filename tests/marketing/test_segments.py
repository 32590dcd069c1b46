"""RFM segments (nightly table) and the rule segments staff build, with their member counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from marketing import services, services_segments
from marketing.models import Channel, CustomerRfm, RfmSegment, Segment, SuppressionReason
from orders.models import Channel as OrderChannel
from orders.models import OrderStatus
from pricing import services as pricing_services
from tests.accounts.portal_support import address
from tests.factories import CategoryFactory, LocationFactory, VariantFactory
from tests.marketing.campaign_support import customer, order

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("recency", "first", "frequency", "monetary", "expected"),
    [
        (400, 800, 0, "0", RfmSegment.LOST),
        (366, 366, 1, "0", RfmSegment.LOST),
        (365, 700, 1, "80", RfmSegment.AT_RISK),
        (91, 500, 6, "2000", RfmSegment.AT_RISK),
        (90, 90, 1, "30", RfmSegment.NEW),
        (5, 60, 5, "5000", RfmSegment.NEW),
        (10, 400, 5, "1000", RfmSegment.CHAMPIONS),
        (10, 400, 5, "999.99", RfmSegment.LOYAL),
        (10, 400, 4, "5000", RfmSegment.LOYAL),
        (90, 91, 2, "40", RfmSegment.LOYAL),
    ],
)
def test_rfm_rules(recency, first, frequency, monetary, expected):
    assert (
        services_segments.rfm_segment(
            recency_days=recency, first_order_days=first, frequency=frequency, monetary=Decimal(monetary)
        )
        == expected
    )


def test_refresh_rfm_assigns_each_customer_from_web_and_till_orders():
    store = LocationFactory(code="BIA")
    new = customer("new@example.com")
    order(new, days_ago=3)
    champion = customer("champ@example.com")
    order(champion, days_ago=300, total="100.00")
    for days in (5, 20, 40, 60):
        order(champion, days_ago=days, total="250.00", channel=OrderChannel.STORE, location=store)
    loyal = customer("loyal@example.com")
    order(loyal, days_ago=200)
    order(loyal, days_ago=10, channel=OrderChannel.STORE, location=store)
    at_risk = customer("risk@example.com")
    order(at_risk, days_ago=150, total="400.00")
    order(at_risk, days_ago=120, total="400.00")
    lost = customer("lost@example.com")
    order(lost, days_ago=500)
    refunded_only = customer("refunded@example.com")
    order(refunded_only, days_ago=2, status=OrderStatus.REFUNDED)
    customer("never@example.com")
    now = timezone.now()
    CustomerRfm.objects.create(  # a row from an earlier night whose orders are gone: removed
        customer=refunded_only, first_order_at=now, last_order_at=now, recency_days=0, frequency=1,
        monetary=Decimal("1"), orders_total=1, segment=RfmSegment.NEW, computed_at=now,
    )  # fmt: skip

    counts = services_segments.refresh_rfm()

    assert counts == {"new": 1, "loyal": 1, "champions": 1, "at_risk": 1, "lost": 1}
    rows = {r.customer.email: r for r in CustomerRfm.objects.select_related("customer")}
    assert {email: r.segment for email, r in rows.items()} == {
        "new@example.com": "new",
        "champ@example.com": "champions",
        "loyal@example.com": "loyal",
        "risk@example.com": "at_risk",
        "lost@example.com": "lost",
    }
    champ = rows["champ@example.com"]
    assert (champ.recency_days, champ.frequency, champ.monetary, champ.orders_total) == (
        5,
        5,
        Decimal("1100.00"),
        5,
    )
    assert (rows["lost@example.com"].frequency, rows["lost@example.com"].monetary) == (0, Decimal("0"))

    # the next night: the new customer has not come back for 100 days
    services_segments.refresh_rfm(now=timezone.now() + dt.timedelta(days=97))
    assert CustomerRfm.objects.get(customer=new).segment == RfmSegment.AT_RISK
    assert CustomerRfm.objects.count() == 5


@pytest.fixture
def town():
    """Five consenting customers and one who does not consent, with different histories."""
    store = LocationFactory(code="AJA")
    shoes = CategoryFactory(name="Shoes", slug="shoes")
    boot = VariantFactory(sku="BOOT", product__category=shoes)
    other = VariantFactory(sku="SOAP")
    people = {}
    people["ana"] = customer("ana@example.com")
    order(
        people["ana"], days_ago=10, total="1200.00", location=store, variant=boot, channel=OrderChannel.STORE
    )
    address(people["ana"], city="Ajaccio")
    people["ben"] = customer("ben@example.com")
    order(people["ben"], days_ago=200, total="80.00", variant=other)
    address(people["ben"], city="Bastia")
    people["cat"] = customer("cat@example.com")
    order(people["cat"], days_ago=30, total="300.00", variant=boot)
    address(people["cat"], city="ajaccio ")
    people["dan"] = customer("dan@example.com")
    people["eve"] = customer("eve@example.com")
    order(
        people["eve"], days_ago=400, total="20.00", location=store, variant=other, channel=OrderChannel.STORE
    )
    people["zoe"] = customer("zoe@example.com", consent=False)
    order(
        people["zoe"], days_ago=10, total="1200.00", location=store, variant=boot, channel=OrderChannel.STORE
    )
    address(people["zoe"], city="Ajaccio")
    services_segments.refresh_rfm()
    return store, shoes, people


def _members(segment: Segment) -> list[str]:
    return sorted(u.email for u in services_segments.segment_members(segment))


def test_rule_segments_count_only_matching_consenting_members(town):
    store, shoes, people = town
    assert services_segments.member_count(Segment.objects.create(name="All")) == 5
    assert _members(Segment.objects.create(name="Store", store=store)) == [
        "ana@example.com",
        "eve@example.com",
    ]
    assert _members(Segment.objects.create(name="City", city="Ajaccio")) == [
        "ana@example.com",
        "cat@example.com",
    ]
    shoe_buyers = Segment.objects.create(name="Shoes")
    shoe_buyers.categories.set([shoes])
    assert _members(shoe_buyers) == ["ana@example.com", "cat@example.com"]
    assert _members(
        Segment.objects.create(name="Big", spend_min=Decimal("250"), spend_max=Decimal("1500"))
    ) == [
        "ana@example.com",
        "cat@example.com",
    ]
    today = timezone.localdate()
    recent = Segment.objects.create(name="Recent", last_purchase_after=today - dt.timedelta(days=60))
    assert _members(recent) == ["ana@example.com", "cat@example.com"]
    old = Segment.objects.create(name="Old", last_purchase_before=today - dt.timedelta(days=100))
    assert _members(old) == ["ben@example.com", "eve@example.com"]
    assert _members(Segment.objects.create(name="Lost", rfm_segment=RfmSegment.LOST)) == ["eve@example.com"]
    # several rules: all must match
    assert _members(Segment.objects.create(name="Shop+city", store=store, city="Ajaccio")) == [
        "ana@example.com"
    ]


def test_tier_rule_reads_the_benefit_loyalty_grants(town):
    _store, _shoes, people = town
    pricing_services.set_customer_benefit(
        customer_id=people["cat"].pk,
        discount_percent=Decimal("5"),
        free_shipping=True,
        early_access=True,
        source="loyalty tier gold",
    )
    pricing_services.set_customer_benefit(
        customer_id=people["ben"].pk,
        discount_percent=Decimal("2"),
        free_shipping=False,
        early_access=False,
        source="loyalty tier silver",
    )
    assert _members(Segment.objects.create(name="Gold", tier="gold")) == ["cat@example.com"]


def test_consent_filter_leaves_out_withdrawn_and_suppressed_and_follows_the_channel(town):
    _store, _shoes, people = town
    everyone = Segment.objects.create(name="All")
    services.withdraw(person=people["ben"])
    services.suppress(address="CAT@example.com", reason=SuppressionReason.HARD_BOUNCE)
    assert _members(everyone) == ["ana@example.com", "dan@example.com", "eve@example.com"]
    # staff accounts and inactive customers are never members
    User.objects.filter(pk=people["dan"].pk).update(is_active=False)
    User.objects.filter(pk=people["eve"].pk).update(is_staff=True)
    assert _members(everyone) == ["ana@example.com"]
    # nobody consented to SMS
    assert services_segments.member_count(Segment.objects.create(name="Texts", channel=Channel.SMS)) == 0
