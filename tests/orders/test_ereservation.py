"""E-reservation, the shopper's side: reserve at a store (units held for everyone at once), limits
and bad input refused with nothing written, cancel, expiry by beat without fighting inventory's own
expiry task, the reminder, the e-mails, and the Store API."""

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from inventory import services as inventory
from inventory.errors import InsufficientStock, InvalidQuantity, UnknownLocation
from inventory.models import MovementReason, Reservation, ReservationStatus, StockMovement
from orders.errors import EmptyOrder, EReservationClosed, EReservationLimit, StoreNotReserving
from orders.models import EReservation, EReservationOutcome, Order, OrderStatus
from orders.services import ereservation
from orders.services.ereservation import ReserveLine
from tests.core.api_helpers import api_client
from tests.factories import LocationFactory
from tests.orders.ereservation_support import reserve, shopper
from tests.pos.returns_support import *  # noqa: F403
from tests.pos.returns_support import level

pytestmark = pytest.mark.django_db

API = "/api/v1/store/reservations/"


def nothing_written():
    return (Order.objects.count(), Reservation.objects.count(), StockMovement.objects.count())


# --- reserving ------------------------------------------------------------------------------------


def test_a_guest_reserves_and_the_units_leave_the_available_stock(pos):
    before = timezone.now()

    order = reserve(pos, [(pos.tee, 2), (pos.mug, 1)])

    hold = EReservation.objects.get(order=order)
    assert (order.status, order.delivery_method, order.email, order.phone) == (
        OrderStatus.RESERVED,
        "reserve_store",
        "lucia@example.com",
        "0612345678",
    )
    assert hold.name == "Lucia Costa"
    assert before + dt.timedelta(hours=48) <= hold.hold_until <= timezone.now() + dt.timedelta(hours=48)
    assert level(pos.tee, pos.aja) == (10, 2) and level(pos.mug, pos.aja) == (10, 1)
    # The inventory holds outlive the order's hold: the e-reservation task ends them, not inventory's.
    for reservation in Reservation.objects.filter(reference=order.number):
        assert reservation.expires_at - hold.hold_until == ereservation.EXPIRY_GRACE
    assert order.total_gross == 31  # the web price, shown as an estimate


def test_a_signed_in_shopper_needs_no_contact_details(pos):
    customer = shopper()

    order = reserve(pos, customer=customer)

    assert (order.customer, order.email, order.phone) == (customer, "paolo@example.com", "0611223344")
    assert order.e_reservation.name == "Paolo Santoni"


def test_the_same_idempotency_key_returns_the_first_reservation(pos):
    customer = shopper()
    line = [ReserveLine(pos.tee, 1)]

    first = ereservation.reserve_in_store(
        lines=line, store_code="AJA", customer=customer, idempotency_key="k1"
    )
    again = ereservation.reserve_in_store(
        lines=line, store_code="AJA", customer=customer, idempotency_key="k1"
    )

    assert again == first
    assert level(pos.tee, pos.aja) == (10, 1)


@pytest.mark.parametrize(
    ("lines", "error", "message"),
    [
        ([], EmptyOrder, "Choose at least one item to reserve."),
        ([("tee", 0)], InvalidQuantity, "The quantity of TEE must be a whole number of at least 1."),
        ([("tee", 11)], InsufficientStock, "Only 10 left of TEE at Ajaccio: nothing was reserved."),
        (
            [("tee", 9), ("mug", 9), ("tee", 3)],
            EReservationLimit,
            "You can reserve at most 20 items at a time (you asked for 21).",
        ),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(pos, lines, error, message, settings):
    settings.E_RESERVATION_MAX_UNITS = 20
    variants = {"tee": pos.tee, "mug": pos.mug}
    before = nothing_written()

    with pytest.raises(error) as raised:
        ereservation.reserve_in_store(
            lines=[ReserveLine(variants[name], q) for name, q in lines],
            store_code="AJA",
            name="A B",
            email="a@example.com",
            phone="0600000000",
        )

    assert raised.value.message == message
    assert nothing_written() == before
    assert level(pos.tee, pos.aja) == (10, 0)


def test_a_store_without_the_units_or_not_taking_reservations_is_refused(pos):
    closed = LocationFactory(code="COR", name="Corte", accepts_reservations=False)
    before = nothing_written()

    with pytest.raises(InsufficientStock) as empty:
        reserve(pos, store=pos.bas)
    with pytest.raises(StoreNotReserving) as refusing:
        reserve(pos, store=closed)
    with pytest.raises(UnknownLocation):
        ereservation.reserve_in_store(
            lines=[ReserveLine(pos.tee, 1)],
            store_code="NOPE",
            name="A B",
            email="a@example.com",
            phone="0600000000",
        )

    assert empty.value.message == "Only 0 left of TEE at Bastia: nothing was reserved."
    assert refusing.value.message == "Corte does not take reservations."
    assert nothing_written() == before


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        ({"name": "", "email": "a@example.com", "phone": "0600000000"}, "name"),
        ({"name": "A B", "email": "not-an-email", "phone": "0600000000"}, "email"),
        ({"name": "A B", "email": "a@example.com", "phone": ""}, "phone"),
        ({"name": "A B", "email": "a@example.com", "phone": "call me"}, "phone"),
    ],
)
def test_a_guest_must_give_name_email_and_phone(pos, contact, field):
    before = nothing_written()

    with pytest.raises(Exception) as raised:
        reserve(pos, **contact)

    # missing: contact_required (a rule); malformed: invalid
    missing = not contact.get(field, "").strip()
    assert raised.value.code == ("contact_required" if missing else "invalid")
    assert raised.value.detail["field"] == field
    assert nothing_written() == before


