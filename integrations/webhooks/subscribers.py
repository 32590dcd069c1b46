"""Which domain events become webhooks (subscribed in ``IntegrationsConfig.ready()``).

- Order events and ``customer.updated``: IN_TRANSACTION, so the delivery and its outbox message
  commit or roll back with the change that caused them (a rolled-back payment sends nothing).
  With no endpoint subscribed this costs one small SELECT.
- ``stock.level_changed`` -> ``stock.changed``: AFTER_COMMIT, in a transaction of its own, coalesced
  (one pending delivery per endpoint, variant and location, sent with the level as it is then): a
  till sale or an import moving hundreds of levels adds no write to their transactions.
"""

from __future__ import annotations

from django.db import transaction

from accounts.events import CustomerUpdated
from core import events
from inventory.events import StockLevelChanged
from orders import events as order_events

from . import services
from .models import WebhookEventName

ORDER_EVENTS: tuple[type[order_events.OrderEvent], ...] = (
    order_events.OrderPaid,
    order_events.OrderShipped,
    order_events.OrderCancelled,
    order_events.OrderRefunded,
)


def on_order_event(event: order_events.OrderEvent) -> None:
    services.queue_event(
        event=event.name,
        payload={
            "order_id": event.order_id,
            "number": event.number,
            "channel": event.channel,
            "delivery_method": event.delivery_method,
            "from_status": event.from_status,
            "status": event.to_status,
        },
    )


def on_customer_updated(event: CustomerUpdated) -> None:
    if not services.endpoints_for(WebhookEventName.CUSTOMER_UPDATED):
        return
    from accounts.models import CustomerProfile

    profile = CustomerProfile.objects.select_related("user").filter(user_id=event.user_id).first()
    services.queue_event(
        event=WebhookEventName.CUSTOMER_UPDATED,
        payload={
            "user_id": event.user_id,
            "created": event.created,
            "customer_code": profile.erp_code if profile is not None else None,
            "email": profile.user.email if profile is not None else None,
        },
    )


def on_stock_level_changed(event: StockLevelChanged) -> None:
    if not services.endpoints_for(WebhookEventName.STOCK_CHANGED):
        return
    from catalog.models import Variant
    from inventory.selectors import location_codes

    sku = Variant.objects.filter(pk=event.variant_id).values_list("sku", flat=True).first()
    location = location_codes([event.location_id]).get(event.location_id)
    with transaction.atomic():
        services.queue_event(
            event=WebhookEventName.STOCK_CHANGED,
            payload={
                "sku": sku,
                "location": location,
                "on_hand": event.on_hand,
                "reserved": event.reserved,
                "available": event.available,
            },
            coalesce_key=f"{event.variant_id}:{event.location_id}",
        )


def subscribe() -> None:
    for event_type in ORDER_EVENTS:
        events.subscribe(event_type, on_order_event, phase=events.IN_TRANSACTION)
    events.subscribe(CustomerUpdated, on_customer_updated, phase=events.IN_TRANSACTION)
    events.subscribe(StockLevelChanged, on_stock_level_changed)
