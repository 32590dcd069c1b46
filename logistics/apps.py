from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "logistics"
    verbose_name = _("Logistics")

    def ready(self) -> None:
        from orders.shipping import register_shipping_rates

        from .services import LogisticsShippingRates

        register_shipping_rates(LogisticsShippingRates())
        self._fulfilment()
        from . import tasks_returns  # noqa: F401  (registers the portal returns' Celery tasks)

    @staticmethod
    def _fulfilment() -> None:
        """Shipments follow the orders (logistics.services_fulfilment); the wave PDF task registers."""
        from core import events
        from orders import events as order_events
        from orders.fulfilment import register_fulfilment_state

        from . import services_fulfilment as fulfilment
        from . import tasks_fulfilment  # noqa: F401 - registers the task (not an app tasks.py)

        events.subscribe(order_events.OrderPaid, fulfilment.on_order_paid)
        # Cancelling changes the shipments in the cancel's own transaction: both commit, or neither.
        for cancelled in (order_events.OrderCancelled, order_events.OrderRefunded):
            events.subscribe(cancelled, fulfilment.on_order_cancelled, phase=events.IN_TRANSACTION)
        events.subscribe(
            order_events.OrderLinesCancelled, fulfilment.on_lines_cancelled, phase=events.IN_TRANSACTION
        )
        register_fulfilment_state(fulfilment.LogisticsFulfilmentState())
