"""Portal return pages (order page button, form, RMA page with its barcode, label) and the warehouse's
receiving screen at /backoffice/returns/."""

from __future__ import annotations

import pytest

from logistics.returns_models import ReturnRequest, ReturnRequestStatus
from tests.factories import UserFactory, cashier, staff
from tests.logistics.returns_support import *  # noqa: F403
from tests.logistics.returns_support import D, age_delivery, delivered_order, on_hand

pytestmark = pytest.mark.django_db


def portal(client, user):
    client.force_login(user)
    return client


def test_the_order_page_offers_returns_while_the_window_is_open(client, rshop):
    order = delivered_order(rshop)
    page = portal(client, rshop.shopper).get(f"/en/account/orders/{order.number}/")
    assert page.status_code == 200
    assert f"/en/account/orders/{order.number}/return/" in page.content.decode()
    age_delivery(order, 15)
    page = client.get(f"/en/account/orders/{order.number}/")
    assert "/return/" not in page.content.decode()


def test_the_form_asks_a_return_and_the_rma_page_shows_its_barcode(client, rshop):
    order = delivered_order(rshop, tees=2, mugs=1)
    tee, mug = order.lines.order_by("id")
    portal(client, rshop.shopper)
    form = client.get(f"/en/account/orders/{order.number}/return/")
    assert form.status_code == 200 and f'name="qty-{tee.pk}"' in form.content.decode()
    done = client.post(
        f"/en/account/orders/{order.number}/return/",
        {
            f"qty-{tee.pk}": "1",
            f"reason-{tee.pk}": "too_small",
            f"comment-{tee.pk}": "",
            f"qty-{mug.pk}": "0",
            "method": "store",
            "refund_choice": "store_credit",
        },
    )
    rma = ReturnRequest.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/en/account/returns/{rma.number}/"
    assert (rma.refund_choice, [(ln.order_line_id, ln.quantity) for ln in rma.lines.all()]) == (
        "store_credit",
        [(tee.pk, 1)],
    )
    page = client.get(done["Location"]).content.decode()
    assert rma.number in page and "<svg" in page
    assert client.get(f"/en/account/returns/{rma.number}/label/").status_code == 404  # store return: none
    refused = client.post(
        f"/en/account/orders/{order.number}/return/",
        {
            f"qty-{tee.pk}": "5",
            f"reason-{tee.pk}": "too_small",
            "method": "store",
            "refund_choice": "original",
        },
    )
    assert refused.status_code == 409 and ReturnRequest.objects.count() == 1
    client.force_login(UserFactory())
    assert client.get(f"/en/account/returns/{rma.number}/").status_code == 404
    assert client.get(f"/en/account/orders/{order.number}/return/").status_code == 404


def test_the_warehouse_screen_finds_an_rma_and_receives_it(client, rshop):
    order = delivered_order(rshop, tees=2, mugs=0)
    tee = order.lines.get()
    portal(client, rshop.shopper).post(
        f"/en/account/orders/{order.number}/return/",
        {
            f"qty-{tee.pk}": "2",
            f"reason-{tee.pk}": "too_large",
            "method": "store",
            "refund_choice": "original",
        },
    )
    rma = ReturnRequest.objects.get()
    line = rma.lines.get()
    client.force_login(staff())
    screen = client.get("/backoffice/returns/", {"rma": rma.number.lower()})
    assert screen.status_code == 200 and f'name="resellable-{line.pk}"' in screen.content.decode()
    before = on_hand(rshop.tee, rshop.web)
    done = client.post(
        "/backoffice/returns/",
        {"rma": rma.number, "location": "WEB", f"resellable-{line.pk}": "1", f"damaged-{line.pk}": "1"},
    )
    assert done.status_code == 302
    rma.refresh_from_db()
    assert (rma.status, rma.refund_amount) == (ReturnRequestStatus.REFUNDED, D("25.00"))
    assert on_hand(rshop.tee, rshop.web) == before + 1
    again = client.post(
        "/backoffice/returns/",
        {"rma": rma.number, "location": "WEB", f"resellable-{line.pk}": "1", f"damaged-{line.pk}": "1"},
    )
    assert again.status_code == 409 and on_hand(rshop.tee, rshop.web) == before + 1


def test_the_warehouse_screen_is_for_staff(client, rshop):
    client.force_login(rshop.shopper)
    assert client.get("/backoffice/returns/").status_code == 403
    client.force_login(cashier(rshop.aja))
    assert client.get("/backoffice/returns/").status_code == 403


def test_pages_and_the_list_keep_their_query_counts(client, rshop, django_assert_max_num_queries):
    from tests.core.api_helpers import api_client

    order = delivered_order(rshop, tees=2, mugs=1)
    tee, mug = order.lines.order_by("id")
    portal(client, rshop.shopper)
    for line in (tee, mug):
        client.post(
            f"/en/account/orders/{order.number}/return/",
            {
                f"qty-{line.pk}": "1",
                f"reason-{line.pk}": "other",
                "method": "store",
                "refund_choice": "original",
            },
        )
    rma = ReturnRequest.objects.first()
    with django_assert_max_num_queries(14):
        assert client.get(f"/en/account/orders/{order.number}/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/en/account/returns/{rma.number}/").status_code == 200
    shopper_api = api_client(rshop.shopper)
    with django_assert_max_num_queries(6):
        assert len(shopper_api.get("/api/v1/returns/").json()) == 2
