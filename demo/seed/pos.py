"""Demo registers (``seed()``, called by ``manage.py seed_demo``): two per active store. Re-runnable."""

from inventory.models import Location, LocationKind
from pos.models import Register

REGISTERS_PER_STORE = 2


def seed() -> int:
    """Create the missing registers ``<store code>-1`` and ``-2``; returns how many were created."""
    created = 0
    for store in Location.objects.filter(kind=LocationKind.STORE, is_active=True).order_by("code"):
        for n in range(1, REGISTERS_PER_STORE + 1):
            _, made = Register.objects.get_or_create(
                code=f"{store.code.lower()}-{n}",
                defaults={"store": store, "name": f"{store.name} — {n}"},
            )
            created += made
    return created
