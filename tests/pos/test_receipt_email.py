"""E-mailing a till receipt (issue 16): POST /api/v1/pos/sales/<number>/email/ queues the receipt,
rendered as the HTML e-mail the printed receipt is (same legal mentions). A bad address is a 400 with
a message and nothing queued; a sale's receipt goes out at most ``pos_receipt_email`` times an hour."""

import uuid
from decimal import Decimal

import pytest
from django.core import mail

from core.models import OutboxMessage
from pos.services.receipts import send_receipt_email
from pos.services.sales import SaleLineInput, TenderInput, record_sale
from tests.core.api_helpers import api_client
from tests.factories import UserFactory, cashier

pytestmark = pytest.mark.django_db
RECEIPT = "pos.tasks.send_receipt_email"


@pytest.fixture
def sale(session, cashier_user, tshirt):
    return record_sale(
        session=session,
        user=cashier_user,
        client_uuid=uuid.uuid4(),
        lines=[SaleLineInput(sku="TSHIRT-M-RED", quantity=1)],
        tenders=[TenderInput(kind="cash", amount=Decimal("20.00"))],
    ).order


def send(user, number, body):
    return api_client(user).post(f"/api/v1/pos/sales/{number}/email/", body, format="json")


def queued() -> int:
    return OutboxMessage.objects.filter(task_name=RECEIPT).count()


def test_the_receipt_goes_out_as_html_with_the_legal_mentions(cashier_user, sale):
    response = send(cashier_user, sale.number, {"email": "Anna@Example.com"})

    assert (response.status_code, response.json()) == (202, {"email": "anna@example.com"})
    row = OutboxMessage.objects.get(task_name=RECEIPT)
    assert row.kwargs == {"order_id": sale.pk, "email": "anna@example.com"}
    send_receipt_email(**row.kwargs)  # what the worker runs once the outbox relays it
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.com"]
    assert sale.number in message.subject
    html = message.alternatives[0][0]
    for mention in ["SIRET", "FR22832047153", sale.number, "12.00"]:
        assert mention in html
    assert "data-print" not in html  # no print button in an e-mail


@pytest.mark.parametrize("email", ["not-an-address", "a@b", "x" * 300 + "@example.com"])
def test_a_bad_address_is_400_with_a_message_and_nothing_is_queued(cashier_user, sale, email):
    response = send(cashier_user, sale.number, {"email": email})

    assert response.status_code == 400
    assert response.json()["message"]
    assert queued() == 0 and not mail.outbox


def test_no_address_and_no_customer_is_400_no_email(cashier_user, sale):
    response = send(cashier_user, sale.number, {"email": ""})

    assert (response.status_code, response.json()["code"]) == (400, "no_email")
    assert queued() == 0


def test_without_an_address_it_goes_to_the_identified_customer(session, cashier_user, tshirt):
    customer = UserFactory(email="zoe@example.com")
    order = record_sale(
        session=session,
        user=cashier_user,
        client_uuid=uuid.uuid4(),
        lines=[SaleLineInput(sku="TSHIRT-M-RED", quantity=1)],
        tenders=[TenderInput(kind="cash", amount=Decimal("12.00"))],
        customer=customer,
    ).order

    response = send(cashier_user, order.number, {})

    assert (response.status_code, response.json()) == (202, {"email": "zoe@example.com"})


def test_another_stores_sale_is_404(sale, other_store):
    response = send(cashier(other_store, email="paul@bas.example"), sale.number, {"email": "a@example.com"})

    assert response.status_code == 404
    assert queued() == 0


@pytest.mark.ratelimits
def test_a_sale_is_e_mailed_at_most_five_times_an_hour(cashier_user, sale, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "pos_receipt_email": "5/hour"},
    }
    for i in range(5):
        assert send(cashier_user, sale.number, {"email": f"a{i}@example.com"}).status_code == 202

    refused = send(cashier_user, sale.number, {"email": "b@example.com"})

    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    assert queued() == 5
