"""The B2B quotes in the admin (issue 17): staff adjust a requested quote's quantities and quoted
prices (inline), write a note, then "Send to the buyer". Every write goes through
``orders.services.quotes``: the form's changes are handed to ``update_quote_lines`` (all or none; a
refused change is shown and nothing is saved). Staff limited to some shops see only their quotes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.auth import signed_in_user
from core.errors import ApplicationError

from . import selectors
from .models import Quote, QuoteLine, QuoteStatus
from .services import quotes as services

QUOTE_ERROR = "_quote_error"


class QuoteLineInline(admin.TabularInline[QuoteLine, Quote]):
    model = QuoteLine
    fields = ("sku", "name", "quantity", "list_unit_price", "quoted_unit_price", "discount", "total_net")
    readonly_fields = ("sku", "name", "list_unit_price", "discount", "total_net")
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Quote | None = None) -> Any:
        if obj is None or obj.status != QuoteStatus.REQUESTED:
            return self.fields  # a sent quote is what its PDF says
        return self.readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Quote | None = None) -> bool:
        return False

    @admin.display(description=_("discount"))
    def discount(self, obj: QuoteLine) -> str:
        return f"-{obj.discount_percent} %" if obj.discount_percent else ""


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin[Quote]):
    list_display = [
        "number",
        "company",
        "requested_by",
        "status",
        "shop",
        "valid_until",
        "total_net",
        "created_at",
    ]
    list_filter = ["status", "shop"]
    list_select_related = ["company", "requested_by", "shop"]
    search_fields = ["number", "company__name", "requested_by__email", "lines__sku"]
    date_hierarchy = "created_at"
    inlines = [QuoteLineInline]
    actions = ["send_to_buyer", "cancel_quotes"]
    fields = [
        "number",
        "company",
        "requested_by",
        "shop",
        "status",
        "message",
        "staff_note",
        "valid_until",
        "total_net",
        "total_vat",
        "total_gross",
        "pdf",
        "emailed_at",
        "order",
        "sent_at",
        "sent_by",
        "decided_at",
        "decided_by",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Quote | None = None) -> Any:
        editable = {"staff_note"} if obj is not None and obj.status == QuoteStatus.REQUESTED else set()
        return [name for name in self.fields if name not in editable]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quote]:
        # a member of staff limited to some shops (shops.StaffShopAccess) sees only their quotes
        return selectors.in_staff_shops(super().get_queryset(request), request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Quote | None = None) -> bool:
        return False

    # --- saving through the service -----------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Quote, form: ModelForm[Quote], change: bool) -> None:
        pass  # written by update_quote_lines in save_related, with the lines

    def save_formset(self, request: HttpRequest, form: ModelForm[Quote], formset: Any, change: bool) -> None:
        # written by update_quote_lines in save_related; the history message reads these lists
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def save_related(self, request: HttpRequest, form: ModelForm[Quote], formsets: Any, change: bool) -> None:
        quote = form.instance
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        if quote.status != QuoteStatus.REQUESTED:
            return
        changes: list[services.LineChange] = []
        for formset in formsets:
            if not isinstance(formset, BaseInlineFormSet):
                continue
            for line_form in formset.forms:
                line = line_form.instance
                data = line_form.cleaned_data
                if line.pk is None or not data:
                    continue
                changes.append(
                    services.LineChange(
                        line_id=line.pk, quantity=data["quantity"], unit_price=data["quoted_unit_price"]
                    )
                )
        try:
            services.update_quote_lines(
                quote=quote, changes=changes, staff_note=form.cleaned_data.get("staff_note", quote.staff_note)
            )
        except ApplicationError as exc:
            setattr(request, QUOTE_ERROR, True)
            self.message_user(
                request, _("Nothing saved: %(reason)s") % {"reason": exc.message}, messages.ERROR
            )

    def response_change(self, request: HttpRequest, obj: Quote) -> HttpResponse:
        if getattr(request, QUOTE_ERROR, False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    # --- actions -------------------------------------------------------------------------------------

    @admin.action(description=_("Send to the buyer"), permissions=["change"])
    def send_to_buyer(self, request: HttpRequest, queryset: QuerySet[Quote]) -> None:
        self._run(request, queryset, services.send_quote, _("Sent"))

    @admin.action(description=_("Cancel the quote"), permissions=["change"])
    def cancel_quotes(self, request: HttpRequest, queryset: QuerySet[Quote]) -> None:
        self._run(request, queryset, services.cancel_quote, _("Cancelled"))

    def _run(
        self, request: HttpRequest, queryset: QuerySet[Quote], service: Callable[..., Any], label: Any
    ) -> None:
        user = signed_in_user(request.user)
        done: list[str] = []
        for quote in queryset.order_by("pk"):
            try:
                service(quote=quote, user=user)
            except ApplicationError as exc:
                self.message_user(
                    request, _("Refused: %(reason)s") % {"reason": exc.message}, messages.WARNING
                )
            else:
                done.append(quote.number)
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(label)s: %(count)d quote (%(numbers)s).",
                    "%(label)s: %(count)d quotes (%(numbers)s).",
                    len(done),
                )
                % {"label": label, "count": len(done), "numbers": ", ".join(done)},
                messages.SUCCESS,
            )
