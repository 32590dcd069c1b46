from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "logistics"
    verbose_name = "Logistics"

    def ready(self) -> None:
        from orders.shipping import register_shipping_rates

        from .services import LogisticsShippingRates

        register_shipping_rates(LogisticsShippingRates())
        self._fulfilment()

    @staticmethod
    def _fulfilment() -> None:
        """Shipments follow the orders (logistics.services_fulfilment); the wave PDF task registers."""
        from core import events
        from orders import events as order_events

        from . import services_fulfilment as fulfilment
        from . import tasks_fulfilment  # noqa: F401 - registers the task (not an app tasks.py)

        events.subscribe(order_events.OrderPaid, fulfilment.on_order_paid)
        events.subscribe(order_events.OrderCancelled, fulfilment.on_order_cancelled)
        lines_cancelled = getattr(order_events, "OrderLinesCancelled", None)  # the money helper's event
        if lines_cancelled is not None:
            events.subscribe(lines_cancelled, fulfilment.on_lines_cancelled)
        fulfilment.register_port()
