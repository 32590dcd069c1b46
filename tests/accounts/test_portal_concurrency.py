"""Real threads on PostgreSQL: one account per e-mail, whatever the race."""

import threading

import pytest
from django.db import connection

from accounts import services
from accounts.models import CustomerProfile, User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_threads(count, work):
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # the outcome of each thread is what the test checks
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_six_simultaneous_sign_ups_with_one_e_mail_make_one_account():
    spellings = ["lea@example.com", "LEA@example.com", "Lea@Example.com"] * 2

    results = in_threads(
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
