"""The Z (and X) report nets the session's returns out of sales and VAT, per rate, and labels VAT as
VAT ("TVA"), not "TTC". The case of the issue: 287.28 of sales, then 101.16 given back (a web order
brought back to the store and part of a till sale) used to leave the report at 287.28."""

import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from core.numbering import next_number
from inventory import services as inventory
from orders.models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus
from pos.models import CashMovement, PosSale, SaleTender
from pos.selectors import z_report
from pos.services import returns
from pos.services.returns import ReturnLineInput as L
from pos.services.sales import SaleLineInput as S
from pos.services.sessions import close_register_session
from tests.factories import VariantFactory
from tests.pos.returns_support import *  # noqa: F403
from tests.pos.returns_support import D, sale
from tests.pos.test_returns import web_order

pytestmark = pytest.mark.django_db


@transaction.atomic
def till_sale(pos, lines, tenders, session=None):
    """A completed store sale with lines at any VAT rate: ``lines`` [(variant, qty, gross, rate)],
    ``tenders`` [(tender, amount, change)]. Net = gross / (1 + rate) rounded, VAT = the rest."""
    session = session or pos.session
    store = session.register.store
    year = timezone.localdate().year
    rows = [(v, q, D(g), D(r)) for v, q, g, r in lines]
    nets = [(g / (1 + r)).quantize(D("0.01")) for _, _, g, r in rows]
    total = sum((g for _, _, g, _ in rows), D("0"))
    net = sum(nets, D("0"))
    order = Order.objects.create(
        number=f"S{year}-{next_number(f'order-S-{year}'):06d}",
        channel=Channel.STORE,
        status=OrderStatus.COMPLETED,
        delivery_method=DeliveryMethod.IN_STORE,
        location=store,
        reference=str(uuid.uuid4()),
        total_gross=total,
        total_gross_eur=total,
        total_net=net,
        total_vat=total - net,
    )
    for (variant, quantity, gross, rate), line_net in zip(rows, nets, strict=True):
        OrderLine.objects.create(
            order=order,
            variant=variant,
            sku=variant.sku,
            name=variant.product.name,
            quantity=quantity,
            unit_price_net=(line_net / quantity).quantize(D("0.0001")),
            vat_rate=rate,
            total_net=line_net,
            total_vat=gross - line_net,
            total_gross=gross,
        )
        inventory.sell_stock(variant=variant, location=store, quantity=quantity, reference=order.number)
    for tender, amount, change in tenders:
        SaleTender.objects.create(
            order=order, session=session, tender=tender, amount=D(amount), change_given=D(change)
        )
        CashMovement.objects.create(
            session=session,
            kind="sale",
            tender=tender,
            amount=D(amount) - D(change),
            reference=order.number,
            user=session.opened_by,
        )
    PosSale.objects.create(
        order=order,
        session=session,
        client_uuid=uuid.UUID(order.reference),
        cashier=session.opened_by,
        sold_at=timezone.now(),
    )
    return order


@pytest.fixture
def goods(pos):
    """A book (5.5 % VAT), a tea (10 %) and a scarf (20 %) on the Ajaccio shelf, beside the tee and mug."""
    made = {}
    for sku, name in [("BOOK", "Book"), ("TEA", "Tea"), ("SCARF", "Scarf")]:
        made[sku] = VariantFactory(sku=sku, product__name=name, product__base_price_ht=D("10"))
        inventory.receive_stock(variant=made[sku], location=pos.aja, quantity=10, reference="PO-2")
    return made


def rows(vat_lines):
    return [(line.rate, line.net, line.vat, line.gross) for line in vat_lines]


