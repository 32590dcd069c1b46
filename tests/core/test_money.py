"""core.money: the one rounding place and the one allocator."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import allocate, money_round

D = Decimal


def test_money_round_is_half_up_to_the_cent():
    assert money_round(D("1.005")) == D("1.01")
    assert money_round(D("1.0049")) == D("1.00")
    assert money_round(D("-1.005")) == D("-1.01")


def test_allocate_gives_the_lost_cents_to_the_largest_remainders():
    # 10.00 over three equal lines: 3.33 each and one cent left, to the first of the ties.
    assert allocate(D("10.00"), [D("5"), D("5"), D("5")]) == [D("3.34"), D("3.33"), D("3.33")]
    # Proportional: 1.00 over 1:3 weights.
    assert allocate(D("1.00"), [D("10.00"), D("30.00")]) == [D("0.25"), D("0.75")]


def test_allocate_rounds_the_amount_once_first():
    assert allocate(D("0.005"), [D("1"), D("1")]) == [D("0.01"), D("0.00")]


def test_allocate_of_nothing_or_over_nothing_is_zero_shares():
    assert allocate(D("0"), [D("1"), D("2")]) == [D("0.00"), D("0.00")]
    assert allocate(D("5"), [D("0"), D("0")]) == [D("0.00"), D("0.00")]


def test_allocate_refuses_negative_amounts_and_weights():
    with pytest.raises(ValueError):
        allocate(D("-1"), [D("1")])
    with pytest.raises(ValueError):
        allocate(D("1"), [D("-1"), D("2")])


cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c) / 100)


@given(amount=cents, weights=st.lists(cents, min_size=1, max_size=30))
def test_allocate_shares_always_add_up_and_never_exceed_their_weight(amount, weights):
    shares = allocate(amount, weights)
    assert len(shares) == len(weights)
    assert all(share >= 0 and share == money_round(share) for share in shares)
    if sum(weights):
        assert sum(shares) == money_round(amount)
        if amount <= sum(weights):
            assert all(share <= weight for share, weight in zip(shares, weights, strict=True))
    else:
        assert sum(shares) == 0
