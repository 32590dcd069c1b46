"""Two receivers scan the same RMA at the same moment (PostgreSQL threads): one receives and refunds,
the other is refused (409) and writes nothing: one ledger row, one refund."""

from __future__ import annotations

import pytest
from django.db import close_old_connections

from logistics import services_returns as services
from logistics.returns_errors import ReturnAlreadyReceived
from logistics.returns_models import ReturnRequest, ReturnRequestStatus
from payments.models import Refund
from tests.concurrency import run_in_threads
from tests.factories import cashier, staff
from tests.logistics.returns_support import *  # noqa: F403
from tests.logistics.returns_support import delivered_order, on_hand, return_rows

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_receivers_at_once_one_wins(rshop):
    order = delivered_order(rshop, tees=2, mugs=0)
    line = order.lines.get()
    rma = services.request_return(
        order=order, customer=rshop.shopper, lines=[(line.pk, 2, "too_small", "")], method="store"
    )
    receivers = [(staff(), rshop.web), (cashier(rshop.aja), rshop.aja)]
    web_before = on_hand(rshop.tee, rshop.web)

    def receive(i: int):
        close_old_connections()
        user, location = receivers[i]
        fresh = ReturnRequest.objects.get(pk=rma.pk)
        return services.receive_return(
            request=fresh, location=location, user=user, inspection=[(line.pk, 2, 0)]
        )

    results = run_in_threads(2, receive)
    won = [r for r in results if isinstance(r, ReturnRequest)]
    lost = [r for r in results if isinstance(r, ReturnAlreadyReceived)]
    assert (len(won), len(lost)) == (1, 1), results
    rma.refresh_from_db()
    assert rma.status == ReturnRequestStatus.REFUNDED
    where = rma.received_at_location
    assert return_rows(rshop.tee, where) == [("return", 2, rma.number)]
    other = rshop.aja if where == rshop.web else rshop.web
    assert return_rows(rshop.tee, other) == []
    assert on_hand(rshop.tee, rshop.web) == web_before + (2 if where == rshop.web else 0)
    assert Refund.objects.filter(payment__order=order).count() == 1
