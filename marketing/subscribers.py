"""What marketing does when a lower layer reports a change; each handler calls one service or queues
one task, never sends anything itself.

Subscribed in ``MarketingConfig.ready()`` (``subscribe()``), IN_TRANSACTION (``core.events``):

- ``account.closed``: every marketing consent of the account is withdrawn in the closing transaction,
  so an account is never closed with its consents still granted;
- ``stock.level_changed`` and ``pricing.prices_changed``: wishlist alerts. The Celery task is queued
  through the outbox in the publisher's transaction, so it exists if and only if the stock or price
  change commits. The stock handler costs at most one indexed query, and only when a level became
  available: the alerts themselves run in the task (``marketing.wishlist``).

And AFTER_COMMIT: ``order.paid`` counts a storefront conversion (``marketing.traffic.count_paid``).
"""

from __future__ import annotations

from django.db import transaction

from accounts import events as account_events
from core import events, outbox
from inventory.events import StockLevelChanged
from orders.events import OrderPaid
from pricing.events import PricesChanged

from . import services, tasks, traffic, wishlist


def on_account_closed(event: account_events.AccountClosed) -> None:
    services.withdraw_closed_account(user_id=event.user_id, email=event.email, phone=event.phone)


def on_stock_level_changed(event: StockLevelChanged) -> None:
    if not (event.crossed_zero and event.available > 0):
        return
    if not wishlist.someone_wishes(event.product_id):
        return
    with transaction.atomic():  # the publisher's transaction (a savepoint): outbox needs one
        outbox.enqueue(
            tasks.send_restock_alerts,
            variant_id=event.variant_id,
            product_id=event.product_id,
            location_id=event.location_id,
        )


def on_prices_changed(event: PricesChanged) -> None:
    with transaction.atomic():  # a savepoint in the publisher's transaction: outbox needs one
        outbox.enqueue(tasks.send_price_alerts)


def on_order_paid(event: OrderPaid) -> None:
    traffic.count_paid(order_id=event.order_id)  # only orders a storefront visit placed count


def subscribe() -> None:
    events.subscribe(account_events.AccountClosed, on_account_closed, phase=events.IN_TRANSACTION)
    events.subscribe(StockLevelChanged, on_stock_level_changed, phase=events.IN_TRANSACTION)
    events.subscribe(PricesChanged, on_prices_changed, phase=events.IN_TRANSACTION)
    events.subscribe(
        OrderPaid, on_order_paid
    )  # after commit: a cache write, never in the payment's transaction
