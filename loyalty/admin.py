"""The loyalty back office: rules and tiers edited; accounts and the ledger read-only.

The ledger is append-only: nobody changes or deletes an entry (superusers included). "Add points
entry" is the staff adjustment: a form of customer, signed points and reason that calls
``loyalty.services.adjust`` (the entry names the staff member); it needs ``loyalty.add_pointsentry``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.auth import signed_in_user
from core.errors import ApplicationError

from . import services
from .models import CategoryMultiplier, EarnRule, LoyaltyAccount, PointsEntry, Tier


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin[Tier]):
    list_display = [
        "name",
        "code",
        "rank",
        "threshold_eur",
        "earn_multiplier",
        "discount_percent",
        "free_shipping",
        "early_access",
    ]
    ordering = ["rank"]


class CategoryMultiplierInline(admin.TabularInline[CategoryMultiplier, EarnRule]):
    model = CategoryMultiplier
    extra = 0
    autocomplete_fields = ["category"]


@admin.register(EarnRule)
class EarnRuleAdmin(admin.ModelAdmin[EarnRule]):
    list_display = ["name", "active", "valid_from", "points_per_euro", "bonus_multiplier", "bonus_starts_at"]
    list_filter = ["active"]
    search_fields = ["name"]
    inlines = [CategoryMultiplierInline]


@admin.register(LoyaltyAccount)
class LoyaltyAccountAdmin(admin.ModelAdmin[LoyaltyAccount]):
    """Read-only: the balance moves with the ledger, the tier with the services."""

    list_display = ["customer", "balance", "tier", "tier_since", "grace_until"]
    list_filter = ["tier"]
    search_fields = ["customer__email"]
    list_select_related = ["customer", "tier"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AdjustmentForm(forms.ModelForm[PointsEntry]):
    """Customer, signed points, reason: checked here, written by ``services.adjust``."""

    class Meta:
        model = PointsEntry
        fields = ["customer", "points", "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        customer, points = data.get("customer"), data.get("points")
        if points == 0:
            self.add_error("points", _("Points must be a whole number other than zero."))
        if customer is not None and isinstance(points, int) and points < 0:
            account = LoyaltyAccount.objects.filter(customer=customer).first()
            balance = account.balance if account else 0
            if balance + points < 0:
                self.add_error("points", _("The balance is %(balance)s points.") % {"balance": balance})
        return data


@admin.register(PointsEntry)
class PointsEntryAdmin(admin.ModelAdmin[PointsEntry]):
    list_display = ["created_at", "customer", "kind", "points", "spend_eur", "order", "reason", "staff"]
    list_filter = ["kind"]
    search_fields = ["customer__email", "source_key", "reason"]
    list_select_related = ["customer", "order", "staff"]
    autocomplete_fields = ["customer"]
    date_hierarchy = "created_at"

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = AdjustmentForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["customer", "points", "reason"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return [f.name for f in PointsEntry._meta.fields]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[PointsEntry]:
        return super().get_queryset(request).select_related("customer", "order", "staff")

    def save_model(self, request: HttpRequest, obj: PointsEntry, form: Any, change: bool) -> None:
        """The adjustment goes through the service; the form's object takes the written entry's id."""
        try:
            entry = services.adjust(
                customer=obj.customer,
                points=obj.points,
                reason=obj.reason,
                staff=signed_in_user(request.user),
            )
        except ApplicationError as exc:  # a race past the form's check: nothing was written
            raise forms.ValidationError(str(exc.message)) from exc
        obj.pk = entry.pk
        obj.kind = entry.kind
        obj.source_key = entry.source_key
        obj.created_at = entry.created_at
