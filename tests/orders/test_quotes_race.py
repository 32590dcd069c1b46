"""Real threads on PostgreSQL (issue 17): two buyers of a company (or one double click) accepting the
same quote at once get ONE order; the quote row is locked, the second finds it accepted."""

from __future__ import annotations

import pytest

from inventory.models import StockLevel
from inventory.selectors import check_ledger
from orders.models import Order, Quote, QuoteStatus
from orders.services import quotes
from tests.concurrency import run_in_threads
from tests.orders.quotes_support import make_quote_shop, sent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_buyers_accepting_at_once_get_one_order():
    shop = make_quote_shop()
    quote = sent(shop)
    buyers = [shop.anna, shop.bruno, shop.dario, shop.anna]  # the last: Anna's double click

    def work(i):
        return quotes.accept_quote(
            quote=quote, user=buyers[i], delivery_method="click_collect", location_code="AJA"
        ).order_id

    outcomes = run_in_threads(4, work)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len(set(outcomes)) == 1
    assert Order.objects.count() == 1
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.ACCEPTED
    assert StockLevel.objects.get(variant=shop.box, location=shop.aja).reserved == 12
    assert StockLevel.objects.get(variant=shop.mug, location=shop.aja).reserved == 10
    assert check_ledger().mismatches == []