def test_a_shopper_may_hold_only_so_many_reservations(pos, settings):
    settings.E_RESERVATION_MAX_ACTIVE = 2
    customer = shopper()
    first = reserve(pos, [(pos.tee, 1)], customer=customer)
    reserve(pos, [(pos.tee, 1)], customer=customer)

    with pytest.raises(EReservationLimit) as raised:
        reserve(pos, [(pos.mug, 1)], customer=customer)
    ereservation.cancel_e_reservation(order=first, user=customer)
    third = reserve(pos, [(pos.mug, 1)], customer=customer)

    assert raised.value.message == (
        "You already have 2 reservations held (at most 2): collect or cancel one first."
    )
    assert third.status == OrderStatus.RESERVED


# --- cancel, expiry, reminder ---------------------------------------------------------------------


def test_the_shopper_cancels_and_cancelling_again_changes_nothing(pos):
    order = reserve(pos)

    ereservation.cancel_e_reservation(order=order)
    movements = StockMovement.objects.count()
    again = ereservation.cancel_e_reservation(order=order)

    assert again.status == OrderStatus.CANCELLED
    assert EReservation.objects.get(order=order).outcome == EReservationOutcome.CANCELLED
    assert StockMovement.objects.count() == movements
    assert level(pos.tee, pos.aja) == (10, 0)


def test_expiry_releases_the_units_and_tells_the_shopper(
    pos, django_capture_on_commit_callbacks, eager_celery
):
    order = reserve(pos)
    kept = reserve(pos, [(pos.mug, 1)], name="Marc Pieri", email="marc@example.com", phone="0495000000")
    hold = EReservation.objects.get(order=order)
    EReservation.objects.filter(order=kept).update(hold_until=hold.hold_until + dt.timedelta(hours=1))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ended = ereservation.expire_e_reservations(now=hold.hold_until + dt.timedelta(seconds=1))

    assert ended == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert EReservation.objects.get(order=order).outcome == EReservationOutcome.EXPIRED
    assert level(pos.tee, pos.aja) == (10, 0)
    assert (
        StockMovement.objects.filter(
            reference=order.number, reason=MovementReason.RESERVATION_EXPIRED
        ).count()
        == 1
    )
    assert [m.to for m in mail.outbox if order.number in m.subject] == [["lucia@example.com"]]
    assert "sont de retour en rayon" in next(
        m.body for m in mail.outbox if order.number in m.subject
    )  # its language
    assert Order.objects.get(pk=kept.pk).status == OrderStatus.RESERVED
    assert ereservation.expire_e_reservations(now=hold.hold_until + dt.timedelta(seconds=1)) == 0


def test_inventorys_expiry_task_leaves_a_held_reservation_alone(pos):
    order = reserve(pos)
    hold = EReservation.objects.get(order=order)

    # At the end of the hold (before the e-reservation task runs) inventory's task releases nothing.
    assert inventory.release_expired_reservations(now=hold.hold_until + dt.timedelta(minutes=5)) == 0
    assert level(pos.tee, pos.aja) == (10, 2)
    assert ereservation.expire_e_reservations(now=hold.hold_until + dt.timedelta(minutes=5)) == 1
    assert inventory.release_expired_reservations(now=hold.hold_until + dt.timedelta(days=1)) == 0
    assert set(Reservation.objects.filter(reference=order.number).values_list("status", flat=True)) == {
        ReservationStatus.EXPIRED
    }


def test_the_reminder_goes_once_some_hours_before_the_end(
    pos, django_capture_on_commit_callbacks, eager_celery
):
    order = reserve(pos)
    hold = EReservation.objects.get(order=order)
    mail.outbox.clear()

    early = ereservation.remind_e_reservations(now=hold.hold_until - dt.timedelta(hours=7))
    with django_capture_on_commit_callbacks(execute=True):
        due = ereservation.remind_e_reservations(now=hold.hold_until - dt.timedelta(hours=5))
    again = ereservation.remind_e_reservations(now=hold.hold_until - dt.timedelta(hours=4))

    assert (early, due, again) == (0, 1, 0)
    assert [m.to for m in mail.outbox] == [["lucia@example.com"]]
    assert order.number in mail.outbox[0].subject


