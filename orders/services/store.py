"""Till sales and till returns, as orders: the POS prices and pays, orders writes the rows.

``record_store_order`` writes a completed store order (number ``S<year>-<n>``, its lines and its
audit row) for a sale the till has priced, and publishes ``store_sale.completed``; the POS then
records its own rows (the sale, tenders, cash) in the same transaction. ``record_store_return``
publishes ``store_sale.returned`` when goods of an order (till or web) come back at a till.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from core import events
from core.errors import ValidationFailed
from core.numbering import next_number
from core.transactions import nested_atomic

from ..errors import EmptyOrder
from ..events import StoreSaleCompleted, StoreSaleReturned
from ..models import Channel, DeliveryMethod, Order, OrderLine, OrderStatus, OrderStatusChange

if TYPE_CHECKING:
    from accounts.models import User
    from catalog.models import Variant
    from inventory.models import Location

STORE_PREFIX = "S"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class StoreOrderLine:
    """A line as the till priced it: TTC after discounts, net + VAT == gross (to the cent)."""

    variant: Variant
    sku: str
    name: str
    quantity: int
    unit_price_net: Decimal
    vat_rate: Decimal
    discount_gross: Decimal
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal


@nested_atomic  # the till's sale calls it inside its own savepoint (``core.transactions``)
def record_store_order(
    *,
    store: Location,
    cashier: User,
    lines: list[StoreOrderLine],
    customer: User | None,
    reference: str,
    note: str,
) -> Order:
    """A completed, paid store order with its lines and audit row; ``store_sale.completed`` after commit.

    The totals are the lines' sums (the till rounded each line once); a line whose net and VAT do
    not make its gross, or an empty sale, is refused (``ValidationFailed`` / ``EmptyOrder``) and
    nothing is written.
    """
    if not lines:
        raise EmptyOrder()
    for line in lines:
        if line.quantity <= 0 or line.total_net + line.total_vat != line.total_gross or line.total_gross < 0:
            raise ValidationFailed(
                "A store sale line must have a quantity and net + VAT equal to its total.",
                detail={"sku": line.sku},
            )
    total_gross = sum((line.total_gross for line in lines), ZERO)
    total_net = sum((line.total_net for line in lines), ZERO)
    year = timezone.localdate().year
    order = Order.objects.create(
        number=f"{STORE_PREFIX}{year}-{next_number(f'order-{STORE_PREFIX}-{year}'):06d}",
        channel=Channel.STORE,
        status=OrderStatus.COMPLETED,
        delivery_method=DeliveryMethod.IN_STORE,
        location=store,
        customer=customer,
        email=customer.email if customer else "",
        phone=customer.phone if customer else "",
        language=(customer or cashier).preferred_language or "fr",
        reference=reference,
        total_gross=total_gross,
        total_net=total_net,
        total_vat=total_gross - total_net,
        total_gross_eur=total_gross,
        discount_gross=sum((line.discount_gross for line in lines), ZERO),
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            variant=line.variant,
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            unit_price_net=line.unit_price_net,
            vat_rate=line.vat_rate,
            discount_gross=line.discount_gross,
            total_net=line.total_net,
            total_vat=line.total_vat,
            total_gross=line.total_gross,
        )
        for line in lines
    )
    OrderStatusChange.objects.create(
        order=order, from_status="", to_status=OrderStatus.COMPLETED, user=cashier, note=note[:250]
    )
    events.publish(
        StoreSaleCompleted(
            order_id=order.pk,
            number=order.number,
            channel=order.channel,
            delivery_method=order.delivery_method,
            from_status="",
            to_status=order.status,
            user_id=cashier.pk,
            customer_id=order.customer_id,
        )
    )
    return order


def record_store_return(*, order: Order, return_id: int, location: Location, user: User | None) -> None:
    """Goods of ``order`` came back at a till (``return_id`` is the till's return document): tell
    the apps above (``store_sale.returned``, after commit). Call inside the return's transaction."""
    events.publish(
        StoreSaleReturned(
            order_id=order.pk,
            number=order.number,
            return_id=return_id,
            location_id=location.pk,
            user_id=user.pk if user is not None and user.is_authenticated else None,
        )
    )
