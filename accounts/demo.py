"""Demo data for the customer portal (``seed(...)``, called by ``manage.py seed_demo``).

The demo shopper (shopper@demo.example) gets a customer profile, two addresses and, the first
time, a short order history placed through the real services: a paid home delivery and a click &
collect order ready at the Ajaccio boutique. Re-runnable: nothing is added twice.
"""

from __future__ import annotations

import logging

from django.db.models import F

from core.errors import ApplicationError

from . import services
from .models import Address, CustomerProfile, User

logger = logging.getLogger(__name__)

DEMO_SHOPPER = "shopper@demo.example"
ADDRESSES = [
    services.AddressData(
        label="Maison",
        first_name="Laetitia",
        last_name="Santoni",
        line1="7 rue Fesch",
        postal_code="20000",
        city="Ajaccio",
        phone="+33 6 12 34 56 78",
    ),
    services.AddressData(
        label="Bureau",
        first_name="Laetitia",
        last_name="Santoni",
        line1="2 boulevard Paoli",
        line2="3e étage",
        postal_code="20200",
        city="Bastia",
    ),
]


def seed() -> dict[str, int]:
    """Profile, addresses and orders of the demo shopper; returns what it added."""
    user = User.objects.filter(email=DEMO_SHOPPER).first()
    if user is None:
        return {"addresses": 0, "orders": 0}
    CustomerProfile.objects.get_or_create(user=user, defaults={"marketing_opt_in": True})
    if not user.phone:
        User.objects.filter(pk=user.pk).update(phone="+33 6 12 34 56 78", preferred_language="fr")
    added_addresses = 0
    if not Address.objects.filter(user=user).exists():
        for data in ADDRESSES:
            services.create_address(user=user, data=data)
            added_addresses += 1
    added_orders = 0 if user.orders.exists() else _seed_orders(user)
    return {"addresses": added_addresses, "orders": added_orders}


def _seed_orders(user: User) -> int:
    from inventory.models import Location, StockLevel
    from orders import services as orders
    from orders.models import DeliveryMethod, OrderStatus

    store = Location.objects.filter(code="AJA").first()
    if store is None:
        return 0
    levels = list(
        StockLevel.objects.filter(location=store, on_hand__gte=F("reserved") + 3, variant__is_active=True)
        .select_related("variant__product")
        .order_by("variant__sku")[:3]
    )
    if len(levels) < 3:
        return 0
    address = {
        key: value
        for key, value in ADDRESSES[0].__dict__.items()
        if key in ("first_name", "last_name", "line1", "line2", "postal_code", "city", "country", "phone")
    }
    placed = 0
    try:
        home = orders.place_web_order(
            lines=[orders.LineInput(levels[0].variant, 2), orders.LineInput(levels[1].variant, 1)],
            location=store,
            delivery_method=DeliveryMethod.HOME,
            email=user.email,
            customer=user,
            phone=user.phone,
            language="fr",
            shipping_address=address,
        )
        orders.transition_order(order=home, to_status=OrderStatus.PAID, note="demo payment")
        placed += 1
        collect = orders.place_web_order(
            lines=[orders.LineInput(levels[2].variant, 1)],
            location=store,
            delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
            email=user.email,
            customer=user,
            phone=user.phone,
            language="fr",
        )
        orders.transition_order(order=collect, to_status=OrderStatus.PAID, note="demo payment")
        orders.transition_order(order=collect, to_status=OrderStatus.READY_FOR_PICKUP, note="demo")
        placed += 1
    except ApplicationError as exc:  # the demo catalog changed shape: keep what was placed
        logger.warning("accounts demo: order history not fully seeded: %s", exc.message)
    return placed
