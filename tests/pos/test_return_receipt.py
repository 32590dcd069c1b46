"""The printed return receipt / store credit note (/pos/returns/<number>/receipt/): the legal
mentions, the original sale, the lines taken back with their amounts and VAT per rate, how the money
went back, and for store credit its code, barcode, amount and validity. Seen by the staff of the
store that took the goods back (and staff anywhere), like the sale receipt."""

import re
import uuid

import pytest

from pos.services import returns
from pos.services.returns import ReturnLineInput as L
from pos.services.sales import SaleLineInput as S
from tests.factories import UserFactory, cashier, manager
from tests.pos.returns_support import *  # noqa: F403
from tests.pos.returns_support import sale
from tests.pos.test_returns import web_order

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def url(ret) -> str:
    return f"/pos/returns/{ret.number}/receipt/"


@pytest.fixture
def anna_en(pos):
    pos.anna.preferred_language = "en"
    pos.anna.save(update_fields=["preferred_language"])
    return pos.anna


def test_a_cash_return_receipt_shows_the_lines_the_vat_and_the_refund(pos, anna_en, client):
    order = sale(pos, [(pos.tee, 2, "25.00"), (pos.mug, 1, "6.00")], [("cash", "31.00", "0", "")])
    ret = returns.create_return(
        session=pos.session,
        user=anna_en,
        sale_number=order.number,
        lines=[L("TEE", 1), L("MUG", 1, "damaged")],
    ).ret
    client.force_login(anna_en)

    response = client.get(url(ret))

    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(html)
    for mention in [
        "Maison Demo SAS · SAS au capital de 50 000 EUR",
        "SIRET 83204715300016",
        "VAT no. FR22832047153",
        "RCS Ajaccio 832 047 153",
        "Return receipt",
        f"Return no. {ret.number}",
        f"Original sale {order.number}",
        "Register Caisse 1",
        "Cashier Anna",
        "Tee TEE · Resellable 1 -12.50",
        "Mug MUG · Damaged 1 -6.00",
        "Refund -€18.50",
        "of which VAT -3.09",  # 25.00 line: VAT 4.17, half 2.085 -> 2.09; mug 1.00
        "Refunded by Cash €18.50",
    ]:
        assert mention in text, mention
    assert (
        '<td>20 %</td><td class="num">-15.41</td><td class="num">-3.09</td><td class="num">-18.50</td>'
        in html
    )
    assert "Store credit" not in text  # no credit note: money went back in cash


def test_a_store_credit_note_has_its_code_barcode_amount_and_validity(pos, anna_en, client):
    order = sale(pos, [(pos.tee, 1, "12.50")], [("card", "12.50", "0", "A-1")], customer=UserFactory())
    result = returns.create_return(
        session=pos.session,
        user=anna_en,
        sale_number=order.number,
        lines=[L("TEE", 1)],
        refund="store_credit",
    )
    credit = result.store_credit
    client.force_login(anna_en)

    html = client.get(url(result.ret)).content.decode()

    text = text_of(html)
    for mention in [
        "Store credit note",
        f"Code {credit.code}",
        "Amount €12.50",
        "Valid until spent, no expiry",
        "Refunded by Store credit €12.50",
        "Refund -€12.50",
    ]:
        assert mention in text, mention
    barcode = html[html.index('<figure class="ticket__barcode"') :]
    assert "<svg" in barcode and f"<figcaption>{credit.code}</figcaption>" in barcode


def test_a_web_order_returned_at_the_till_shows_its_shipping_and_online_refund(
    pos, anna_en, client, eager_celery, django_capture_on_commit_callbacks
):
    order = web_order(pos)
    with django_capture_on_commit_callbacks(execute=True):
        ret = returns.create_return(
            session=pos.session,
            user=anna_en,
            sale_number=order.number,
            lines=[L("TEE", 2), L("MUG", 1)],
            contact=order.email,
        ).ret
    client.force_login(anna_en)

    text = text_of(client.get(url(ret)).content.decode())

    for mention in [
        f"Original sale {order.number}",
        "Delivery -4.90",
        "Refund -€35.90",
        "of which VAT -5.99",  # tees 4.17 + mug 1.00 + shipping 0.82
        "Refunded by Online payment €35.90",
    ]:
        assert mention in text, mention


def test_an_exchange_receipt_names_the_new_sale(pos, anna_en, client):
    order = sale(pos, [(pos.tee, 1, "12.50")], [("cash", "12.50", "0", "")])
    result = returns.create_exchange(
        session=pos.session,
        user=anna_en,
        client_uuid=uuid.uuid4(),
        sale_number=order.number,
        return_lines=[L("TEE", 1)],
        sale_lines=[S("MUG", 1)],
    )
    client.force_login(anna_en)

    text = text_of(client.get(url(result.returned.ret)).content.decode())

    new = result.sale.order.number
    for mention in [
        "Exchange: return receipt",
        f"Exchange {new} €6.00",  # the returned tee paid the mug
        "Cash €6.50",  # the rest back to the sale's cash
        f"Exchanged for sale {new}.",
    ]:
        assert mention in text, mention


def test_the_stores_own_siret_is_printed(pos, anna_en, client, settings):
    settings.SELLER = {**settings.SELLER, "store_sirets": {"AJA": "83204715300024"}}
    order = sale(pos, [(pos.tee, 1, "12.50")], [("cash", "12.50", "0", "")])
    ret = returns.create_return(
        session=pos.session, user=anna_en, sale_number=order.number, lines=[L("TEE", 1)]
    ).ret
    client.force_login(anna_en)

    assert "SIRET 83204715300024" in text_of(client.get(url(ret)).content.decode())


@pytest.fixture
def ret(pos):
    order = sale(pos, [(pos.tee, 1, "12.50")], [("cash", "12.50", "0", "")])
    return returns.create_return(
        session=pos.session, user=pos.anna, sale_number=order.number, lines=[L("TEE", 1)]
    ).ret


def test_another_stores_cashier_gets_a_404(pos, ret, client):
    client.force_login(pos.bruno)
    assert client.get(url(ret)).status_code == 404


def test_a_shopper_gets_a_404(ret, client):
    client.force_login(UserFactory())
    assert client.get(url(ret)).status_code == 404


def test_the_stores_other_cashier_and_headquarters_see_it(pos, ret, client):
    for user in (cashier(pos.aja, email="second@aja.example"), manager(email="boss@example.com")):
        client.force_login(user)
        assert client.get(url(ret)).status_code == 200


def test_an_unknown_return_is_404_and_a_login_is_needed(ret, client):
    response = client.get(url(ret))
    assert (response.status_code, response["Location"]) == (302, f"/pos/login/?next={url(ret)}")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/pos/returns/R1999-000001/receipt/").status_code == 404


def test_the_return_receipt_keeps_its_query_count(pos, ret, client, django_assert_max_num_queries):
    client.force_login(pos.anna)
    with django_assert_max_num_queries(9):
        assert client.get(url(ret)).status_code == 200


def test_the_till_links_the_printed_return_receipt(pos, client):
    client.force_login(pos.anna)
    html = client.get("/pos/").content.decode()
    assert '"returns": "/pos/returns/"' in html
    assert '"print_return_receipt": "' in html and '"print_credit_note": "' in html
