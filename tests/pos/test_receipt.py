"""The printable receipt and Z report pages."""

from decimal import Decimal

import pytest

from pos.services.sales import SaleLineInput, TenderInput, record_sale
from pos.services.sessions import close_register_session

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _english(cashier_user):
    cashier_user.preferred_language = "en"
    cashier_user.save(update_fields=["preferred_language"])


@pytest.fixture
def sale(session, cashier_user, tshirt, mug):
    import uuid

    return record_sale(
        session=session,
        user=cashier_user,
        client_uuid=uuid.uuid4(),
        lines=[SaleLineInput(sku="TSHIRT-M-RED", quantity=2), SaleLineInput(sku="MUG-1", quantity=1)],
        tenders=[
            TenderInput(kind="card", amount=D("20.00"), reference="AUTH-777"),
            TenderInput(kind="cash", amount=D("20.00")),
        ],
    ).order


def test_receipt_shows_store_lines_vat_tenders_change_and_barcode(
    client, cashier_user, sale, django_assert_max_num_queries
):
    client.force_login(cashier_user)
    # 8 to read and render, 5 to record the print in the till's journal (savepoint, lock, count, entry, head)
    with django_assert_max_num_queries(13):
        response = client.get(f"/pos/receipt/{sale.number}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="ticket__store">Ajaccio</h1>' in html
    assert sale.number in html
    for text in [
        "T-shirt",
        "TSHIRT-M-RED",
        "24.00",
        "Mug",
        '<td class="num">7.50</td>',
        "<dt>Total</dt><dd>€31.50</dd>",
        "<dt>of which VAT</dt><dd>€5.25</dd>",  # the VAT amount, no longer labelled "TTC"
        "AUTH-777",
        "Change",
        "8.50",
    ]:
        assert text in html, text
    # VAT breakdown: 20 %, 26.25 net, 5.25 VAT
    assert (
        '<td>20 %</td><td class="num">26.25</td><td class="num">5.25</td><td class="num">31.50</td>' in html
    )
    assert "<svg" in html and "barcode_group" in html
    assert "/static/pos/print.css" in html


def test_receipt_in_the_cashiers_language(client, cashier_user, sale):
    cashier_user.preferred_language = "fr"
    cashier_user.save(update_fields=["preferred_language"])
    client.force_login(cashier_user)
    html = client.get(f"/pos/receipt/{sale.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="fr">' in html
    assert "<dd>31,50\u00a0€</dd>" in html


def test_receipt_of_another_store_is_404(client, other_cashier, sale):
    client.force_login(other_cashier)
    assert client.get(f"/pos/receipt/{sale.number}/").status_code == 404


def test_receipt_of_an_unknown_or_web_order_is_404(client, cashier_user, sale):
    client.force_login(cashier_user)
    assert client.get("/pos/receipt/S1999-000001/").status_code == 404


def test_receipt_for_staff_of_headquarters(client, hq_user, sale):
    client.force_login(hq_user)
    assert client.get(f"/pos/receipt/{sale.number}/").status_code == 200


def test_receipt_needs_a_login(client, sale):
    response = client.get(f"/pos/receipt/{sale.number}/")
    assert response.status_code == 302
    assert response["Location"] == f"/pos/login/?next=/pos/receipt/{sale.number}/"


def test_z_report_page(client, session, cashier_user, sale, django_assert_max_num_queries):
    close_register_session(
        session=session, user=cashier_user, counts={"100": 1, "20": 1, "0.5": 1}, card_total="20"
    )
    client.force_login(cashier_user)
    with django_assert_max_num_queries(10):
        response = client.get(f"/pos/sessions/{session.pk}/z/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Z report" in html
    # cash expected 100 + 11.50 = 111.50, counted 120.50: +9.00
    for text in ["111.50", "120.50", "9.00", "31.50", "Opening float", "0.50"]:
        assert text in html, text


def test_x_report_while_open(client, session, cashier_user, sale):
    client.force_login(cashier_user)
    html = client.get(f"/pos/sessions/{session.pk}/z/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "X report (session still open)" in html


def test_z_report_of_another_store_is_404(client, session, other_cashier):
    client.force_login(other_cashier)
    assert client.get(f"/pos/sessions/{session.pk}/z/").status_code == 404


# --- e-mailed receipt --------------------------------------------------------------------------------


def test_email_the_receipt_to_a_given_address(
    cashier_user, sale, eager_celery, django_capture_on_commit_callbacks
):
    from django.core import mail

    from tests.core.api_helpers import api_client

    client = api_client(cashier_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/pos/sales/{sale.number}/email/", {"email": "Anna@Example.com"}, format="json"
        )
    assert (response.status_code, response.json()) == (202, {"email": "anna@example.com"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.com"]
    assert sale.number in message.subject
    html = message.alternatives[0][0]
    assert "AUTH-777" in html and "<svg" in html and "ticket-actions" not in html


def test_email_without_address_or_customer_is_400(cashier_user, sale):
    from django.core import mail

    from tests.core.api_helpers import api_client

    response = api_client(cashier_user).post(f"/api/v1/pos/sales/{sale.number}/email/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "no_email")
    bad = api_client(cashier_user).post(
        f"/api/v1/pos/sales/{sale.number}/email/", {"email": "x@"}, format="json"
    )
    assert bad.status_code == 400
    assert mail.outbox == []


def test_email_goes_to_the_identified_customer_by_default(
    session, cashier_user, tshirt, eager_celery, django_capture_on_commit_callbacks
):
    import uuid

    from django.core import mail

    from tests.core.api_helpers import api_client
    from tests.factories import UserFactory

    shopper = UserFactory(email="paolo@example.com", preferred_language="it")
    order = record_sale(
        session=session,
        user=cashier_user,
        client_uuid=uuid.uuid4(),
        lines=[SaleLineInput(sku="TSHIRT-M-RED", quantity=1)],
        tenders=[TenderInput(kind="cash", amount=D("12"))],
        customer=shopper,
    ).order
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(cashier_user).post(
            f"/api/v1/pos/sales/{order.number}/email/", {}, format="json"
        )
    assert response.json() == {"email": "paolo@example.com"}
    assert mail.outbox[0].to == ["paolo@example.com"]
    assert 'lang="it"' in mail.outbox[0].alternatives[0][0]


def test_email_of_another_stores_sale_is_404(other_cashier, sale):
    from tests.core.api_helpers import api_client

    response = api_client(other_cashier).post(
        f"/api/v1/pos/sales/{sale.number}/email/", {"email": "a@b.fr"}, format="json"
    )
    assert response.status_code == 404
