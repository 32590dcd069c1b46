"""The back office reads consents and their history, and adds suppressions through the service."""

import pytest

from accounts.models import Role
from marketing import services
from marketing.models import Consent, ConsentSource, ConsentStatus, Suppression
from tests.accounts.portal_support import shopper
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, role=Role.STAFF))
    return client


def test_staff_read_a_consent_with_its_history_and_cannot_change_it(staff_client):
    ana = shopper(email="ana@example.com")
    consent = services.record_account_consent(
        user=ana,
        granted=True,
        source=ConsentSource.SIGNUP_FORM,
        text_shown="Send me news",
        ip_address="192.0.2.4",
    )

    assert staff_client.get("/admin/marketing/consent/").status_code == 200
    page = staff_client.get(f"/admin/marketing/consent/{consent.pk}/change/")
    assert page.status_code == 200
    assert "Send me news" in page.content.decode()
    assert "192.0.2.4" in page.content.decode()
    staff_client.post(f"/admin/marketing/consent/{consent.pk}/change/", {"status": "withdrawn"})
    assert Consent.objects.get().status == ConsentStatus.GRANTED
    assert staff_client.get(f"/admin/marketing/consent/{consent.pk}/delete/").status_code == 403


def test_a_suppression_added_in_the_admin_withdraws_the_consent(staff_client):
    ana = shopper(email="ana@example.com")
    services.record_account_consent(user=ana, granted=True, source=ConsentSource.SIGNUP_FORM, text_shown="x")

    response = staff_client.post(
        "/admin/marketing/suppression/add/",
        {"channel": "email", "address": "ANA@example.com", "reason": "complaint", "detail": "phoned"},
    )

    assert response.status_code == 302
    assert list(Suppression.objects.values_list("address", "reason")) == [("ana@example.com", "complaint")]
    event = Consent.objects.get().events.last()
    assert (event.status, event.source, event.note) == ("suppressed", "complaint", "phoned")
    assert event.actor.is_staff
    assert services.may_send(person=ana) is False
