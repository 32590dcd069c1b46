"""B2B quotes (issue 17, ``orders.services.quotes``): asked from the cart at the buyer's prices,
adjusted and sent by staff, accepted within the validity into an order at the quoted prices (terms,
approval and stock like a checkout), declined, expired, cancelled; every refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import PaymentTerms
from core import events
from inventory.models import StockLevel
from orders.errors import (
    CartClosed,
    EmptyCart,
    InvalidQuoteLine,
    NotACompanyBuyer,
    QuoteExpired,
    QuoteNotFound,
    QuoteNotOpen,
    QuoteStockShort,
)
from orders.events import QuoteSent
from orders.models import Approval, Cart, CartStatus, Order, OrderStatus, Quote, QuoteLine, QuoteStatus
from orders.services import quotes
from orders.services.b2b_terms import CreditLimitReached
from orders.tasks import expire_quotes
from tests.orders.quick_order_support import lines_of
from tests.orders.quotes_support import make_quote_shop, requested, sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_quote_shop()


def _reserved(variant, location):
    return StockLevel.objects.get(variant=variant, location=location).reserved


# --- asking ---------------------------------------------------------------------------------------


def test_a_buyer_asks_for_a_quote_with_her_current_prices_and_the_cart_stays(shop):
    quote = requested(shop)

    assert quote.number == f"Q{timezone.localdate().year}-000001"
    assert (quote.company, quote.requested_by, quote.status) == (shop.rossi, shop.anna, QuoteStatus.REQUESTED)
    assert quote.message == "Delivery in March, please."
    got = [
        (
            line.sku,
            line.quantity,
            line.list_unit_price,
            line.quoted_unit_price,
            line.total_net,
            line.total_gross,
        )
        for line in quote.lines.all()
    ]
    assert got == [
        ("BOX", 12, Decimal("10.0000"), Decimal("10.0000"), Decimal("120.00"), Decimal("144.00")),
        ("MUG", 10, Decimal("8.0000"), Decimal("8.0000"), Decimal("80.00"), Decimal("96.00")),  # Rossi's list
    ]
    assert (quote.total_net, quote.total_vat, quote.total_gross) == (
        Decimal("200.00"),
        Decimal("40.00"),
        Decimal("240.00"),
    )
    shop.cart.refresh_from_db()
    assert shop.cart.status == CartStatus.OPEN
    assert sorted(lines_of(shop.cart)) == [("BOX", 12), ("MUG", 10)]
    assert requested(shop).number.endswith("-000002")  # the numbering is gapless


def test_a_shopper_who_is_no_company_member_cannot_ask(shop):
    cart = Cart.objects.create(user=shop.shopper)
    from orders.services import cart as cart_services

    cart_services.add_to_cart(cart=cart, variant=shop.mug, quantity=1)
    with pytest.raises(NotACompanyBuyer) as refused:
        quotes.request_quote(cart=cart, user=shop.shopper)
    assert refused.value.http_status == 403
    assert Quote.objects.count() == 0


def test_an_empty_cart_is_refused(shop):
    empty = Cart.objects.create(user=shop.bruno)
    with pytest.raises(EmptyCart):
        quotes.request_quote(cart=empty, user=shop.bruno)
    assert Quote.objects.count() == 0 and QuoteLine.objects.count() == 0


def test_a_checked_out_cart_or_someone_elses_is_refused(shop):
    Cart.objects.filter(pk=shop.cart.pk).update(status=CartStatus.CHECKED_OUT)
    shop.cart.refresh_from_db()
    with pytest.raises(CartClosed):
        quotes.request_quote(cart=shop.cart, user=shop.anna)
    with pytest.raises(Exception) as other:
        quotes.request_quote(cart=shop.cart, user=shop.bruno)
    assert getattr(other.value, "http_status", None) == 404
    assert Quote.objects.count() == 0


def test_a_message_too_long_is_refused(shop):
    with pytest.raises(quotes.InvalidQuoteMessage):
        quotes.request_quote(cart=shop.cart, user=shop.anna, message="x" * 2001)
    assert Quote.objects.count() == 0


# --- staff ----------------------------------------------------------------------------------------


def test_staff_set_quoted_prices_and_quantities_and_the_totals_follow(shop):
    quote = requested(shop)
    box, mug = quote.lines.all()
    quotes.update_quote_lines(
        quote=quote,
        changes=[
            quotes.LineChange(line_id=box.pk, quantity=18, unit_price="7.3333"),
            quotes.LineChange(line_id=mug.pk, quantity=10, unit_price=Decimal("0")),
        ],
        staff_note="Carriage paid.",
    )
    quote.refresh_from_db()
    box.refresh_from_db()
    assert (box.quantity, box.quoted_unit_price, box.total_net, box.total_vat) == (
        18,
        Decimal("7.3333"),
        Decimal("132.00"),
        Decimal("26.40"),
    )
    assert box.discount_percent == Decimal("26.7")
    assert (quote.total_net, quote.total_vat, quote.total_gross) == (
        Decimal("132.00"),
        Decimal("26.40"),
        Decimal("158.40"),
    )
    assert quote.staff_note == "Carriage paid."


@pytest.mark.parametrize(
    ("quantity", "price", "field"),
    [
        (12, "-1", "unit_price"),
        (12, "abc", "unit_price"),
        (12, "1.23456", "unit_price"),
        (12, "NaN", "unit_price"),
        (0, "5", "quantity"),
        (-6, "5", "quantity"),
        (13, "5", "pack_size"),  # BOX goes by packs of 6
        (6, "5", "min_quantity"),  # ... from 12
    ],
)
def test_bad_prices_and_quantities_are_refused_and_nothing_changes(shop, quantity, price, field):
    quote = requested(shop)
    box, mug = quote.lines.all()
    with pytest.raises(InvalidQuoteLine) as refused:
        quotes.update_quote_lines(
            quote=quote,
            changes=[
                quotes.LineChange(line_id=mug.pk, quantity=20, unit_price="1"),  # valid, but not written
                quotes.LineChange(line_id=box.pk, quantity=quantity, unit_price=price),
            ],
        )
    assert refused.value.detail.get("field", refused.value.detail.get("rule")) == field
    assert [(line.quantity, line.quoted_unit_price) for line in quote.lines.all()] == [
        (12, Decimal("10.0000")),
        (10, Decimal("8.0000")),
    ]
    quote.refresh_from_db()
    assert quote.total_net == Decimal("200.00")


def test_a_line_of_another_quote_is_refused(shop):
    quote, other = requested(shop), requested(shop)
    with pytest.raises(InvalidQuoteLine):
        quotes.update_quote_lines(
            quote=quote,
            changes=[quotes.LineChange(line_id=other.lines.first().pk, quantity=12, unit_price="1")],
        )


def test_sending_sets_the_validity_publishes_the_event_and_freezes_the_lines(shop, settings):
    settings.B2B_QUOTE_VALIDITY_DAYS = 15
    quote = requested(shop)
    with events.recorded() as published:
        quotes.send_quote(quote=quote)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    assert quote.valid_until == timezone.localdate() + dt.timedelta(days=15)
    assert [e for e in published if isinstance(e, QuoteSent)] == [
        QuoteSent(quote_id=quote.pk, number=quote.number)
    ]
    with pytest.raises(QuoteNotOpen):
        quotes.update_quote_lines(
            quote=quote,
            changes=[quotes.LineChange(line_id=quote.lines.first().pk, quantity=12, unit_price="1")],
        )
    with pytest.raises(QuoteNotOpen):
        quotes.send_quote(quote=quote)


# --- accepting ------------------------------------------------------------------------------------


def test_accepting_places_an_order_at_the_quoted_prices_on_terms(shop):
    quote = sent(shop)

    accepted = quotes.accept_quote(
        quote=quote, user=shop.bruno, delivery_method="click_collect", location_code="AJA"
    )

    assert accepted.status == QuoteStatus.ACCEPTED and accepted.decided_by == shop.bruno
    order = accepted.order
    assert order is not None and order.reference == f"quote:{quote.number}"
    lines = [
        (line.sku, line.quantity, line.unit_price_net, line.total_net, line.total_gross)
        for line in order.lines.order_by("sku")
    ]
    assert lines == [
        ("BOX", 12, Decimal("7.5000"), Decimal("90.00"), Decimal("108.00")),
        ("MUG", 10, Decimal("8.0000"), Decimal("80.00"), Decimal("96.00")),
    ]
    assert (order.total_net, order.total_vat, order.total_gross) == (
        Decimal("170.00"),
        Decimal("34.00"),
        Decimal("204.00"),
    )
    assert (order.company, order.payment_terms, order.status) == (
        shop.rossi,
        PaymentTerms.NET_30_EOM,
        OrderStatus.PAID,
    )
    assert order.due_date is not None
    assert _reserved(shop.box, shop.aja) == 12 and _reserved(shop.mug, shop.aja) == 10
    shop.cart.refresh_from_db()
    assert shop.cart.status == CartStatus.OPEN  # the cart was never touched


def test_accepting_twice_gives_the_same_order(shop):
    quote = sent(shop)
    first = quotes.accept_quote(
        quote=quote, user=shop.anna, delivery_method="click_collect", location_code="AJA"
    )
    again = quotes.accept_quote(
        quote=quote, user=shop.bruno, delivery_method="click_collect", location_code="AJA"
    )
    assert again.order_id == first.order_id
    assert Order.objects.count() == 1
    assert _reserved(shop.box, shop.aja) == 12


def test_above_the_approval_limit_a_buyer_s_order_waits_for_the_approver(shop):
    shop.rossi.approval_limit = Decimal("100.00")
    shop.rossi.save()
    quote = sent(shop)
    order = quotes.accept_quote(
        quote=quote, user=shop.anna, delivery_method="click_collect", location_code="AJA"
    ).order
    assert (order.status, order.approval) == (OrderStatus.PENDING_PAYMENT, Approval.PENDING)


def test_the_credit_limit_refuses_and_nothing_is_written(shop):
    shop.rossi.credit_limit = Decimal("150.00")
    shop.rossi.save()
    quote = sent(shop)
    with pytest.raises(CreditLimitReached):
        quotes.accept_quote(quote=quote, user=shop.anna, delivery_method="click_collect", location_code="AJA")
    quote.refresh_from_db()
    assert (quote.status, quote.order_id) == (QuoteStatus.SENT, None)
    assert Order.objects.count() == 0 and _reserved(shop.box, shop.aja) == 0


def test_a_company_paying_online_gets_an_order_awaiting_payment(shop):
    shop.rossi.payment_terms = PaymentTerms.ONLINE
    shop.rossi.save()
    order = quotes.accept_quote(
        quote=sent(shop), user=shop.anna, delivery_method="click_collect", location_code="AJA"
    ).order
    assert (order.status, order.payment_terms, order.total_gross) == (
        OrderStatus.PENDING_PAYMENT,
        "",
        Decimal("204.00"),
    )


def test_short_stock_is_a_409_naming_every_missing_line_and_nothing_is_written(shop):
    from inventory import services as inventory

    inventory.sell_stock(variant=shop.box, location=shop.aja, quantity=25, reference="S-1")  # 5 left
    inventory.sell_stock(variant=shop.mug, location=shop.aja, quantity=35, reference="S-2")  # 5 left
    quote = sent(shop)
    with pytest.raises(QuoteStockShort) as short:
        quotes.accept_quote(quote=quote, user=shop.anna, delivery_method="click_collect", location_code="AJA")
    assert short.value.http_status == 409
    assert short.value.detail["lines"] == [
        {"sku": "BOX", "name": "Box", "requested": 12, "available": 5},
        {"sku": "MUG", "name": "Mug", "requested": 10, "available": 5},
    ]
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT and Order.objects.count() == 0


def test_past_its_validity_a_quote_is_refused_at_accept_time(shop):
    quote = sent(shop)
    Quote.objects.filter(pk=quote.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(QuoteExpired):
        quotes.accept_quote(quote=quote, user=shop.anna, delivery_method="click_collect", location_code="AJA")
    assert Order.objects.count() == 0


def test_a_requested_quote_cannot_be_accepted(shop):
    quote = requested(shop)
    with pytest.raises(QuoteNotOpen):
        quotes.accept_quote(quote=quote, user=shop.anna, delivery_method="click_collect", location_code="AJA")
    assert Order.objects.count() == 0


def test_another_company_s_buyer_or_a_shopper_does_not_find_the_quote(shop):
    quote = sent(shop)
    for outsider in (shop.carla, shop.shopper):
        with pytest.raises(QuoteNotFound):
            quotes.accept_quote(
                quote=quote, user=outsider, delivery_method="click_collect", location_code="AJA"
            )
        with pytest.raises(QuoteNotFound):
            quotes.decline_quote(quote=quote, user=outsider)
        with pytest.raises(QuoteNotFound):
            quotes.quote_for(outsider, quote.number)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT and Order.objects.count() == 0
    assert quotes.quotes_for(shop.carla) == [] and quotes.quotes_for(shop.dario) == [quote]


def test_home_delivery_needs_an_address(shop):
    from orders.errors import InvalidAddress

    quote = sent(shop)
    with pytest.raises(InvalidAddress):
        quotes.accept_quote(quote=quote, user=shop.anna, delivery_method="home", shipping_address={})
    assert Order.objects.count() == 0


# --- declining, expiring, cancelling --------------------------------------------------------------


def test_a_buyer_declines_then_it_cannot_be_accepted(shop):
    quote = sent(shop)
    quotes.decline_quote(quote=quote, user=shop.dario)
    quote.refresh_from_db()
    assert (quote.status, quote.decided_by) == (QuoteStatus.DECLINED, shop.dario)
    with pytest.raises(QuoteNotOpen):
        quotes.accept_quote(quote=quote, user=shop.anna, delivery_method="click_collect", location_code="AJA")


def test_the_beat_task_expires_sent_quotes_past_their_validity_only(shop):
    late, current, asked = sent(shop), sent(shop), requested(shop)
    Quote.objects.filter(pk=late.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert expire_quotes() == 1
    assert {q.number: q.status for q in Quote.objects.all()} == {
        late.number: QuoteStatus.EXPIRED,
        current.number: QuoteStatus.SENT,
        asked.number: QuoteStatus.REQUESTED,
    }


def test_the_expiry_task_is_in_the_beat_schedule(settings):
    assert settings.CELERY_BEAT_SCHEDULE["expire-quotes"]["task"] == "orders.tasks.expire_quotes"


def test_staff_cancel_a_sent_quote_but_not_an_accepted_one(shop):
    quote = sent(shop)
    quotes.cancel_quote(quote=quote)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.CANCELLED
    other = sent(shop)
    quotes.accept_quote(quote=other, user=shop.anna, delivery_method="click_collect", location_code="AJA")
    with pytest.raises(QuoteNotOpen):
        quotes.cancel_quote(quote=other)


# --- personal data -----------------------------------------------------------------------------------


def test_the_buyer_s_quotes_are_in_their_export_and_lose_their_message_when_the_account_closes(shop):
    from orders.personal_data import erase_quotes, export_quotes

    quote = requested(shop)
    [exported] = export_quotes(shop.anna)
    assert (exported["number"], exported["company"], exported["message"], exported["status"]) == (
        quote.number, "Rossi SAS", "Delivery in March, please.", "requested",
    )  # fmt: skip
    assert [(line["sku"], line["quantity"]) for line in exported["lines"]] == [("BOX", 12), ("MUG", 10)]
    erase_quotes(shop.anna, "closed@example.invalid")
    quote.refresh_from_db()
    assert (quote.message, quote.requested_by_id, quote.company_id) == (
        "",
        None,
        shop.rossi.pk,
    )  # the company keeps it
    assert export_quotes(shop.anna) == []
