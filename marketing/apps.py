from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the production delivery-backend check)
            subscribers,
            webhooks,
        )

        subscribers.subscribe()  # account closed: consents withdrawn; stock and prices: wishlist alerts
        webhooks.connect()  # the e-mail provider's bounces and complaints (django-anymail's signal)
