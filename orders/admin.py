from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.address_format import address_html
from accounts.admin_scope import StoreScopedAdmin, sees_every_store
from accounts.models import User
from core.auth import signed_in_user
from core.errors import ApplicationError
from shops.admin import ShopAdmin

from . import selectors
from .models import Cart, EReservation, NotificationLog, Order, OrderAction, OrderLine, OrderStatusChange
from .services import pickup
from .shop_options import DELIVERY_METHOD_CHOICES, PAYMENT_METHOD_CHOICES, ShopCheckoutOptions


class ReadOnlyOrderInline:
    """An inline of an order's own rows (lines, status trail, notifications, staff actions): read-only,
    shown to whoever may view the order (``orders.view_order``), not only to holders of the inline
    model's own view permission (no role has those: the rows are part of the order)."""

    def has_view_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return bool(request.user.is_active and request.user.has_perm("orders.view_order"))

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


class OrderLineInline(ReadOnlyOrderInline, admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    fields = readonly_fields = (
        "sku",
        "name",
        "quantity",
        "quantity_cancelled",
        "quantity_returned",
        "quantity_refunded",
        "unit_price_net",
        "vat_rate",
        "discount_gross",
        "total_gross",
        "refunded_gross",
        "reservation",
    )
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderLine]:
        return super().get_queryset(request).select_related("reservation")


class OrderStatusChangeInline(ReadOnlyOrderInline, admin.TabularInline[OrderStatusChange, Order]):
    model = OrderStatusChange
    fields = readonly_fields = ("created_at", "from_status", "to_status", "user", "note")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderStatusChange]:
        return super().get_queryset(request).select_related("user")


class NotificationLogInline(ReadOnlyOrderInline, admin.TabularInline[NotificationLog, Order]):
    model = NotificationLog
    fields = readonly_fields = (
        "kind",
        "channel",
        "reference",
        "recipient",
        "attempts",
        "sent_at",
        "last_error",
    )
    extra = 0


class EReservationInline(ReadOnlyOrderInline, admin.StackedInline[EReservation, Order]):
    """An e-reservation's hold: who comes, until when, how it ended (orders.services.ereservation)."""

    model = EReservation
    fk_name = "order"
    fields = readonly_fields = (
        "name",
        "hold_until",
        "reminded_at",
        "outcome",
        "reason",
        "sale_order",
        "closed_at",
        "closed_by",
    )
    extra = 0


class OrderActionInline(ReadOnlyOrderInline, admin.TabularInline[OrderAction, Order]):
    """The audit rows of staff actions (cancel, refund, return, message sent again)."""

    model = OrderAction
    fields = readonly_fields = (
        "created_at",
        "user",
        "kind",
        "amount",
        "shipping_amount",
        "lines",
        "via",
        "external_reference",
        "reason",
    )
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderAction]:
        return super().get_queryset(request).select_related("user")