@pytest.fixture
def day(pos, goods, eager_celery, django_capture_on_commit_callbacks):
    """287.28 sold at AJA-1, then a web order (35.90 with its shipping) and part of sale A (65.26)
    brought back: 101.16 given back."""
    book, tea, scarf = goods["BOOK"], goods["TEA"], goods["SCARF"]
    web = web_order(pos)  # 2 tees 25.00 + a mug 6.00 + shipping 4.90, paid online, from Ajaccio
    a = till_sale(pos, [(book, 3, "63.30", "0.055"), (scarf, 2, "46.12", "0.20")], [("card", "109.42", "0")])
    till_sale(
        pos, [(pos.tee, 4, "50.00", "0.20"), (pos.mug, 2, "12.00", "0.20")], [("cash", "70.00", "8.00")]
    )
    till_sale(
        pos,
        [(book, 2, "42.20", "0.055"), (tea, 5, "50.60", "0.10"), (scarf, 1, "23.06", "0.20")],
        [("card", "50.00", "0"), ("cash", "65.86", "0")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        back_web = returns.create_return(
            session=pos.session,
            user=pos.anna,
            sale_number=web.number,
            lines=[L("TEE", 2), L("MUG", 1)],
            contact=web.email,
        )
    back_till = returns.create_return(
        session=pos.session, user=pos.anna, sale_number=a.number, lines=[L("BOOK", 2), L("SCARF", 1)]
    )
    assert (back_web.ret.total_gross, back_till.ret.total_gross) == (D("35.90"), D("65.26"))
    return pos


def test_the_x_report_nets_a_web_return_and_a_till_return_out_of_sales_and_vat(day):
    report = z_report(day.session)

    assert not report.is_final
    assert (report.sales_count, report.sales_total) == (3, D("287.28"))
    assert (report.returns_count, report.returns_total) == (2, D("101.16"))
    assert report.net_sales == D("186.12")
    assert rows(report.sales_vat_breakdown) == [
        (D("0.0550"), D("100.00"), D("5.50"), D("105.50")),
        (D("0.1000"), D("46.00"), D("4.60"), D("50.60")),
        (D("0.2000"), D("109.32"), D("21.86"), D("131.18")),
    ]
    # Returned: 2 of 3 books (VAT 3.30 x 2/3 = 2.20), 1 of 2 scarves (7.69 / 2 = 3.845 -> 3.85), the
    # web order's tees (4.17), mug (1.00) and shipping (4.90 TTC: 4.08 HT, 0.82 VAT).
    assert rows(report.returns_vat_breakdown) == [
        (D("0.055"), D("40.00"), D("2.20"), D("42.20")),
        (D("0.20"), D("49.12"), D("9.84"), D("58.96")),
    ]
    assert rows(report.vat_breakdown) == [
        (D("0.055"), D("60.00"), D("3.30"), D("63.30")),
        (D("0.1000"), D("46.00"), D("4.60"), D("50.60")),
        (D("0.20"), D("60.20"), D("12.02"), D("72.22")),
    ]
    assert (report.net_excl_vat, report.net_vat) == (D("166.20"), D("19.92"))
    assert report.vat_detail == [
        (D("5.5"), D("5.50"), D("2.20"), D("3.30")),
        (D("10"), D("4.60"), D("0.00"), D("4.60")),
        (D("20"), D("21.86"), D("9.84"), D("12.02")),
    ]
    # tenders as before: the till return went back to sale A's card, the web one online
    assert [(t.tender, t.expected) for t in report.tenders] == [
        ("cash", D("227.86")),  # 100 float + 62.00 + 65.86
        ("card", D("94.16")),  # 109.42 + 50.00 - 65.26
    ]


def test_the_z_report_after_closing_keeps_the_netted_figures_and_the_page_says_tva(day, client):
    close_register_session(
        session=day.session,
        user=day.anna,
        counts={"200": 1, "20": 1, "5": 1, "2": 1, "0.5": 1, "0.2": 1, "0.1": 1, "0.05": 1, "0.01": 1},
        card_total=D("94.16"),
    )

    day.session.refresh_from_db()
    report = z_report(day.session)
    assert report.is_final and report.difference == D("0.00")
    assert (report.sales_total, report.returns_total, report.net_sales) == (
        D("287.28"),
        D("101.16"),
        D("186.12"),
    )

    day.anna.preferred_language = "fr"
    day.anna.save(update_fields=["preferred_language"])
    client.force_login(day.anna)
    html = client.get(f"/pos/sessions/{day.session.pk}/z/").content.decode()
    for text in [
        "287,28",
        "-101,16",
        "186,12",
        # netted VAT per rate: HT, TVA, TTC
        '<td>20 %</td><td class="num">60,20</td><td class="num">12,02</td><td class="num">72,22</td>',
        '<td>5,5 %</td><td class="num">60,00</td><td class="num">3,30</td><td class="num">63,30</td>',
        '<th scope="col" class="num">TVA</th>',
        '<th scope="col" class="num">TTC</th>',
    ]:
        assert text in html, text
    # the VAT column is TVA: no VAT amount labelled TTC
    assert '<th scope="col" class="num">TTC</th><th scope="col" class="num">TTC</th>' not in html


def test_the_z_page_shows_returns_in_english(day, client):
    client.force_login(day.anna)
    day.anna.preferred_language = "en"
    day.anna.save(update_fields=["preferred_language"])
    html = client.get(f"/pos/sessions/{day.session.pk}/z/").content.decode()
    for text in [
        "<dt>Gross sales incl. VAT</dt><dd>287.28</dd>",
        "<dt>Number of returns</dt><dd>2</dd>",
        "<dt>Returns incl. VAT</dt><dd>-101.16</dd>",
        "<dt>Net sales incl. VAT</dt><dd>186.12</dd>",
        "<dt>of which VAT</dt><dd>19.92</dd>",
    ]:
        assert text in html, text


def test_a_return_counts_in_the_session_that_took_it_back_only(pos, eager_celery):
    # A web order from Ajaccio brought back at Bastia: Bastia's report, not Ajaccio's.
    web = web_order(pos, captured=False)

    returns.create_return(
        session=pos.session_bas,
        user=pos.bruno,
        sale_number=web.number,
        lines=[L("MUG", 1)],
        contact=web.email,
    )

    bastia, ajaccio = z_report(pos.session_bas), z_report(pos.session)
    assert (bastia.sales_total, bastia.returns_count, bastia.returns_total, bastia.net_sales) == (
        D("0.00"),
        1,
        D("6.00"),
        D("-6.00"),
    )
    assert rows(bastia.vat_breakdown) == [(D("0.20"), D("-5.00"), D("-1.00"), D("-6.00"))]
    assert (ajaccio.returns_count, ajaccio.returns_total) == (0, D("0.00"))


def test_an_exchange_counts_its_return_and_its_new_sale(pos):
    order = sale(pos, [(pos.tee, 1, "12.50")], [("card", "12.50", "0", "A-1")])

    returns.create_exchange(
        session=pos.session,
        user=pos.anna,
        client_uuid=uuid.uuid4(),
        sale_number=order.number,
        return_lines=[L("TEE", 1)],
        sale_lines=[S("MUG", 1)],
    )

    report = z_report(pos.session)
    assert (report.sales_count, report.sales_total) == (2, D("18.50"))  # the tee, then the mug
    assert (report.returns_count, report.returns_total, report.net_sales) == (1, D("12.50"), D("6.00"))
    assert rows(report.vat_breakdown) == [(D("0.20"), D("5.00"), D("1.00"), D("6.00"))]


def test_the_z_report_page_keeps_its_query_count(day, client, django_assert_max_num_queries):
    client.force_login(day.anna)
    with django_assert_max_num_queries(12):
        assert client.get(f"/pos/sessions/{day.session.pk}/z/").status_code == 200


def test_the_tills_closing_screen_gets_the_netted_figures_from_the_api(day):
    from tests.core.api_helpers import api_client

    response = api_client(day.anna).post(
        f"/api/v1/pos/sessions/{day.session.pk}/close/",
        {"counts": {"200": 1, "20": 1, "5": 1, "2": 1, "0.5": 1, "0.2": 1, "0.1": 1, "0.05": 1, "0.01": 1}},
        format="json",
    )

    assert response.status_code == 200
    z = response.json()
    assert (z["sales_count"], z["sales_total"], z["returns_count"], z["returns_total"], z["net_sales"]) == (
        3,
        "287.28",
        2,
        "101.16",
        "186.12",
    )
    assert z["vat_breakdown"] == [
        {"rate": "0.0550", "net": "60.00", "vat": "3.30", "gross": "63.30"},
        {"rate": "0.1000", "net": "46.00", "vat": "4.60", "gross": "50.60"},
        {"rate": "0.2000", "net": "60.20", "vat": "12.02", "gross": "72.22"},
    ]
