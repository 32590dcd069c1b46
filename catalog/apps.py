from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from accounts import personal_data

        from .personal_data import HOLDER

        personal_data.register(HOLDER)
