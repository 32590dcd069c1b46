from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from accounts import personal_data
        from payments.ports import register_payable_orders

        from . import subscribers
        from .personal_data import HOLDER, QUOTES_HOLDER
        from .services.payment_outcomes import OrderPayments

        register_payable_orders(OrderPayments())
        personal_data.register(HOLDER)
        personal_data.register(QUOTES_HOLDER)
        subscribers.subscribe()  # a verified e-mail: the guest orders of that address join the account
