"""demo.seed.pos.seed: two registers per active store, re-runnable."""

import pytest

from demo.seed.pos import seed
from inventory.models import LocationKind
from pos.models import Register
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_gives_two_registers_per_active_store_and_reruns(store, other_store):
    LocationFactory(code="WH", kind=LocationKind.WAREHOUSE)
    assert seed() == 4
    assert seed() == 0
    assert list(Register.objects.order_by("code").values_list("code", "store__code")) == [
        ("aja-1", "AJA"),
        ("aja-2", "AJA"),
        ("bas-1", "BAS"),
        ("bas-2", "BAS"),
    ]
