"""The POS in the back office: registers, sessions with their cash trail, sales, returns, store
credit, damaged goods and stock discrepancies. Everything that moves money or stock is read-only
here (it changes only through pos.services); staff can add registers and resolve discrepancies."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_scope import StoreScopedAdmin
from core.errors import ApplicationError

from .journal_models import JournalEntry
from .models import (
    CashMovement,
    FavouriteItem,
    PosSale,
    Register,
    RegisterSession,
    SaleTender,
    StockDiscrepancy,
)
from .returns_models import DamagedGoods, Return, ReturnLine, StoreCredit
from .services.discrepancies import resolve_stock_discrepancy


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Register)
class RegisterAdmin(StoreScopedAdmin, admin.ModelAdmin):
    store_field = "store"
    list_display = ["code", "name", "store", "is_active"]
    list_filter = ["store", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["store"]


@admin.register(FavouriteItem)
class FavouriteItemAdmin(StoreScopedAdmin, admin.ModelAdmin):
    """The sale screen's tiles (goods without a barcode), per store, in position order."""

    store_field = "store"
    list_display = ["store", "position", "label", "variant"]
    list_editable = ["position", "label"]
    list_filter = ["store"]
    search_fields = ["label", "variant__sku"]
    list_select_related = ["store", "variant__product"]
    autocomplete_fields = ["variant"]


class CashMovementInline(ReadOnlyInline):
    model = CashMovement
    fields = readonly_fields = ("created_at", "kind", "tender", "amount", "reference", "user")


@admin.register(RegisterSession)
class RegisterSessionAdmin(StoreScopedAdmin, ReadOnlyAdmin):
    store_field = "register__store"
    list_display = ["id", "register", "status", "opened_by", "opened_at", "closed_at", "difference"]
    list_filter = ["status", "register__store"]
    search_fields = ["register__code", "register__name", "opened_by__email"]
    list_select_related = ["register", "opened_by"]
    date_hierarchy = "opened_at"
    inlines = [CashMovementInline]


class SaleTenderInline(ReadOnlyInline):
    model = SaleTender
    fk_name = "order"
    fields = readonly_fields = ("tender", "amount", "change_given", "authorisation_reference")


@admin.register(PosSale)
class PosSaleAdmin(StoreScopedAdmin, ReadOnlyAdmin):
    store_field = "session__register__store"
    list_display = ["order", "session", "cashier", "was_offline", "sold_at", "created_at"]
    list_filter = ["was_offline", "session__register__store"]
    search_fields = ["order__number", "client_uuid"]
    list_select_related = ["order", "session__register", "cashier"]
    date_hierarchy = "sold_at"


class ReturnLineInline(ReadOnlyInline):
    model = ReturnLine
    fields = readonly_fields = ("order_line", "quantity", "condition", "refund_gross")


@admin.register(Return)
class ReturnAdmin(StoreScopedAdmin, ReadOnlyAdmin):
    store_field = "location"
    list_display = ["number", "order", "location", "refund_method", "total_gross", "user", "created_at"]
    list_filter = ["refund_method", "location"]
    search_fields = ["number", "order__number"]
    date_hierarchy = "created_at"
    list_select_related = ["order", "location", "user"]
    inlines = [ReturnLineInline]


@admin.register(StoreCredit)
class StoreCreditAdmin(StoreScopedAdmin, ReadOnlyAdmin):
    """A store manager sees the credits their store issued (on a return there)."""

    store_field = "source_return__location"
    list_display = ["code", "customer", "initial_amount", "balance", "currency", "created_at"]
    search_fields = ["code", "customer__email"]
    list_filter = ["currency"]
    date_hierarchy = "created_at"
    list_select_related = ["customer"]


@admin.register(DamagedGoods)
class DamagedGoodsAdmin(StoreScopedAdmin, ReadOnlyAdmin):
    store_field = "location"
    list_display = ["variant", "location", "quantity", "recorded_by", "created_at"]
    list_filter = ["location"]
    search_fields = ["variant__sku"]
    date_hierarchy = "created_at"
    list_select_related = ["variant", "location", "recorded_by"]


@admin.register(StockDiscrepancy)
class StockDiscrepancyAdmin(StoreScopedAdmin, ReadOnlyAdmin):
    store_field = "location"
    list_display = ["created_at", "location", "variant", "quantity", "order", "status", "note"]
    list_filter = ["status", "location"]
    search_fields = ["variant__sku", "order__number"]
    date_hierarchy = "created_at"
    list_select_related = ["location", "variant", "order"]
    actions = ["resolve"]

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("inventory.adjust_stock")  # to run the action; fields stay read-only

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(description=_("Mark resolved (the shelf was checked)"))
    def resolve(self, request, queryset):
        done = 0
        for discrepancy in queryset:
            try:
                done += resolve_stock_discrepancy(discrepancy=discrepancy, user=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{discrepancy}: {exc.message}", messages.WARNING)
        self.message_user(
            request,
            ngettext("%(count)d discrepancy resolved.", "%(count)d discrepancies resolved.", done)
            % {"count": done},
            messages.SUCCESS,
        )


@admin.register(JournalEntry)
class JournalEntryAdmin(StoreScopedAdmin, ReadOnlyAdmin):
    """The till's chained journal: to read only, for everyone (a database trigger refuses changes)."""

    store_field = "register__store"
    list_display = [
        "created_at",
        "register",
        "journal",
        "sequence",
        "kind",
        "reference",
        "total_gross",
        "grand_total_perpetual",
        "user",
        "short_hash",
    ]
    list_filter = ["journal", "kind", "register"]
    search_fields = ["reference", "period", "hash"]
    list_select_related = ["register", "user"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.display(description=_("hash"))
    def short_hash(self, obj: JournalEntry) -> str:
        return obj.hash[:12]
