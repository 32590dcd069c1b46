from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = "ERP and integrations"

    def ready(self) -> None:
        from .webhooks import subscribers as webhook_subscribers

        webhook_subscribers.subscribe()
