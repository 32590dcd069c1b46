import pytest

from inventory import services
from inventory.errors import InsufficientStock
from inventory.models import StockLevel, StockMovement


@pytest.mark.django_db
def test_receive_sell_reserve_commit_and_refusal(store, variant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.receive_stock(variant=variant, location=store, quantity=5, reference="PO-1")
        services.sell_stock(variant=variant, location=store, quantity=2, reference="S-1")
        r = services.reserve_stock(variant=variant, location=store, quantity=2, reference="C-1")
        with pytest.raises(InsufficientStock):
            services.sell_stock(variant=variant, location=store, quantity=2)
        services.commit_reservation(reservation=r)
    level = StockLevel.objects.get(variant=variant, location=store)
    assert (level.on_hand, level.reserved) == (1, 0)
    assert sum(StockMovement.objects.values_list("quantity", flat=True)) == 1
