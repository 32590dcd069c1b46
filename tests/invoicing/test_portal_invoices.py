"""The portal's "My invoices": the list, the stored PDF's download, and isolation between customers."""

import pytest
from django.urls import reverse

from invoicing import selectors
from invoicing.models import DocumentKind
from tests.accounts.portal_support import shopper
from tests.invoicing.portal_support import DAY, PDF_BYTES, attach_pdf, draft_line, issue

pytestmark = pytest.mark.django_db

LIST = "/en/account/invoices/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ana(db):
    return shopper(email="ana@example.com", first_name="Ana", last_name="Rossi")


@pytest.fixture
def bo(db):
    return shopper(email="bo@example.com", first_name="Bo", last_name="Lind")


def pdf_url(number: str) -> str:
    return f"/en/account/invoices/{number}/pdf/"


def test_the_list_shows_one_own_documents_newest_first_with_pdf_or_being_prepared(
    client, ana, bo, django_assert_max_num_queries
):
    first = issue(ana, lines=[draft_line(quantity="2", unit_net="12.50")])  # 25.00 HT, 30.00 TTC
    attach_pdf(first)
    credit = issue(ana, kind=DocumentKind.CREDIT_NOTE, credited=first, issued_on=DAY.replace(day=5))
    theirs = issue(bo, name="Bo Lind")
    attach_pdf(theirs)
    client.force_login(ana)

    client.get(LIST)
    # session, user, the page's documents (with PDF and credited invoice), + the layout's cart/currencies
    with django_assert_max_num_queries(6):
        response = client.get(LIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert first.number == "FA-2026-000001" and credit.number == "AV-2026-000001"
    assert html.index("AV-2026-000001") < html.index("FA-2026-000001")  # newest first
    assert "credits FA-2026-000001" in html
    assert "€30.00" in html  # the shop's money format (English)
    assert html.count("Download PDF") == 1
    assert f'href="{pdf_url(first.number)}"' in html
    assert "PDF being prepared" in html  # the credit note's PDF is not rendered yet
    assert theirs.number not in html
    assert 'href="/en/account/invoices/" aria-current="page"' in html  # the portal menu


def test_the_list_stays_a_fixed_number_of_queries_for_a_full_page(client, ana, django_assert_max_num_queries):
    for _ in range(20):
        attach_pdf(issue(ana))
    client.force_login(ana)
    with django_assert_max_num_queries(7):
        response = client.get(LIST)
    assert response.content.decode().count("Download PDF") == 20


def test_no_documents_yet(client, ana):
    client.force_login(ana)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "You have no invoices yet." in response.content.decode()


def test_download_is_the_stored_pdf_as_an_attachment_named_by_its_number(client, ana):
    invoice = issue(ana)
    attach_pdf(invoice)
    client.force_login(ana)

    response = client.get(pdf_url(invoice.number))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="FA-2026-000001.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_another_customers_pdf_is_a_404_like_an_unknown_number(client, ana, bo):
    theirs = issue(bo, name="Bo Lind")
    attach_pdf(theirs)
    client.force_login(ana)

    assert client.get(pdf_url(theirs.number)).status_code == 404
    assert client.get(pdf_url("FA-2026-999999")).status_code == 404
    assert theirs.number not in client.get(LIST).content.decode()


def test_a_pdf_not_rendered_yet_is_a_404(client, ana):
    invoice = issue(ana)
    client.force_login(ana)
    assert client.get(pdf_url(invoice.number)).status_code == 404


@pytest.mark.parametrize("path", [LIST, pdf_url("FA-2026-000001")])
def test_anonymous_visitors_go_to_the_login_page(client, ana, path):
    attach_pdf(issue(ana))
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]


def test_guest_documents_with_the_same_email_are_not_shown_to_the_account(client, ana):
    """A guest checkout's document (no account, the e-mail only) stays out of the account that has that
    address: signing up does not prove the address is yours."""
    guest = issue(None, email="ana@example.com", name="Ana (guest)")
    attach_pdf(guest)
    client.force_login(ana)

    assert list(selectors.documents_for_customer(ana)) == []
    assert selectors.document_for_customer(ana, guest.number) is None
    assert client.get(pdf_url(guest.number)).status_code == 404


def test_selectors_give_nothing_to_an_anonymous_user(ana):
    from django.contrib.auth.models import AnonymousUser

    invoice = issue(ana)
    assert list(selectors.documents_for_customer(AnonymousUser())) == []
    assert selectors.document_for_customer(None, invoice.number) is None
    assert selectors.document_for_customer(ana, invoice.number) == invoice


def test_the_page_speaks_french(client, ana):
    attach_pdf(issue(ana))
    client.force_login(ana)
    html = client.get("/fr/account/invoices/").content.decode()
    assert "<h1>Mes factures</h1>" in html
    assert ">Facture</span>" in html
    assert "Télécharger le PDF" in html
