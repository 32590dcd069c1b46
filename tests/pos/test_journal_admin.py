"""The journal in the admin: listed, filtered and searched; never added, changed or deleted."""

import pytest

from pos.models import JournalEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(session, cashier_user, tshirt, sell):
    sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12.00")])
    return JournalEntry.objects.get(journal="sales")


def test_a_superuser_reads_the_journal_and_cannot_change_it(client, entry, django_assert_max_num_queries):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    base = "/admin/pos/journalentry/"

    with django_assert_max_num_queries(12):
        listing = client.get(base, {"journal__exact": "sales", "q": entry.reference})
    detail = client.get(f"{base}{entry.pk}/change/")

    assert listing.status_code == 200
    assert entry.hash[:12] in listing.content.decode()
    assert detail.status_code == 200 and entry.hash in detail.content.decode()
    assert client.get(f"{base}add/").status_code == 403
    assert client.get(f"{base}{entry.pk}/delete/").status_code == 403
    assert client.post(f"{base}{entry.pk}/change/", {"reference": "X"}).status_code == 403
    entry.refresh_from_db()
    assert entry.compute_hash() == entry.hash