@admin.register(Order)
class OrderAdmin(StoreScopedAdmin, admin.ModelAdmin[Order]):
    """Orders change only through orders.services: everything here is read-only. Who sees which order
    is ``orders.selectors.orders_visible_to`` (the changelist, its search and counts, the change and
    history pages, the actions): a store manager sees their store's orders, sold, collected or shipped
    there; chain roles see all. ``store_field`` serves the mixin's filters and foreign-key choices."""

    store_field = "location"

    list_display = [
        "number",
        "channel",
        "status",
        "delivery_method",
        "location",
        "email",
        "total_gross",
        "currency",
        "created_at",
    ]
    list_filter = ["channel", "status", "delivery_method", "location", "currency", "shop"]
    list_select_related = ["location"]
    search_fields = ["number", "email", "phone", "reference", "lines__sku", "customer__last_name"]
    date_hierarchy = "created_at"
    inlines = [
        OrderLineInline,
        EReservationInline,
        OrderStatusChangeInline,
        NotificationLogInline,
        OrderActionInline,
    ]
    actions = ["mark_ready_for_pickup", "mark_collected"]
    # the address snapshot reads as lines (name, street, town, country), not as a JSON dict
    readonly_fields = [
        "shipping_address_text" if f.name == "shipping_address" else f.name for f in Order._meta.fields
    ]
    exclude = ["shipping_address"]  # shown read-only as shipping_address_text

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        # a member of staff limited to some shops (shops.StaffShopAccess) sees only their orders
        return selectors.in_staff_shops(selectors.orders_visible_to(request.user), request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    @admin.display(description=_("shipping address"))
    def shipping_address_text(self, obj: Order) -> str:
        return address_html(obj.shipping_address)

    @admin.action(description=_("Mark ready for pickup"))
    def mark_ready_for_pickup(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._run(request, queryset, pickup.mark_ready_for_pickup, _("Ready for pickup"))

    @admin.action(description=_("Mark collected"))
    def mark_collected(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._run(request, queryset, pickup.collect_order, _("Collected"))

    def _run(
        self,
        request: HttpRequest,
        queryset: QuerySet[Order],
        service: Callable[..., Any],
        label: str | Promise,
    ) -> None:
        """Call the service once per order (each its own transaction); report done and refused."""
        user: User = signed_in_user(request.user)  # admin actions run for staff only
        done: list[str] = []
        refused: list[str] = []
        for order in queryset.select_related("location").order_by("pk"):
            try:
                service(order=order, user=user)
            except ApplicationError as exc:
                refused.append(f"{order.number}: {exc.message}")
            else:
                done.append(order.number)
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(label)s: %(count)d order (%(numbers)s).",
                    "%(label)s: %(count)d orders (%(numbers)s).",
                    len(done),
                )
                % {"label": label, "count": len(done), "numbers": ", ".join(done)},
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, _("Refused: %(reason)s") % {"reason": reason}, messages.WARNING)


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin[Cart]):
    """Carts, to look at (what a shopper had when they call): read-only, limited like the orders to
    the shops a member of staff works for."""

    list_display = ["token", "user", "shop", "status", "currency", "updated_at"]
    list_filter = ["status", "shop", "currency"]
    list_select_related = ["user", "shop"]
    search_fields = ["token", "user__email"]
    date_hierarchy = "updated_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cart]:
        return selectors.in_staff_shops(super().get_queryset(request), request.user)

    def has_view_permission(self, request: HttpRequest, obj: Cart | None = None) -> bool:
        # web carts belong to no store: chain-wide roles only (a store manager's scope is a store)
        user = request.user
        return bool(user.is_active and user.has_perm("orders.view_order") and sees_every_store(user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Cart | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Cart | None = None) -> bool:
        return False


# --- a shop's delivery and payment methods (issue 17) ---------------------------------------------
# An inline on the shop's admin page, added from here: shops sits below orders and cannot import it.


class ShopCheckoutOptionsForm(forms.ModelForm):  # type: ignore[type-arg]
    delivery_methods = forms.MultipleChoiceField(
        label=_("delivery methods"),
        choices=DELIVERY_METHOD_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Those this shop offers. None ticked: all of them."),
    )
    payment_methods = forms.MultipleChoiceField(
        label=_("payment methods"),
        choices=PAYMENT_METHOD_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Those this shop offers, among the providers the platform has configured. None ticked: all."
        ),
    )

    class Meta:
        model = ShopCheckoutOptions
        fields = ["delivery_methods", "payment_methods"]


class ShopCheckoutOptionsInline(admin.StackedInline):  # type: ignore[type-arg]
    model = ShopCheckoutOptions
    form = ShopCheckoutOptionsForm
    verbose_name = _("delivery and payment methods")
    verbose_name_plural = _("delivery and payment methods")
    can_delete = False
    min_num = 0
    max_num = 1
    extra = 1


ShopAdmin.inlines = [*ShopAdmin.inlines, ShopCheckoutOptionsInline]


from . import admin_quotes as admin_quotes  # noqa: E402,F401  (registers QuoteAdmin)
