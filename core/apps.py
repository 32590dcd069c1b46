from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Infrastructure, not domain flow: Django's own hook for every failed sign-in (shop, till,
        # admin) feeds the per-address limit of core.ratelimit.
        from django.contrib.auth.signals import user_login_failed

        from core.ratelimit import count_login_failure

        user_login_failed.connect(count_login_failure, dispatch_uid="core.ratelimit.count_login_failure")
        from . import checks  # noqa: F401  (registers the seller identity check)
