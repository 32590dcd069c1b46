"""core.numbering: gapless numbers, given back by a rollback, never given twice."""

import threading

import pytest
from django.db import connection, transaction

from core.models import NumberSequence
from core.numbering import formatted_number, next_number
from tests.concurrency import in_threads


@pytest.mark.django_db
def test_numbers_follow_each_other_per_sequence():
    with transaction.atomic():
        assert [next_number("a"), next_number("a"), next_number("b")] == [1, 2, 1]
        assert formatted_number(series="FA", year=2026) == "FA-2026-000001"


@pytest.mark.django_db
def test_a_rolled_back_number_is_taken_again():
    with transaction.atomic():
        assert next_number("x") == 1
    try:
        with transaction.atomic():
            assert next_number("x") == 2
            raise RuntimeError("the document failed")
    except RuntimeError:
        pass
    with transaction.atomic():
        assert next_number("x") == 2


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        next_number("z")
    assert not NumberSequence.objects.filter(name="z").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_writers_with_some_rollbacks_leave_no_gap_and_no_duplicate():
    with transaction.atomic():
        next_number("race")  # the row exists: the race is on the UPDATE lock, as in production
    lock = threading.Lock()
    kept: list[int] = []

    def work(i):
        try:
            with transaction.atomic():
                number = next_number("race")
                if i % 4 == 0:
                    raise RuntimeError("rolled back")
                with lock:
                    kept.append(number)
        except RuntimeError:
            pass
        finally:
            connection.close()

    in_threads(20, work)
    assert sorted(kept) == list(range(2, 2 + 15))
