from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        from pos.loyalty_port import register_receipt_points

        from . import subscribers
        from .receipts import LoyaltyReceiptPoints

        subscribers.subscribe()
        # The till receipt prints the sale's points and the new balance (pos asks through its port).
        register_receipt_points(LoyaltyReceiptPoints())
