"""The sale receipt carries the legal mentions French law asks of a till receipt: the seller's legal
name and form, the store's address, the SIRET of the establishment, the VAT number, the RCS; the
receipt number, register, cashier, date; the VAT per rate labelled VAT ("TVA"); duplicates marked
"DUPLICATA". The e-mailed receipt carries the same."""

import re
import uuid
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from pos import selectors
from pos.services.sales import SaleLineInput, TenderInput, record_sale

pytestmark = pytest.mark.django_db
D = Decimal

STORE_SIRET = "83204715300024"  # another establishment of SIREN 832047153 (valid Luhn)
HEAD_OFFICE_SIRET = "83204715300016"


@pytest.fixture
def sale(session, cashier_user, tshirt, mug, store):
    store.address_line = "3 rue Fesch"
    store.postal_code = "20000"
    store.city = "Ajaccio"
    store.save()
    cashier_user.preferred_language = "en"
    cashier_user.save(update_fields=["preferred_language"])
    return record_sale(
        session=session,
        user=cashier_user,
        client_uuid=uuid.uuid4(),
        lines=[SaleLineInput(sku="TSHIRT-M-RED", quantity=2), SaleLineInput(sku="MUG-1", quantity=1)],
        tenders=[TenderInput(kind="cash", amount=D("40.00"))],
    ).order


def text_of(html: str) -> str:
    """The receipt as the customer reads it: tags out, spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_receipt_names_the_seller_the_store_and_the_head_office_siret(client, cashier_user, sale):
    client.force_login(cashier_user)

    html = client.get(f"/pos/receipt/{sale.number}/").content.decode()

    text = text_of(html)
    for mention in [
        "Maison Demo SAS · SAS au capital de 50 000 EUR",
        "3 rue Fesch",
        "20000 Ajaccio",
        f"SIRET {HEAD_OFFICE_SIRET}",
        "VAT no. FR22832047153",
        "RCS Ajaccio 832 047 153",
        "Head office: 12 cours Napoléon, 20000 Ajaccio",
        f"Receipt no. {sale.number}",
        "Register Ajaccio 1",
        "Cashier Marie",
        "Total €31.50",
        "of which VAT €5.25",
        "Cash €40.00",
        "Change given €8.50",
    ]:
        assert mention in text, mention
    assert "DUPLICATA" not in html


def test_the_store_prints_its_own_siret_when_it_has_one(client, cashier_user, sale, settings):
    settings.SELLER = {**settings.SELLER, "store_sirets": {"AJA": STORE_SIRET}}
    client.force_login(cashier_user)

    text = text_of(client.get(f"/pos/receipt/{sale.number}/").content.decode())

    assert f"SIRET {STORE_SIRET}" in text
    assert HEAD_OFFICE_SIRET not in text


def test_the_vat_breakdown_per_rate_is_labelled_tva_in_french(client, cashier_user, sale):
    cashier_user.preferred_language = "fr"
    cashier_user.save(update_fields=["preferred_language"])
    client.force_login(cashier_user)

    html = client.get(f"/pos/receipt/{sale.number}/").content.decode()

    assert '<h2 class="ticket__h2">TVA</h2>' in html
    assert (
        '<th scope="col">Taux</th><th scope="col" class="num">HT</th>'
        '<th scope="col" class="num">TVA</th><th scope="col" class="num">TTC</th>'
    ) in html
    row = '<td>20 %</td><td class="num">26,25</td><td class="num">5,25</td><td class="num">31,50</td>'
    assert row in html
    # the VAT amount under the total is not labelled "TTC" any more
    assert "<dt>TTC</dt><dd>5,25</dd>" not in html


def test_a_duplicate_is_marked_duplicata_with_its_number(sale):
    order = selectors.sale_for_receipt(sale.number)
    with translation.override("en"):
        html = render_to_string(
            "pos/receipt.html",
            {**selectors.receipt_context(order), "is_duplicate": True, "duplicate_number": 2},
        )

    assert '<p class="ticket__duplicate" role="note"><strong>DUPLICATA</strong>' in html
    assert "Duplicata n° 2" in html
    body = html[html.index("<main") :]
    assert body.index("DUPLICATA") < body.index(sale.number)  # on top, before anything else


def test_the_original_is_not_a_duplicate(sale):
    order = selectors.sale_for_receipt(sale.number)
    html = render_to_string("pos/receipt.html", {**selectors.receipt_context(order), "is_duplicate": False})
    assert "DUPLICATA" not in html and "Duplicata" not in html


def test_the_emailed_receipt_carries_the_same_mentions(
    cashier_user, sale, eager_celery, django_capture_on_commit_callbacks, settings
):
    from django.core import mail

    from pos.services.receipts import email_receipt

    settings.SELLER = {**settings.SELLER, "store_sirets": {"AJA": STORE_SIRET}}
    sale.language = "en"
    sale.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        email_receipt(order=sale, user=cashier_user, email="anna@example.com")

    (message,) = mail.outbox
    text = text_of(message.alternatives[0][0])
    for mention in [
        "Maison Demo SAS",
        f"SIRET {STORE_SIRET}",
        "VAT no. FR22832047153",
        "RCS Ajaccio 832 047 153",
        f"Receipt no. {sale.number}",
        "of which VAT €5.25",
    ]:
        assert mention in text, mention
    assert "Maison Demo SAS" in message.body and f"SIRET {STORE_SIRET}" in message.body


def test_the_receipt_page_keeps_its_query_count(client, cashier_user, sale, django_assert_max_num_queries):
    client.force_login(cashier_user)
    with django_assert_max_num_queries(13):  # 8 to show it, 5 to journal the print (pos.services.journal)
        assert client.get(f"/pos/receipt/{sale.number}/").status_code == 200


def test_the_barcode_has_no_style_attribute_the_csp_would_drop():
    # style-src 'self' makes browsers ignore style="fill:white": the background painted black and hid
    # the bars (seen in the screenshot). Presentation attributes always apply.
    from pos.barcodes import sale_barcode_svg

    svg = sale_barcode_svg("S2026-000001")
    assert "style=" not in svg and "<text" not in svg
    assert '<rect width="100%" height="100%" fill="white"/>' in svg
    assert svg.count('fill="black"') > 20
