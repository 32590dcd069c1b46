"""The profile form's optional birth date (the loyalty birthday coupon reads it)."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import CustomerProfile
from tests.accounts.portal_support import shopper

pytestmark = pytest.mark.django_db

BODY = {"first_name": "Ana", "last_name": "Rossi", "phone": "", "preferred_language": "en"}


@pytest.fixture
def ana(db):
    return shopper("ana@example.com")


def test_birth_date_saved_shown_and_cleared(client, ana):
    client.force_login(ana)
    response = client.post("/en/account/profile/", {**BODY, "birth_date": "1990-05-17"})
    assert response.status_code == 302
    assert CustomerProfile.objects.get(user=ana).birth_date == dt.date(1990, 5, 17)
    assert 'value="1990-05-17"' in client.get("/en/account/profile/").content.decode()
    client.post("/en/account/profile/", {**BODY, "birth_date": ""})
    assert CustomerProfile.objects.get(user=ana).birth_date is None


@pytest.mark.parametrize("bad", ["17/05/1990x", "1850-01-01", "tomorrow"])
def test_bad_birth_date_refused_and_nothing_changes(client, ana, bad):
    client.force_login(ana)
    if bad == "tomorrow":
        bad = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post("/en/account/profile/", {**BODY, "first_name": "Changed", "birth_date": bad})
    assert response.status_code == 400
    ana.refresh_from_db()
    assert ana.first_name != "Changed"
    assert not CustomerProfile.objects.filter(user=ana, birth_date__isnull=False).exists()
