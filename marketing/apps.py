from django.apps import AppConfig


class MarketingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "marketing"
    verbose_name = "Marketing"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the production delivery-backend check)
            subscribers,
            webhooks,
        )

        subscribers.subscribe()  # account closed: consents withdrawn; stock and prices: wishlist alerts
        webhooks.connect()  # the e-mail provider's bounces and complaints (django-anymail's signal)