@override_settings(PAYMENTS_SITE_URL="https://shop.example")
def test_the_shopper_and_the_store_get_an_email_in_their_language(
    pos, django_capture_on_commit_callbacks, eager_celery
):
    pos.aja.email = "ajaccio@shop.example"
    pos.aja.save()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        order = ereservation.reserve_in_store(
            lines=[ReserveLine(pos.tee, 2)],
            store_code="AJA",
            name="Lucia Costa",
            email="lucia@example.com",
            phone="0612345678",
            language="fr",
        )

    hold = timezone.localtime(EReservation.objects.get(order=order).hold_until)
    by_to = {m.to[0]: m for m in mail.outbox}
    shopper_mail, store_mail = by_to["lucia@example.com"], by_to["ajaccio@shop.example"]
    assert shopper_mail.subject == f"Réservation {order.number} à Ajaccio"
    assert f"{hold:%H:%M}" in shopper_mail.body
    assert f"https://shop.example/fr/reservation/{order.number}/?t=" in shopper_mail.body
    assert order.number in store_mail.subject and "Lucia Costa" in store_mail.subject
    assert "2 x Tee (TEE)" in store_mail.body


def test_a_bought_reservation_cannot_be_cancelled(pos):
    order = reserve(pos)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.BOUGHT_IN_STORE)

    with pytest.raises(EReservationClosed):
        ereservation.cancel_e_reservation(order=order)
    assert level(pos.tee, pos.aja) == (10, 2)


# --- Store API ------------------------------------------------------------------------------------


def guest_body(**changes):
    return {
        "store": "AJA",
        "lines": [{"sku": "TEE", "quantity": 2}],
        "name": "Lucia Costa",
        "email": "lucia@example.com",
        "phone": "06 12 34 56 78",
        **changes,
    }


def test_a_guest_reserves_sees_and_cancels_through_the_api(pos):
    client = api_client(None)

    created = client.post(API, guest_body(), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    number, token = body["number"], body["token"]
    assert (body["status"], body["outcome"], body["store"]["name"]) == ("reserved", "active", "Ajaccio")
    assert level(pos.tee, pos.aja) == (10, 2)

    assert client.get(f"{API}{number}/").status_code == 404  # no token, no account
    assert client.get(f"{API}{number}/", {"token": "forged"}).status_code == 404
    seen = client.get(f"{API}{number}/", {"token": token})
    assert seen.status_code == 200 and seen.json()["lines"][0]["sku"] == "TEE"

    cancelled = client.post(f"{API}{number}/cancel/", {"token": token}, format="json")
    again = client.post(f"{API}{number}/cancel/", {"token": token}, format="json")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert again.status_code == 200
    assert level(pos.tee, pos.aja) == (10, 0)


def test_a_signed_in_shopper_lists_their_reservations(pos):
    customer = shopper()
    client = api_client(customer)
    created = client.post(API, {"store": "AJA", "lines": [{"sku": "MUG", "quantity": 1}]}, format="json")

    listed = client.get(API)

    assert created.status_code == 201
    assert [r["number"] for r in listed.json()] == [created.json()["number"]]
    assert api_client(None).get(API).status_code == 401
    assert client.get(f"{API}{created.json()['number']}/").status_code == 200
    assert (
        api_client(shopper("other@example.com")).get(f"{API}{created.json()['number']}/").status_code == 404
    )


@pytest.mark.parametrize(
    ("changes", "status", "code", "message"),
    [
        ({"lines": [{"sku": "NOPE", "quantity": 1}]}, 404, "unknown_sku", None),
        (
            {"lines": [{"sku": "TEE", "quantity": 0}]},
            400,
            "invalid_quantity",
            "The quantity of TEE must be a whole number of at least 1.",
        ),
        ({"lines": []}, 400, "empty_order", "Choose at least one item to reserve."),
        ({"store": "BAS"}, 409, "insufficient_stock", "Only 0 left of TEE at Bastia: nothing was reserved."),
        ({"store": "ZZZ"}, 404, "unknown_location", "No store ZZZ."),
        ({"phone": ""}, 400, "contact_required", "Give a phone number so the store can reach you."),
        ({"lines": [{"sku": "TEE", "quantity": 6}]}, 400, "reservation_limit", None),
    ],
)
def test_api_refusals_are_clear_and_write_nothing(pos, changes, status, code, message):
    before = nothing_written()

    response = api_client(None).post(API, guest_body(**changes), format="json")

    assert (response.status_code, response.json()["code"]) == (status, code)
    if message:
        assert response.json()["message"] == message
    assert nothing_written() == before
