"""Real threads on PostgreSQL: one account per e-mail, whatever the race."""

import pytest

from accounts import services
from accounts.models import CustomerProfile, User
from tests.concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_six_simultaneous_sign_ups_with_one_e_mail_make_one_account():
    spellings = ["lea@example.com", "LEA@example.com", "Lea@Example.com"] * 2

    results = run_in_threads(
        6,
        lambda i: services.register_customer(
            email=spellings[i],
            password="figues-et-miel-2026",
            first_name="Léa",
            last_name="Costa",
            language="fr",
        ),
    )

    created = [r for r in results if isinstance(r, User)]
    refused = [r for r in results if isinstance(r, services.EmailAlreadyRegistered)]
    assert (len(created), len(refused)) == (1, 5), results
    assert list(User.objects.values_list("email", flat=True)) == ["lea@example.com"]
    assert CustomerProfile.objects.count() == 1
    assert {r.code for r in refused} == {"email_taken"}
