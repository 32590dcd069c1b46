"""Two spends of the same points at the same moment (a web checkout and a till sale): one succeeds,
the other is refused, the balance never goes below zero and the ledger still sums to it."""

from __future__ import annotations

import pytest

from loyalty import services
from loyalty.errors import InsufficientPoints
from loyalty.models import EntryKind, LoyaltyAccount, PointsEntry
from loyalty.selectors import ledger_mismatches
from tests.concurrency import run_in_threads
from tests.factories import UserFactory, staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_spends_of_the_same_points_at_once_one_succeeds():
    customer = UserFactory(email="race@example.com")
    services.adjust(customer=customer, points=100, reason="welcome", staff=staff())

    def spend(i: int) -> object:
        return services.redeem_points(customer=customer, points=80, key=f"race-{i}")

    results = run_in_threads(2, spend)
    succeeded = [r for r in results if isinstance(r, PointsEntry)]
    refused = [r for r in results if isinstance(r, InsufficientPoints)]
    assert (len(succeeded), len(refused)) == (1, 1), results
    assert LoyaltyAccount.objects.get(customer=customer).balance == 20
    assert PointsEntry.objects.filter(kind=EntryKind.REDEEM).count() == 1
    assert ledger_mismatches()[0] == []


def test_first_account_creation_races_too():
    customer = UserFactory(email="race2@example.com")

    def grant(i: int) -> object:
        return services.adjust(customer=customer, points=10, reason="x", staff=None, key=f"k{i}")

    results = run_in_threads(4, grant)
    assert all(isinstance(r, PointsEntry) for r in results), results
    assert LoyaltyAccount.objects.get(customer=customer).balance == 40
