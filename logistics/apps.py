from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "logistics"
    verbose_name = "Logistics"

    def ready(self) -> None:
        from orders.shipping import register_shipping_rates

        from .services import LogisticsShippingRates

        register_shipping_rates(LogisticsShippingRates())

        from . import tasks_returns  # noqa: F401  (registers the portal returns' Celery tasks)
