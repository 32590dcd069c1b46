from django.apps import AppConfig


class MarketingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "marketing"
    verbose_name = "Marketing"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the production delivery-backend check)
            subscribers,
        )

        subscribers.subscribe()
