from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "invoicing"
    verbose_name = _("Invoicing")

    def ready(self) -> None:
        from accounts import personal_data

        from . import immutability, subscribers
        from .personal_data import HOLDER

        subscribers.subscribe()
        personal_data.register(HOLDER)  # exported with the account; kept when it closes
        # SQLite: the function the immutability triggers ask before a DELETE (invoicing.immutability).
        connection_created.connect(immutability.register_sqlite_function, dispatch_uid="invoicing_sqlite")
