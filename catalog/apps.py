from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from accounts import personal_data

        from .personal_data import HOLDER

        personal_data.register(HOLDER)
