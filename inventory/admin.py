"""The stock back office. Nobody types an on-hand figure here: every number is read-only, and staff
change stock only through the forms and actions below, which call ``inventory.services`` (so each
change is a conditional UPDATE plus its ledger row, and is pushed live after commit).

- Stock levels: "Receive stock" and "Record a count" forms, a "Set low-stock threshold" action.
- Reservations: "Release selected". Alerts: "Acknowledge selected".
- The ledger, lots: lists to read and search, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.admin_scope import StoreScopedAdmin
from catalog.admin import VariantAdmin as CatalogVariantAdmin
from catalog.models import Variant
from core.auth import signed_in_user
from core.errors import ApplicationError
from core.text import PlainTextFormMixin

from . import services
from .errors import ReservationNotActive
from .models import Location, Reservation, ReservationStatus, StockAlert, StockLevel, StockLot, StockMovement
from .permissions import can_act_at

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.urls import URLPattern
    from django.utils.safestring import SafeString

    from accounts.models import User

M = TypeVar("M", bound=Model)
FormT = TypeVar("FormT", bound="_StockOperationForm")

WEEKDAYS = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
]


def _may_act_anywhere(user: User | AnonymousUser) -> bool:
    return user.has_perm("inventory.act_on_any_location")


def _locations_for(user: User, perm: str) -> QuerySet[Location]:
    """The locations where ``user`` may do ``perm`` (an inventory codename)."""
    if not user.has_perm(f"inventory.{perm}"):
        return Location.objects.none()
    qs = Location.objects.filter(is_active=True)
    if _may_act_anywhere(user):
        return qs
    return qs.filter(pk=user.store_id) if user.store_id is not None else qs.none()


class ReadOnlyAdmin(admin.ModelAdmin[M]):
    """Lists to read: no add, no change form, no delete (actions declare their own permissions)."""

    def has_add_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


# --- locations ------------------------------------------------------------------------------------


def _hours_field(label: str) -> forms.RegexField:
    return forms.RegexField(
        label=label,
        required=False,
        regex=r"^(closed|\d{2}:\d{2}-\d{2}:\d{2}(, ?\d{2}:\d{2}-\d{2}:\d{2})?)$",
        help_text='"10:00-19:00", "09:00-12:00, 14:00-19:00" or "closed"; empty if unknown.',
        error_messages={"invalid": 'Use "HH:MM-HH:MM", two such ranges, or "closed".'},
    )


class LocationForm(forms.ModelForm[Location]):
    """Opening hours as one field per weekday ("10:00-19:00", "closed" or empty) instead of raw JSON."""

    hours_mon = _hours_field("Monday")
    hours_tue = _hours_field("Tuesday")
    hours_wed = _hours_field("Wednesday")
    hours_thu = _hours_field("Thursday")
    hours_fri = _hours_field("Friday")
    hours_sat = _hours_field("Saturday")
    hours_sun = _hours_field("Sunday")

    class Meta:
        model = Location
        fields = [
            "code", "name", "kind", "sells_online", "is_active",
            "address_line", "postal_code", "city", "country", "phone", "email",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = self.instance.opening_hours or {}
        for day, _label in WEEKDAYS:
            self.fields[f"hours_{day}"].initial = hours.get(day, "")

    def save(self, commit: bool = True) -> Location:
        self.instance.opening_hours = {
            day: self.cleaned_data[f"hours_{day}"]
            for day, _ in WEEKDAYS
            if self.cleaned_data.get(f"hours_{day}")
        }
        return super().save(commit=commit)


@admin.register(Location)
class LocationAdmin(StoreScopedAdmin, admin.ModelAdmin[Location]):
    store_field = "pk"
    form = LocationForm
    list_display = [
        "code",
        "name",
        "kind",
        "city",
        "phone",
        "sells_online",
        "accepts_reservations",
        "is_active",
    ]
    list_filter = ["kind", "sells_online", "accepts_reservations", "is_active"]
    search_fields = ["code", "name", "city"]
    fieldsets = [
        (None, {"fields": ["code", "name", "kind", "sells_online", "accepts_reservations", "is_active"]}),
        (_("Address"), {"fields": ["address_line", "postal_code", "city", "country", "phone", "email"]}),
        (_("Opening hours"), {"fields": [f"hours_{day}" for day, _ in WEEKDAYS]}),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Location | None = None) -> bool:
        return False  # stock and the ledger point at locations: deactivate instead


# --- stock operations (forms that call the services) ---------------------------------------------


class _StockOperationForm(PlainTextFormMixin, forms.Form):
    variant = forms.CharField(label="SKU or EAN-13", max_length=64)
    location = forms.ModelChoiceField(queryset=Location.objects.none())
    reference = forms.CharField(
        max_length=120, required=False, help_text="Delivery note, count sheet, ... (kept in the ledger)."
    )
    batch = forms.CharField(max_length=64, required=False, help_text="Lot-tracked products only.")
    expiry_date = forms.DateField(
        required=False, widget=AdminDateWidget, help_text="Lot-tracked products only."
    )

    def __init__(self, *args: Any, locations: QuerySet[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        location_field = self.fields["location"]
        assert isinstance(location_field, forms.ModelChoiceField)
        location_field.queryset = locations

    def clean_variant(self) -> Variant:
        code = self.cleaned_data["variant"].strip()
        variant = Variant.objects.select_related("product").filter(Q(sku=code) | Q(ean13=code)).first()
        if variant is None:
            raise ValidationError(f"No variant has the SKU or EAN-13 {code!r}.")
        return variant

    def lot(self) -> services.LotInput | None:
        batch = self.cleaned_data.get("batch", "").strip()
        return services.LotInput(batch, self.cleaned_data.get("expiry_date")) if batch else None


class ReceiveStockForm(_StockOperationForm):
    quantity = forms.IntegerField(min_value=1)
    field_order = ["variant", "location", "quantity", "reference", "batch", "expiry_date"]


class CountStockForm(_StockOperationForm):
    counted = forms.IntegerField(
        min_value=0, help_text="What is on the shelf (for a lot-tracked product: in this batch)."
    )
    field_order = ["variant", "location", "counted", "reference", "batch"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["expiry_date"]


class BinLocationForm(_StockOperationForm):
    bin_location = forms.CharField(
        label="Bin location",
        max_length=services.BIN_MAX_LENGTH,
        required=False,
        help_text="Aisle-shelf-bin, e.g. A-03-2 (picking walks in this order); empty: none.",
    )
    field_order = ["variant", "location", "bin_location"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("reference", "batch", "expiry_date"):
            del self.fields[name]


class ThresholdForm(forms.Form):
    threshold = forms.IntegerField(
        min_value=0, required=False, help_text="Leave empty to remove the threshold."
    )


class LowStockFilter(admin.SimpleListFilter):
    title = _("stock state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [
            ("low", "At or below threshold"),
            ("out", "Nothing available"),
            ("reserved", "Has reservations"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "low":
            return queryset.filter(
                low_stock_threshold__isnull=False, available_now__lte=F("low_stock_threshold")
            )
        if self.value() == "out":
            return queryset.filter(available_now__lte=0)
        if self.value() == "reserved":
            return queryset.filter(reserved__gt=0)
        return queryset


@admin.register(StockLevel)
class StockLevelAdmin(StoreScopedAdmin, ReadOnlyAdmin[StockLevel]):
    store_field = "location"
    change_list_template = "admin/inventory/stocklevel/change_list.html"
    list_display = [
        "sku",
        "product",
        "location_code",
        "on_hand",
        "reserved",
        "available_units",
        "low_stock_threshold",
        "bin_location",
        "version",
        "updated_at",
        "operations",
    ]
    list_filter = ["location", LowStockFilter, "variant__product__tracks_lots"]
    search_fields = ["variant__sku", "=variant__ean13", "variant__product__name", "=bin_location"]
    list_select_related = ["variant__product", "location"]
    show_full_result_count = False
    list_per_page = 100
    actions = ["set_threshold"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[StockLevel]:
        levels: QuerySet[StockLevel] = super().get_queryset(request)  # the user's stores (StoreScopedAdmin)
        return levels.annotate(available_now=F("on_hand") - F("reserved"))

    @admin.display(description=_("SKU"), ordering="variant__sku")
    def sku(self, obj: StockLevel) -> str:
        return obj.variant.sku

    @admin.display(description=_("product"), ordering="variant__product__name")
    def product(self, obj: StockLevel) -> str:
        return obj.variant.product.name

    @admin.display(description=_("location"), ordering="location__code")
    def location_code(self, obj: StockLevel) -> str:
        return obj.location.code

    @admin.display(description=_("available"), ordering="available_now")
    def available_units(self, obj: StockLevel) -> int:
        return obj.available

    @admin.display(description="")
    def operations(self, obj: StockLevel) -> SafeString:
        return _stock_operations(obj)

    # --- the service-backed forms ---

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "receive/", self.admin_site.admin_view(self.receive_view), name="inventory_stocklevel_receive"
            ),
            path("count/", self.admin_site.admin_view(self.count_view), name="inventory_stocklevel_count"),
            path("bin/", self.admin_site.admin_view(self.bin_view), name="inventory_stocklevel_bin"),
        ]
        return own + super().get_urls()

    def bin_view(self, request: HttpRequest) -> HttpResponse:
        def run(form: BinLocationForm, user: User) -> str:
            data = form.cleaned_data
            level = services.set_bin_location(
                location=data["location"], variant=data["variant"], bin_location=data["bin_location"]
            )
            where = level.bin_location or "no bin"
            return f"{data['variant'].sku} at {data['location'].code}: {where}."

        return self._operation_view(request, BinLocationForm, "change_stocklevel", "Set a bin location", run)

    def receive_view(self, request: HttpRequest) -> HttpResponse:
        def run(form: ReceiveStockForm, user: User) -> str:
            data = form.cleaned_data
            change = services.receive_stock(
                variant=data["variant"],
                location=data["location"],
                quantity=data["quantity"],
                reference=data["reference"],
                user=user,
                lot=form.lot(),
            )
            return (
                f"Received {data['quantity']} × {data['variant'].sku} at {data['location'].code}: "
                f"on hand is now {change.level.on_hand}."
            )

        return self._operation_view(request, ReceiveStockForm, "receive_stock", "Receive stock", run)

    def count_view(self, request: HttpRequest) -> HttpResponse:
        def run(form: CountStockForm, user: User) -> str:
            data = form.cleaned_data
            change = services.adjust_stock(
                variant=data["variant"],
                location=data["location"],
                counted=data["counted"],
                reference=data["reference"],
                user=user,
                lot=form.lot(),
            )
            if not change.movements:
                return (
                    f"The count of {data['variant'].sku} at {data['location'].code} matches: nothing changed."
                )
            delta = change.movements[0].quantity
            return (
                f"Count recorded for {data['variant'].sku} at {data['location'].code} ({delta:+d}): "
                f"on hand is now {change.level.on_hand}."
            )

        return self._operation_view(request, CountStockForm, "adjust_stock", "Record a stock count", run)

    def _operation_view(
        self,
        request: HttpRequest,
        form_class: type[FormT],
        perm: str,
        title: str,
        run: Callable[[FormT, User], str],
    ) -> HttpResponse:
        user = signed_in_user(request.user)  # admin_view() let only staff in
        locations = _locations_for(user, perm)
        if not locations.exists():
            raise PermissionDenied
        if request.method == "POST":
            form = form_class(request.POST, locations=locations)
            if form.is_valid():
                location = form.cleaned_data["location"]
                if not can_act_at(user, location, perm):
                    raise PermissionDenied
                try:
                    message = run(form, user)
                except ApplicationError as error:
                    self.message_user(request, error.message, level=messages.ERROR)
                else:
                    self.message_user(request, message, level=messages.SUCCESS)
                    url = reverse("admin:inventory_stocklevel_changelist")
                    return HttpResponseRedirect(f"{url}?{urlencode({'q': form.cleaned_data['variant'].sku})}")
        else:
            form = form_class(initial=request.GET.dict(), locations=locations)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/inventory/stock_operation.html", context)

    # --- thresholds: configuration, through the service, with an intermediate form ---

    def has_set_threshold_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("inventory.change_stocklevel")

    @admin.action(description=_("Set low-stock threshold"), permissions=["set_threshold"])
    def set_threshold(self, request: HttpRequest, queryset: QuerySet[StockLevel]) -> HttpResponse | None:
        user = signed_in_user(request.user)  # admin actions run for staff only
        queryset = queryset.select_related("variant", "location")
        if not _may_act_anywhere(user):
            own = user.store_id
            queryset = queryset.filter(location_id=own) if own is not None else queryset.none()
        if "apply" in request.POST:
            form = ThresholdForm(request.POST)
            if form.is_valid():
                for level in queryset:
                    services.set_low_stock_threshold(
                        variant=level.variant,
                        location=level.location,
                        threshold=form.cleaned_data["threshold"],
                    )
                self.message_user(request, f"Threshold set on {len(queryset)} level(s).", messages.SUCCESS)
                return None
        else:
            form = ThresholdForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Set low-stock threshold",
            "form": form,
            "levels": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/inventory/set_threshold.html", context)


# --- the ledger and lots: read only ----------------------------------------------------------------


@admin.register(StockMovement)
class StockMovementAdmin(StoreScopedAdmin, ReadOnlyAdmin[StockMovement]):
    store_field = "location"
    list_display = [
        "created_at",
        "reason",
        "sku",
        "location_code",
        "quantity",
        "reserved_delta",
        "batch",
        "reference",
        "user",
    ]
    list_filter = ["reason", "location", "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["variant__sku", "=variant__ean13", "reference"]
    list_select_related = ["variant", "location", "lot", "user"]
    show_full_result_count = False
    list_per_page = 100

    @admin.display(description=_("SKU"), ordering="variant__sku")
    def sku(self, obj: StockMovement) -> str:
        return obj.variant.sku

    @admin.display(description=_("location"), ordering="location__code")
    def location_code(self, obj: StockMovement) -> str:
        return obj.location.code

    @admin.display(description=_("lot"))
    def batch(self, obj: StockMovement) -> str:
        return obj.lot.batch if obj.lot else ""


@admin.register(StockLot)
class StockLotAdmin(StoreScopedAdmin, ReadOnlyAdmin[StockLot]):
    store_field = "location"
    list_display = ["batch", "sku", "location", "expiry_date", "quantity", "received_at"]
    list_filter = ["location", "expiry_date"]
    search_fields = ["batch", "variant__sku", "=variant__ean13"]
    list_select_related = ["variant", "location"]
    date_hierarchy = "expiry_date"

    @admin.display(description=_("SKU"), ordering="variant__sku")
    def sku(self, obj: StockLot) -> str:
        return obj.variant.sku


@admin.register(Reservation)
class ReservationAdmin(StoreScopedAdmin, ReadOnlyAdmin[Reservation]):
    store_field = "location"
    list_display = ["id", "sku", "location", "quantity", "status", "reference", "expires_at", "created_at"]
    list_filter = ["status", "location"]
    search_fields = ["reference", "variant__sku", "=id"]
    date_hierarchy = "created_at"
    list_select_related = ["variant", "location"]
    actions = ["release_selected"]

    @admin.display(description=_("SKU"), ordering="variant__sku")
    def sku(self, obj: Reservation) -> str:
        return obj.variant.sku

    def has_release_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("inventory.reserve_stock")

    @admin.action(description=_("Release selected reservations"), permissions=["release"])
    def release_selected(self, request: HttpRequest, queryset: QuerySet[Reservation]) -> None:
        user = signed_in_user(request.user)  # admin actions run for staff only
        released, skipped = 0, 0
        for reservation in queryset.select_related("location").filter(status=ReservationStatus.ACTIVE):
            if not can_act_at(user, reservation.location, "reserve_stock"):
                skipped += 1
                continue
            try:
                services.release_reservation(reservation=reservation, user=user)
            except ReservationNotActive:
                skipped += 1  # committed or expired since the page was shown
            else:
                released += 1
        self.message_user(request, f"{released} reservation(s) released.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} skipped: no longer active, or at a store you may not manage.",
                messages.WARNING,
            )


class AcknowledgedFilter(admin.SimpleListFilter):
    title = _("acknowledged")
    parameter_name = "acknowledged"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [("no", "Not yet"), ("yes", "Yes")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(acknowledged_at__isnull=self.value() == "no")
        return queryset


@admin.register(StockAlert)
class StockAlertAdmin(StoreScopedAdmin, ReadOnlyAdmin[StockAlert]):
    store_field = "location"
    list_display = [
        "created_at",
        "sku",
        "location",
        "available",
        "threshold",
        "emailed_at",
        "acknowledged_at",
        "acknowledged_by",
    ]
    list_filter = [AcknowledgedFilter, "location"]
    date_hierarchy = "created_at"
    search_fields = ["variant__sku", "=variant__ean13"]
    list_select_related = ["variant", "location", "acknowledged_by"]
    actions = ["acknowledge"]

    @admin.display(description=_("SKU"), ordering="variant__sku")
    def sku(self, obj: StockAlert) -> str:
        return obj.variant.sku

    def has_acknowledge_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("inventory.change_stockalert")

    @admin.action(description=_("Acknowledge selected alerts"), permissions=["acknowledge"])
    def acknowledge(self, request: HttpRequest, queryset: QuerySet[StockAlert]) -> None:
        user = signed_in_user(request.user)  # admin actions run for staff only
        if not _may_act_anywhere(user):
            own = user.store_id
            queryset = queryset.filter(location_id=own) if own is not None else queryset.none()
        count = services.acknowledge_stock_alerts(alert_ids=queryset.values_list("pk", flat=True), user=user)
        self.message_user(request, f"{count} alert(s) acknowledged.", messages.SUCCESS)


# --- the catalog's variant page, with its stock per location ----------------------------------------


class StockLevelInline(StoreScopedAdmin, admin.TabularInline[StockLevel, Variant]):
    """Where the variant is, per location (a store manager: their store). Read only: stock changes go
    through the stock forms."""

    store_field = "location"

    model = StockLevel
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "location",
        "on_hand",
        "reserved",
        "available",
        "low_stock_threshold",
        "operations",
    )
    verbose_name_plural = _("stock by location (read only: use Receive / Count to change it)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[StockLevel]:
        return super().get_queryset(request).select_related("location", "variant")

    def has_add_permission(self, request: HttpRequest, obj: Variant | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Variant | None = None) -> bool:
        return False

    @admin.display(description=_("available"))
    def available(self, obj: StockLevel) -> int:
        return obj.available

    @admin.display(description="")
    def operations(self, obj: StockLevel) -> SafeString:
        return _stock_operations(obj)


def _stock_operations(level: StockLevel) -> SafeString:
    """Links to the Receive, Count and Bin forms, pre-filled for this level."""
    query = urlencode({"variant": level.variant.sku, "location": str(level.location_id)})
    bin_query = urlencode(
        {"variant": level.variant.sku, "location": str(level.location_id), "bin_location": level.bin_location}
    )
    return format_html(
        '<a href="{}?{}">Receive</a> · <a href="{}?{}">Count</a> · <a href="{}?{}">Bin</a>',
        reverse("admin:inventory_stocklevel_receive"),
        query,
        reverse("admin:inventory_stocklevel_count"),
        query,
        reverse("admin:inventory_stocklevel_bin"),
        bin_query,
    )


admin.site.unregister(Variant)


@admin.register(Variant)
class VariantAdmin(CatalogVariantAdmin):
    """The catalog's variant admin plus where the variant is (stock belongs to inventory)."""

    inlines = [*CatalogVariantAdmin.inlines, StockLevelInline]
