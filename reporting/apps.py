from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = _("Reporting (KPI dashboard)")

    def ready(self) -> None:
        from . import metrics, subscribers

        subscribers.subscribe()  # order events: the order's facts refreshed after commit (Celery)
        metrics.subscribe()  # order events: the business counters of /metrics, after commit
