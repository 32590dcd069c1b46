"""The catalog back office: products with their variants and images, categories, options, VAT.

Translated fields (name, description, SEO) show as FR / EN / IT tabs. Changelists select their
related rows up front (a constant number of queries per page). A variant's stock levels are shown by
``inventory.admin`` (it extends ``VariantAdmin``). An edit publishes ``catalog.events`` inside the
admin's transaction, so the pages showing it are refreshed once it commits.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.options import BaseModelAdmin
from django.db.models import Count, Prefetch, Sum
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import events
from core.admin_translation import TabbedTranslationAdmin, TabbedTranslationTabularInline
from core.money import money_round

from . import services
from .admin_images import ProductPhotoInline
from .events import CatalogChanged, ProductsChanged
from .models import (
    Category,
    OptionType,
    OptionValue,
    Product,
    Review,
    ReviewStatus,
    Variant,
    VatRate,
)


class CachedChoicesMixin(BaseModelAdmin):
    """Inline rows share one query for their option-value choices instead of one per row."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "option_values" and field is not None:
            cache = getattr(request, "_option_value_choices", None)
            if cache is None:
                cache = list(field.choices)  # type: ignore[arg-type]  # reads back as pairs; stubs type it as set
                request._option_value_choices = cache
            field.choices = cache
        return field

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "option_values":
            kwargs["queryset"] = OptionValue.objects.select_related("option_type")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def category_filter(field_path: str) -> type[admin.SimpleListFilter]:
    """A category filter that lists the tree in one query and includes each category's descendants."""

    class CategoryTreeFilter(admin.SimpleListFilter):
        title = _("category")
        parameter_name = f"{field_path}_tree"

        def _categories(self):
            return list(Category.objects.select_related("parent__parent__parent"))

        def lookups(self, request, model_admin):
            return sorted(((c.pk, str(c)) for c in self._categories()), key=lambda item: item[1])

        def queryset(self, request, queryset):
            value = self.value()
            if not value:
                return queryset
            wanted = int(value)
            ids = []
            for category in self._categories():
                node = category
                while node is not None and node.pk != wanted:
                    node = node.parent
                if node is not None:
                    ids.append(category.pk)
            return queryset.filter(**{f"{field_path}__in": ids})

    return CategoryTreeFilter


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "rate", "percent"]
    search_fields = ["code", "name"]

    @admin.display(description="%")
    def percent(self, obj):
        return f"{obj.rate * 100:.1f} %"


class ParentFilter(admin.SimpleListFilter):
    title = _("top-level category")
    parameter_name = "root"

    def lookups(self, request, model_admin):
        return [(c.pk, c.name) for c in Category.objects.filter(parent__isnull=True)]

    def queryset(self, request, queryset):
        if self.value():
            root = self.value()
            return (
                queryset.filter(pk=root)
                | queryset.filter(parent_id=root)
                | queryset.filter(parent__parent_id=root)
            )
        return queryset


