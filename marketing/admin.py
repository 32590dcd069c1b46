"""Consents are proof: the back office reads them and their history, never edits them.
Suppressions can be added by hand (a complaint received by phone); the service applies them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import services
from .models import Consent, ConsentEvent, Suppression


class ConsentEventInline(admin.TabularInline[ConsentEvent, Consent]):
    model = ConsentEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "status", "source", "text_shown", "ip_address", "user_agent", "actor", "note")
    readonly_fields = fields
    ordering = ("created_at", "pk")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin[Consent]):
    list_display = ("address", "channel", "status", "user", "updated_at")
    list_filter = ("channel", "status")
    search_fields = ("address", "user__email")
    readonly_fields = ("channel", "address", "user", "status", "language", "created_at", "updated_at")
    list_select_related = ("user",)
    inlines = [ConsentEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin[Suppression]):
    list_display = ("address", "channel", "reason", "created_at")
    list_filter = ("channel", "reason")
    search_fields = ("address",)
    fields = ("channel", "address", "reason", "detail")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.fields if obj is not None else ()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Suppression, form: Any, change: bool) -> None:
        saved = services.suppress(
            address=obj.address,
            reason=obj.reason,
            channel=obj.channel,
            detail=obj.detail,
            actor=request.user,  # type: ignore[arg-type]
        )
        obj.pk = saved.pk


from . import admin_campaigns  # noqa: E402, F401  (segments and campaigns)
