"""The quotes in the admin (issue 17): staff change a requested quote's lines through the service
(a refused change saves nothing), send it with the action, and see only their shops' quotes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.models import Quote, QuoteStatus
from shops import services as shop_services
from tests.factories import staff
from tests.orders.quotes_support import make_quote_shop, requested

pytestmark = pytest.mark.django_db
LIST = "/admin/orders/quote/"


@pytest.fixture
def shop():
    return make_quote_shop()


def _form(quote, prices: dict[str, tuple[int, str]], note: str = "") -> dict[str, str]:
    lines = list(quote.lines.all())
    data = {
        "staff_note": note,
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(lines):
        quantity, price = prices.get(line.sku, (line.quantity, str(line.quoted_unit_price)))
        data |= {
            f"lines-{i}-id": str(line.pk),
            f"lines-{i}-quote": str(quote.pk),
            f"lines-{i}-quantity": str(quantity),
            f"lines-{i}-quoted_unit_price": price,
        }
    return data


def test_staff_adjust_the_lines_then_send_the_quote(client, shop):
    quote = requested(shop)
    client.force_login(staff())
    response = client.post(f"{LIST}{quote.pk}/change/", _form(quote, {"BOX": (18, "7.50")}, "Carriage paid."))
    assert response.status_code == 302, response.content.decode()[:2000]
    quote.refresh_from_db()
    assert [(line.sku, line.quantity, line.quoted_unit_price) for line in quote.lines.all()] == [
        ("BOX", 18, Decimal("7.5000")),
        ("MUG", 10, Decimal("8.0000")),
    ]
    assert (quote.total_net, quote.staff_note) == (Decimal("215.00"), "Carriage paid.")

    response = client.post(LIST, {"action": "send_to_buyer", "_selected_action": [quote.pk]}, follow=True)
    assert f"1 devis ({quote.number})" in response.content.decode()  # the admin speaks French
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT and quote.valid_until is not None


def test_a_quantity_off_the_pack_size_saves_nothing_and_says_why(client, shop):
    quote = requested(shop)
    client.force_login(staff())
    response = client.post(
        f"{LIST}{quote.pk}/change/", _form(quote, {"BOX": (13, "7.50"), "MUG": (20, "1")}, "x"), follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert (
        len(messages) == 1 and messages[0].startswith("Rien n'a été enregistré : BOX") and "13" in messages[0]
    )
    quote.refresh_from_db()
    assert [(line.quantity, line.quoted_unit_price) for line in quote.lines.all()] == [
        (12, Decimal("10.0000")),
        (10, Decimal("8.0000")),
    ]
    assert quote.staff_note == ""


def test_staff_limited_to_a_shop_see_only_its_quotes_and_can_filter_by_status(client, shop):
    pro = shop_services.create_shop(code="pro", name="Pro", hosts=["pro.localhost"])
    main = requested(shop)
    Quote.objects.filter(pk=main.pk).update(shop=None)  # the default shop's
    other = requested(shop)
    Quote.objects.filter(pk=other.pk).update(shop=pro)
    member = staff()
    shop_services.limit_staff_to_shops(user=member, shops=[pro])
    client.force_login(member)
    assert [q.number for q in client.get(LIST).context["cl"].result_list] == [other.number]
    client.force_login(staff())
    assert len(client.get(LIST).context["cl"].result_list) == 2
    assert client.get(f"{LIST}?status__exact=sent").context["cl"].result_list.count() == 0