@admin.register(Category)
class CategoryAdmin(TabbedTranslationAdmin):
    list_display = ["tree_name", "slug", "position", "product_count"]
    list_filter = [ParentFilter]
    search_fields = ["name_fr", "name_en", "name_it", "slug"]
    list_select_related = ["parent__parent__parent"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["parent"]
    ordering = ["parent__parent__position", "parent__position", "position", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_products=Count("products"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.refresh_search_text()  # a category's names are in its products' search text
        events.publish(CatalogChanged())  # menu, breadcrumbs and listings show categories

    @admin.display(description=_("category"), ordering="name")
    def tree_name(self, obj):
        depth, node = 0, obj
        while node.parent_id is not None and depth < 3:
            depth, node = depth + 1, node.parent
        return format_html("{}{}", "\u2003" * depth + ("└ " if depth else ""), obj.name)

    @admin.display(description=_("products"), ordering="n_products")
    def product_count(self, obj):
        return obj.n_products


class OptionValueInline(TabbedTranslationTabularInline):
    model = OptionValue
    extra = 1
    fields = ["code", "name", "position"]


@admin.register(OptionType)
class OptionTypeAdmin(TabbedTranslationAdmin):
    list_display = ["code", "name", "value_count"]
    search_fields = ["code", "name_fr", "name_en", "name_it"]
    inlines = [OptionValueInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_values=Count("values"))

    @admin.display(description=_("values"), ordering="n_values")
    def value_count(self, obj):
        return obj.n_values


class VariantInline(CachedChoicesMixin, admin.TabularInline):
    model = Variant
    extra = 0
    fields = [
        "sku",
        "ean13",
        "option_values",
        "price_ht_override",
        "weight_grams",
        "is_active",
        "position",
        "stock",
    ]
    readonly_fields = ["stock"]
    show_change_link = True

    class Media:
        css = {"all": ("admin/css/catalog_admin.css",)}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("option_values")
            .annotate(total_on_hand=Sum("stock_levels__on_hand"))
        )

    @admin.display(description=_("on hand (all locations)"))
    def stock(self, obj):
        return getattr(obj, "total_on_hand", None) or 0


@admin.register(Product)
class ProductAdmin(TabbedTranslationAdmin):
    list_display = [
        "name",
        "category",
        "vat_rate",
        "base_price_ht",
        "price_ttc",
        "variant_count",
        "tracks_lots",
        "is_published",
    ]
    list_filter = ["is_published", "tracks_lots", "vat_rate", category_filter("category")]
    search_fields = ["name_fr", "name_en", "name_it", "slug", "variants__sku", "=variants__ean13"]
    list_select_related = ["category__parent__parent", "vat_rate"]
    list_per_page = 50
    date_hierarchy = "created_at"
    autocomplete_fields = ["category"]
    filter_horizontal = ["option_types"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [VariantInline, ProductPhotoInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "category", "brand", "description"]}),
        (_("Price and tax"), {"fields": ["base_price_ht", "currency", "vat_rate"]}),
        (_("Variants and stock"), {"fields": ["option_types", "tracks_lots", "is_published"]}),
        (_("Business buyers"), {"fields": ["b2b_min_quantity", "b2b_pack_size"], "classes": ["collapse"]}),
        (_("SEO"), {"fields": ["seo_title", "seo_description"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_variants=Count("variants"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.refresh_search_text(product_ids=[form.instance.pk])
        events.publish(ProductsChanged(product_ids=(form.instance.pk,)))

    def save_formset(self, request, form, formset, change):
        if formset.model is Variant:  # deleted rows and old SKUs leave the tills' catalogs (changed: saved)
            services.record_removed_variants(
                variant_ids=[f.instance.pk for f in formset.deleted_forms if f.instance.pk],
                skus=[f.initial["sku"] for f in formset.initial_forms if "sku" in f.changed_data],
            )
        super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        services.record_removed_variants(product_ids=[obj.pk])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        services.record_removed_variants(product_ids=list(queryset.values_list("pk", flat=True)))
        super().delete_queryset(request, queryset)

    @admin.display(description=_("variants"), ordering="n_variants")
    def variant_count(self, obj):
        return obj.n_variants

    @admin.display(description=_("price TTC (1 unit)"))
    def price_ttc(self, obj):

        return f"{money_round(obj.base_price_ht * (1 + obj.vat_rate.rate))} {obj.currency}"

    @admin.action(description=_("Publish selected products"), permissions=["change"])
    def publish(self, request, queryset):
        count = services.set_published(product_ids=queryset.values_list("pk", flat=True), published=True)
        events.publish(CatalogChanged())
        self.message_user(request, f"{count} product(s) published.", messages.SUCCESS)

    @admin.action(description=_("Unpublish selected products"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = services.set_published(product_ids=queryset.values_list("pk", flat=True), published=False)
        events.publish(CatalogChanged())
        self.message_user(request, f"{count} product(s) unpublished.", messages.SUCCESS)


@admin.register(Variant)
class VariantAdmin(CachedChoicesMixin, admin.ModelAdmin):
    list_display = ["sku", "ean13", "product", "options", "price_ht", "price_ttc", "on_hand", "is_active"]
    list_filter = ["is_active", category_filter("product__category"), "product__tracks_lots"]
    search_fields = ["sku", "=ean13", "product__name_fr", "product__name_en", "product__name_it"]
    list_select_related = ["product__vat_rate"]
    list_per_page = 100
    autocomplete_fields = ["product"]
    filter_horizontal = ["option_values"]
    fields = [
        "product",
        "sku",
        "ean13",
        "option_values",
        "price_ht_override",
        "weight_grams",
        "is_active",
        "position",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("option_values", queryset=OptionValue.objects.select_related("option_type"))
            )
            .annotate(total_on_hand=Sum("stock_levels__on_hand"))
        )

    @admin.display(description=_("options"))
    def options(self, obj):
        return ", ".join(value.name for value in obj.option_values.all())

    @admin.display(description=_("price (HT)"))
    def price_ht(self, obj):
        return obj.price_ht

    @admin.display(description=_("price TTC"))
    def price_ttc(self, obj):
        return obj.price_ttc

    @admin.display(description=_("on hand (all)"), ordering="total_on_hand")
    def on_hand(self, obj):
        return obj.total_on_hand or 0

    def save_model(self, request, obj, form, change):
        if change and "sku" in form.changed_data:  # the tills drop the old SKU, get the new one
            services.record_removed_variants(skus=[form.initial["sku"]])
        super().save_model(request, obj, form, change)
        services.refresh_search_text(product_ids=[obj.product_id])  # its SKU
        events.publish(ProductsChanged(product_ids=(obj.product_id,)))

    def delete_model(self, request, obj):
        services.record_removed_variants(variant_ids=[obj.pk])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        services.record_removed_variants(variant_ids=list(queryset.values_list("pk", flat=True)))
        super().delete_queryset(request, queryset)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Moderation: shoppers see a review once approved here."""

    list_display = ["created_at", "product", "rating", "title", "author_name", "status", "language"]
    list_filter = ["status", "rating", "language", "created_at"]
    search_fields = ["title", "text", "author_name", "user__email", "product__slug"]
    list_select_related = ["product"]
    raw_id_fields = ["product", "user"]
    readonly_fields = [
        "product",
        "user",
        "author_name",
        "rating",
        "title",
        "text",
        "language",
        "created_at",
        "moderated_at",
        "moderated_by",
        "status",
    ]
    actions = ["approve", "reject"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Approve selected reviews"), permissions=["change"])
    def approve(self, request, queryset):
        count = services.moderate_reviews(
            review_ids=list(queryset.values_list("pk", flat=True)),
            status=ReviewStatus.APPROVED,
            user=request.user,
        )
        self.message_user(request, f"{count} review(s) approved.", messages.SUCCESS)

    @admin.action(description=_("Reject selected reviews"), permissions=["change"])
    def reject(self, request, queryset):
        count = services.moderate_reviews(
            review_ids=list(queryset.values_list("pk", flat=True)),
            status=ReviewStatus.REJECTED,
            user=request.user,
        )
        self.message_user(request, f"{count} review(s) rejected.", messages.SUCCESS)
