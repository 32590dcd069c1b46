"""E-reservations at the till: the store's list, selling what the shopper keeps at the till's price
(the held units committed, never taken twice), releasing, idempotency, expired and closed ones."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import Reservation, ReservationStatus, StockMovement
from orders.errors import EReservationClosed, EReservationExpired, EReservationNotFound
from orders.models import EReservation, EReservationOutcome, Order, OrderStatus
from pos.models import PosSale, SaleTender
from pos.services import ereservations
from pos.services.sales import TenderInput
from tests.core.api_helpers import api_client
from tests.orders.ereservation_support import reserve
from tests.pos.returns_support import *  # noqa: F403
from tests.pos.returns_support import level

pytestmark = pytest.mark.django_db

D = Decimal
LIST = "/api/v1/pos/reservations/"


def card(amount):
    return [TenderInput(kind="card", amount=D(amount))]


def sell(pos, order, *, keep=None, tenders=None, client_uuid=None):
    return ereservations.sell_e_reservation(
        session=pos.session,
        user=pos.anna,
        number=order.number,
        client_uuid=client_uuid or uuid.uuid4(),
        tenders=tenders or card("25.00"),
        keep_lines=keep,
    )


def test_a_reservation_holds_the_units_for_everyone(pos):
    order = reserve(pos)

    assert order.status == OrderStatus.RESERVED
    assert order.number.startswith("R")
    assert level(pos.tee, pos.aja) == (10, 2)  # on hand, reserved: 8 left for the web and the tills
    assert [o.number for o in ereservations.store_reservations(store=pos.aja)] == [order.number]
    assert list(ereservations.store_reservations(store=pos.bas)) == []


@pytest.mark.parametrize("q", ["lucia", "COSTA", "06 12 34", "0612345678", "r20", "example.com"])
def test_the_till_finds_a_reservation_by_number_name_or_phone(pos, q):
    order = reserve(pos)
    reserve(pos, [(pos.mug, 1)], name="Marc Pieri", email="marc@other.org", phone="04 95 00 00 00")

    found = [o.number for o in ereservations.store_reservations(store=pos.aja, q=q)]

    assert order.number in found


def test_selling_commits_the_held_units_at_the_tills_current_price(pos):
    order = reserve(pos, [(pos.tee, 2), (pos.mug, 1)])
    movements = StockMovement.objects.count()

    result = sell(pos, order, tenders=[TenderInput(kind="cash", amount=D("40.00"))])

    sale = result.sale.order
    assert sale.number.startswith("S")
    assert sale.total_gross == D("31.00")  # 2 x 12.50 + 6.00, the till's prices
    assert result.sale.change_due == D("9.00")
    assert level(pos.tee, pos.aja) == (8, 0)  # sold once: reserved and on hand together
    assert level(pos.mug, pos.aja) == (9, 0)
    assert sorted(Reservation.objects.filter(reference=order.number).values_list("status", flat=True)) == [
        ReservationStatus.COMMITTED,
        ReservationStatus.COMMITTED,
    ]
    assert StockMovement.objects.count() == movements + 2  # the commits only: no second take
    assert PosSale.objects.get(order=sale).session == pos.session  # receipt, journal, Z report
    hold = EReservation.objects.get(order=order)
    assert (Order.objects.get(pk=order.pk).status, hold.outcome, hold.sale_order) == (
        OrderStatus.BOUGHT_IN_STORE,
        EReservationOutcome.SOLD,
        sale,
    )
    assert list(ereservations.store_reservations(store=pos.aja)) == []


def test_lines_tried_and_not_taken_go_back_on_the_shelf(pos):
    order = reserve(pos, [(pos.tee, 2), (pos.mug, 1)])
    tee_line = order.lines.get(sku="TEE")

    result = sell(pos, order, keep=[tee_line.pk])

    assert [(line.sku, line.quantity) for line in result.sale.order.lines.all()] == [("TEE", 2)]
    assert result.sale.order.total_gross == D("25.00")
    assert level(pos.tee, pos.aja) == (8, 0)
    assert level(pos.mug, pos.aja) == (10, 0)  # the mug went back
    assert "1 of 2 lines kept" in EReservation.objects.get(order=order).reason


def test_the_same_sale_twice_changes_nothing(pos):
    order = reserve(pos)
    key = uuid.uuid4()
    first = sell(pos, order, client_uuid=key)
    before = (StockMovement.objects.count(), SaleTender.objects.count(), Order.objects.count())

    again = sell(pos, order, client_uuid=key)

    assert again.sale.created is False
    assert again.sale.order == first.sale.order
    assert again.reservation.number == order.number
    assert (StockMovement.objects.count(), SaleTender.objects.count(), Order.objects.count()) == before


def test_a_sold_reservation_cannot_be_sold_again_under_another_sale(pos):
    order = reserve(pos)
    first = sell(pos, order)

    with pytest.raises(EReservationClosed) as error:
        sell(pos, order)

    assert first.sale.order.number in error.value.message
    assert level(pos.tee, pos.aja) == (8, 0)


def test_an_expired_reservation_is_refused_and_nothing_is_sold(pos):
    order = reserve(pos)
    EReservation.objects.filter(order=order).update(hold_until=timezone.now() - dt.timedelta(minutes=1))
    movements = StockMovement.objects.count()

    with pytest.raises(EReservationExpired) as error:
        sell(pos, order)

    assert "expired" in error.value.message
    assert (StockMovement.objects.count(), PosSale.objects.count()) == (movements, 0)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.RESERVED
    assert level(pos.tee, pos.aja) == (10, 2)


def test_short_tenders_refuse_the_sale_and_the_reservation_stays_held(pos):
    order = reserve(pos)

    with pytest.raises(Exception) as error:
        sell(pos, order, tenders=card("10.00"))

    assert error.value.code == "tenders_insufficient"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.RESERVED
    assert level(pos.tee, pos.aja) == (10, 2)


def test_another_stores_reservation_is_not_found(pos):
    order = reserve(pos)

    with pytest.raises(EReservationNotFound):
        ereservations.sell_e_reservation(
            session=pos.session_bas,
            user=pos.bruno,
            number=order.number,
            client_uuid=uuid.uuid4(),
            tenders=card("25.00"),
        )


def test_releasing_gives_every_unit_back_once(pos):
    order = reserve(pos)

    released = ereservations.release_at_till(
        store=pos.aja, user=pos.anna, number=order.number, reason="not taken"
    )
    movements = StockMovement.objects.count()
    again = ereservations.release_at_till(store=pos.aja, user=pos.anna, number=order.number, reason="again")

    assert released.status == again.status == OrderStatus.CANCELLED
    assert StockMovement.objects.count() == movements
    hold = EReservation.objects.get(order=order)
    assert (hold.outcome, hold.reason, hold.closed_by) == (
        EReservationOutcome.RELEASED,
        "not taken",
        pos.anna,
    )
    assert level(pos.tee, pos.aja) == (10, 0)


# --- API ------------------------------------------------------------------------------------------


def test_the_till_lists_sells_and_releases_through_the_api(pos):
    kept = reserve(pos)
    dropped = reserve(pos, [(pos.mug, 1)], name="Marc Pieri", email="marc@example.com", phone="0495000000")
    client = api_client(pos.anna)

    listed = client.get(LIST)
    assert listed.status_code == 200
    assert listed.json()["count"] == 2
    row = next(r for r in listed.json()["results"] if r["number"] == kept.number)
    assert (row["name"], row["lines"][0]["sku"], row["lines"][0]["quantity"]) == ("Lucia Costa", "TEE", 2)

    key = str(uuid.uuid4())
    body = {"uuid": key, "session": pos.session.pk, "tenders": [{"kind": "card", "amount": "25.00"}]}
    sold = client.post(f"{LIST}{kept.number}/sell/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert sold.status_code == 201, sold.content
    assert sold.json()["reservation"] == kept.number
    assert sold.json()["receipt_url"].endswith(f"{sold.json()['number']}/")
    again = client.post(f"{LIST}{kept.number}/sell/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (again.status_code, again.json()["number"]) == (201, sold.json()["number"])

    released = client.post(f"{LIST}{dropped.number}/release/", {"reason": "called"}, format="json")
    assert released.status_code == 200
    assert (released.json()["status"], released.json()["outcome"]) == ("cancelled", "released")
    assert client.get(LIST).json()["count"] == 0


def test_api_errors_say_what_is_wrong(pos):
    order = reserve(pos)
    client = api_client(pos.anna)
    body = {
        "uuid": str(uuid.uuid4()),
        "session": pos.session.pk,
        "tenders": [{"kind": "card", "amount": "25"}],
    }

    missing = client.post(f"{LIST}R2020-999999/sell/", body, format="json")
    no_reason = client.post(f"{LIST}{order.number}/release/", {"reason": " "}, format="json")
    nothing_kept = client.post(f"{LIST}{order.number}/sell/", {**body, "lines": []}, format="json")
    foreign = client.post(f"{LIST}{order.number}/sell/", {**body, "lines": [999999]}, format="json")
    other_store = api_client(pos.bruno).get(f"{LIST}{order.number}/")

    assert (missing.status_code, missing.json()["code"]) == (404, "reservation_not_found")
    assert no_reason.status_code == 400
    assert (nothing_kept.status_code, nothing_kept.json()["message"]) == (
        400,
        "Keep at least one item to sell, or release the reservation.",
    )
    assert foreign.status_code == 400 and "not part of reservation" in foreign.json()["message"]
    assert other_store.status_code == 404
    assert level(pos.tee, pos.aja) == (10, 2)

    EReservation.objects.filter(order=order).update(hold_until=timezone.now() - dt.timedelta(seconds=1))
    expired = client.post(f"{LIST}{order.number}/sell/", body, format="json")
    assert (expired.status_code, expired.json()["code"]) == (409, "reservation_expired")
