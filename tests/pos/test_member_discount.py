"""The customer's standing discount (a loyalty tier's, ``pricing.CustomerBenefit``) at the till:
taken after the promotion and before the coupon, spread over the lines to the cent, kept on the sale,
on the receipt, in the journal and the Z report with totals that add up."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Order
from pos.models import JournalEntry, PosSale
from pos.services import journal
from pos.services.sales import SaleLineInput, quote_sale
from pos.services.sessions import close_register_session
from pricing import services as pricing
from pricing.models import Coupon, DiscountKind, Promotion
from tests.core.api_helpers import api_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def promotion(**kwargs) -> Promotion:
    now = timezone.now()
    defaults = {
        "name": "Autumn",
        "kind": DiscountKind.PERCENT,
        "value": D("10"),
        "starts_at": now - dt.timedelta(days=1),
        "ends_at": now + dt.timedelta(days=1),
    }
    return Promotion.objects.create(**{**defaults, **kwargs})


@pytest.fixture
def gold(db):
    """A customer whose tier gives 5 % off everything."""
    user = UserFactory(email="gold@example.com", first_name="Gina")
    pricing.set_customer_benefit(
        customer_id=user.pk,
        discount_percent=D("5.00"),
        free_shipping=True,
        early_access=False,
        source="loyalty tier gold",
    )
    return user


BASKET = [SaleLineInput(sku="TSHIRT-M-RED", quantity=2), SaleLineInput(sku="MUG-1", quantity=1)]


def test_member_discount_comes_after_the_promotion_and_before_the_coupon(store, tshirt, mug, gold):
    promotion(name="Ajaccio 5 EUR", kind=DiscountKind.FIXED, value=D("5"), location=store)
    Coupon.objects.create(code="MERCI", promotion=promotion(name="Merci", requires_coupon=True))

    quote = quote_sale(store=store, lines=BASKET, coupon_code="merci", customer=gold)

    assert quote.subtotal_gross == D("31.50")
    assert quote.promotion_discount == D("5.00")
    assert (quote.member_discount, quote.member_percent) == (D("1.33"), D("5.00"))  # 5 % of 26.50
    assert quote.member_label.endswith("−5 %")
    assert quote.coupon_discount == D("2.52")  # 10 % of 25.17
    assert quote.total_gross == D("22.65")
    assert quote.discount_gross == D("8.85")
    assert sum(line.total_gross for line in quote.lines) == quote.total_gross
    assert sum(line.discount_gross for line in quote.lines) == quote.discount_gross
    assert sum(line.total_net + line.total_vat for line in quote.lines) == quote.total_gross


def test_no_member_discount_for_an_anonymous_sale_or_a_customer_without_benefit(store, tshirt, mug, gold):
    plain = UserFactory(email="plain@example.com")
    for customer in (None, plain):
        quote = quote_sale(store=store, lines=BASKET, customer=customer)
        assert (quote.member_discount, quote.member_label, quote.total_gross) == (D("0"), "", D("31.50"))
    assert quote_sale(store=store, lines=BASKET, customer=gold).total_gross == D("29.92")  # 31.50 - 1.58


def test_the_quote_api_shows_the_member_discount(store, tshirt, mug, gold, cashier_user):
    body = {
        "lines": [{"sku": "TSHIRT-M-RED", "quantity": 2}, {"sku": "MUG-1", "quantity": 1}],
        "customer": gold.pk,
    }
    response = api_client(cashier_user).post("/api/v1/pos/quote/", body, format="json")
    assert response.status_code == 200, response.json()
    totals = response.json()["totals"]
    assert (totals["member_discount"], totals["total_gross"]) == ("1.58", "29.92")
    assert totals["member"].endswith("−5 %")


def test_a_sale_keeps_it_and_the_journal_and_z_report_add_up(session, cashier_user, tshirt, mug, gold, sell):
    result = sell(
        session, cashier_user, [("TSHIRT-M-RED", 2), ("MUG-1", 1)], [("card", "29.92")], customer=gold
    )
    order = Order.objects.get(pk=result.order.pk)
    assert (order.total_gross, order.discount_gross) == (D("29.92"), D("1.58"))
    assert sum(line.total_gross for line in order.lines.all()) == D("29.92")
    sale = PosSale.objects.get(order=order)
    assert (sale.member_discount, sale.member_percent) == (D("1.58"), D("5.00"))
    assert sale.member_label.endswith("−5 %")

    entry = JournalEntry.objects.get(reference=order.number, kind="sale")
    assert entry.total_gross == D("29.92")
    assert (entry.payload["total_gross"], entry.payload["discounts"]) == ("29.92", "1.58")
    assert sum(D(line["total_gross"]) for line in entry.payload["lines"]) == D("29.92")

    sell(session, cashier_user, [("MUG-1", 1)], [("cash", "10.00")])  # anonymous: list price
    close_register_session(session=session, user=cashier_user, counts={"10": 1})
    z = JournalEntry.objects.get(kind="z")
    assert z.total_gross == D("37.42")  # 29.92 + 7.50
    assert journal.verify_chains().ok


def test_the_receipt_shows_the_member_discount_line(client, session, cashier_user, tshirt, gold, sell):
    result = sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "20.00")], customer=gold)
    client.force_login(cashier_user)
    page = client.get(f"/pos/receipt/{result.order.number}/").content.decode()
    assert 'class="ticket__member"' in page
    assert "−5 %</dt><dd>-0" in page  # 5 % of 12.00 = 0.60
