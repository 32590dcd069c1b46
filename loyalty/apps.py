from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "loyalty"
    verbose_name = "Loyalty"

    def ready(self) -> None:
        from pos.loyalty_port import register_receipt_points

        from . import subscribers
        from .receipts import LoyaltyReceiptPoints

        subscribers.subscribe()
        # The till receipt prints the sale's points and the new balance (pos asks through its port).
        register_receipt_points(LoyaltyReceiptPoints())
