"""Helpers of the e-reservation tests: a reservation placed at Ajaccio (the ``pos`` fixture's store)."""

from orders.services import ereservation
from orders.services.ereservation import ReserveLine
from tests.factories import UserFactory


def reserve(pos, lines=None, *, customer=None, store=None, **contact):
    """Reserve ``lines`` [(variant, quantity)] (default: 2 tees) at Ajaccio for a guest."""
    if customer is None and not contact:
        contact = {"name": "Lucia Costa", "email": "lucia@example.com", "phone": "06 12 34 56 78"}
    return ereservation.reserve_in_store(
        lines=[ReserveLine(v, q) for v, q in (lines or [(pos.tee, 2)])],
        store_code=(store or pos.aja).code,
        customer=customer,
        **contact,
    )


def shopper(email="paolo@example.com"):
    return UserFactory(email=email, first_name="Paolo", last_name="Santoni", phone="0611223344")
