"""Shops in the admin: the shop with its domains, its assortment, its look and its languages.

Saving calls ``shops.services.shops_changed`` so every process serves the change (``shops.selectors``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin_translation import TabbedTranslationAdmin
from core.money import SUPPORTED_CURRENCIES

from . import services
from .models import Shop, ShopDomain, StaffShopAccess


class ShopForm(forms.ModelForm):  # type: ignore[type-arg]
    languages = forms.MultipleChoiceField(
        label=_("languages"), choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    currencies = forms.MultipleChoiceField(
        label=_("currencies"), choices=SUPPORTED_CURRENCIES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Shop
        fields = [  # the admin takes its fieldsets' (with the translated legal mentions per language)
            "code",
            "name",
            "mode",
            "is_default",
            "logo",
            "tokens",
            "languages",
            "default_language",
            "currencies",
            "categories",
            "excluded_products",
            "email_from",
        ]

    def clean_is_default(self) -> bool:
        value = bool(self.cleaned_data.get("is_default"))
        if not value and self.instance.pk and self.instance.is_default:
            raise forms.ValidationError(
                _("There must always be one default shop: tick “default shop” on another shop instead.")
            )
        return value


class ShopDomainInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ShopDomain
    extra = 1


@admin.register(Shop)
class ShopAdmin(TabbedTranslationAdmin):
    form = ShopForm
    list_display = ("name", "code", "mode", "is_default", "hosts")
    list_filter = ("mode",)
    search_fields = ("name", "code", "domains__host")
    filter_horizontal = ("categories", "excluded_products")
    inlines = [ShopDomainInline]
    fieldsets = (
        (None, {"fields": ("code", "name", "mode", "is_default")}),
        (_("Look"), {"fields": ("logo", "tokens")}),
        (_("Home page"), {"fields": ("headline", "intro")}),
        (_("Languages and currencies"), {"fields": ("languages", "default_language", "currencies")}),
        (_("Assortment"), {"fields": ("categories", "excluded_products")}),
        (_("Legal and e-mail"), {"fields": ("legal_mentions", "email_from")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Shop]:
        return super().get_queryset(request).prefetch_related("domains")

    @admin.display(description=_("host names"))
    def hosts(self, obj: Shop) -> str:
        return ", ".join(d.host for d in obj.domains.all())

    def save_model(self, request: HttpRequest, obj: Shop, form: Any, change: bool) -> None:
        if obj.is_default:  # exactly one default: the previous one gives way
            Shop.objects.filter(is_default=True).exclude(pk=obj.pk).update(is_default=False)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.shops_changed()

    def delete_model(self, request: HttpRequest, obj: Shop) -> None:
        super().delete_model(request, obj)
        services.shops_changed()


@admin.register(StaffShopAccess)
class StaffShopAccessAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "shop")
    list_filter = ("shop",)
    autocomplete_fields = ("user",)
