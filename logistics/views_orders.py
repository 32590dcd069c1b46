"""The staff order screen, ``/backoffice/orders/``: the list (filters, search, sort, pages, export),
one order's whole story, and the after-sales actions (cancel, refund in part, send a message again).

Thin views: parse the form, authorise, read through ``logistics.selectors_orders`` (which starts from
``orders.selectors.orders_visible_to``: an order out of reach is a 404), call one service of
``orders.services`` and render. Every action is two steps: the form, then a confirmation page that
shows exactly what will happen (lines, amounts, the refund total); confirming posts a one-time key
that the service keeps, so a double click or a replayed form does the action once.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.auth import signed_in_user
from core.errors import ApplicationError
from inventory.models import Location
from orders import services as order_services
from orders.errors import OrderNotFound
from orders.fulfilment import fulfilment_state
from orders.models import (
    Channel,
    DeliveryMethod,
    NotificationChannel,
    NotificationKind,
    Order,
    OrderLine,
    OrderStatus,
)
from orders.selectors import may_use_order_screens, sees_every_order

from . import selectors_orders as selectors

if TYPE_CHECKING:
    from accounts.models import User

CANCELLABLE = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP)
PAID_BEFORE_SHIPPING = (OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP)
REFUNDABLE = (OrderStatus.SHIPPED, OrderStatus.COMPLETED)
XLSX_MAX_ROWS = 50_000
ZERO = Decimal("0.00")


def _staff(request: HttpRequest) -> User:
    """The signed-in member of staff who may use the order screens (else 403)."""
    if not may_use_order_screens(request.user):
        raise PermissionDenied
    return signed_in_user(request.user)


def _order(request: HttpRequest, number: str) -> Order:
    try:
        return selectors.visible_order(user=request.user, number=number)
    except OrderNotFound:
        raise Http404 from None


# --- the list ---------------------------------------------------------------------------------------


class OrderListForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    delivery_method = forms.ChoiceField(label=gettext_lazy("Delivery"), required=False)
    location = forms.TypedChoiceField(
        label=gettext_lazy("Store"), required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(label=gettext_lazy("From"), required=False)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False)
    sort = forms.CharField(required=False, max_length=20)

    def __init__(self, data: Any, *, locations: Iterable[Location]) -> None:
        super().__init__(data)
        self._choices("status", OrderStatus.choices, _("All statuses"))
        self._choices("channel", Channel.choices, _("All channels"))
        self._choices("delivery_method", DeliveryMethod.choices, _("All deliveries"))
        self._choices("location", [(loc.pk, loc.name) for loc in locations], _("All stores"))

    def _choices(self, name: str, choices: Iterable[tuple[Any, Any]], everything: str) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", everything), *choices]

    def filters(self) -> selectors.OrderFilters:
        self.is_valid()  # a bad field (a stale link) is ignored: cleaned_data lacks it
        data = self.cleaned_data
        return selectors.OrderFilters(
            q=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            channel=data.get("channel") or "",
            delivery_method=data.get("delivery_method") or "",
            location_id=data.get("location"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            sort=data.get("sort") or selectors.DEFAULT_SORT,
        )


def _list_form(request: HttpRequest) -> OrderListForm:
    locations = Location.objects.none()
    if sees_every_order(request.user):
        locations = Location.objects.filter(is_active=True).order_by("kind", "name")
    return OrderListForm(request.GET, locations=locations)


@dataclass(frozen=True)
class SortLink:
    key: str
    label: str
    query: str
    state: str  # "asc", "desc" or ""


def _sort_links(request: HttpRequest, current: str) -> dict[str, SortLink]:
    links = {}
    labels = {
        "number": _("Order"),
        "date": _("Date"),
        "status": _("Status"),
        "store": _("Store"),
        "customer": _("Customer"),
        "total": _("Total"),
    }
    for key, label in labels.items():
        query = request.GET.copy()
        query.pop("page", None)
        state = "asc" if current == key else "desc" if current == f"-{key}" else ""
        query["sort"] = f"-{key}" if state == "asc" or (not state and key in ("date", "total")) else key
        links[key] = SortLink(key=key, label=label, query=query.urlencode(), state=state)
    return links


@login_required(login_url="admin:login")
def order_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form = _list_form(request)
    filters = form.filters()
    page = Paginator(
        selectors.filtered_orders(user=request.user, filters=filters), selectors.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "logistics/orders/list.html",
        {
            "filters": form,
            "page": page,
            "orders": list(page),
            "page_query": query.urlencode(),
            "filtered": filters.active,
            "sorts": _sort_links(request, filters.sort),
            "chain": sees_every_order(request.user),
        },
    )


# --- export -----------------------------------------------------------------------------------------


def _export_header() -> list[str]:
    return [
        _("Order"), _("Date"), _("Status"), _("Channel"), _("Delivery"), _("Store"), _("Customer e-mail"),
        _("Customer name"), _("Phone"), _("SKU"), _("Product"), _("Options"), _("Ordered"), _("Shipped"),
        _("Cancelled"), _("Returned"), _("Refunded"), _("Unit price TTC"), _("Line total TTC"),
        _("Line refunded TTC"), _("Order total TTC"), _("Order refunded TTC"), _("Currency"),
    ]  # fmt: skip


def customer_name(order: Order) -> str:
    """The customer's name, else the delivery address's name."""
    customer = order.customer
    if customer is not None and (customer.first_name or customer.last_name):
        return f"{customer.first_name} {customer.last_name}".strip()
    address = order.shipping_address or {}
    return f"{address.get('first_name', '')} {address.get('last_name', '')}".strip()


def _export_rows(lines: Iterator[OrderLine]) -> Iterator[list[Any]]:
    for line in lines:
        order = line.order
        yield [
            order.number,
            timezone.localtime(order.created_at).strftime("%Y-%m-%d %H:%M"),
            order.get_status_display(),
            order.get_channel_display(),
            order.get_delivery_method_display(),
            order.location.name,
            order.email,
            customer_name(order),
            order.phone,
            line.sku,
            line.name,
            selectors.option_label(line),
            line.quantity,
            getattr(line, "quantity_shipped", 0),
            line.quantity_cancelled,
            line.quantity_returned,
            line.quantity_refunded,
            line.gross_before_discount / line.quantity if line.quantity else ZERO,
            line.total_gross,
            line.refunded_gross,
            order.total_gross,
            order.refunded_gross,
            order.currency,
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required(login_url="admin:login")
def order_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered list, one row per order line (so SKUs and quantities can be summed), as CSV
    (streamed, semicolon-separated, UTF-8 with BOM for spreadsheets) or XLSX (``?format=xlsx``)."""
    _staff(request)
    filters = _list_form(request).filters()
    lines = selectors.export_lines(user=request.user, filters=filters)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if request.GET.get("format") == "xlsx":
        from openpyxl import Workbook  # type: ignore[import-untyped]

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Orders"))
        sheet.append(_export_header())
        for count, row in enumerate(_export_rows(lines)):
            if count >= XLSX_MAX_ROWS:
                break
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.xlsx"'
        return response
    writer = csv.writer(_Echo(), delimiter=";")

    def stream() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(_export_header())
        for row in _export_rows(lines):
            yield writer.writerow(row)

    streaming = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    streaming["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
    return streaming


# --- one order --------------------------------------------------------------------------------------


def _offers(order: Order, detail: selectors.OrderDetail) -> dict[str, bool]:
    """Which action buttons the page offers (the services refuse the rest anyway)."""
    open_units = sum(row.line.quantity_open for row in detail.lines)
    return {
        "cancel": order.status in CANCELLABLE and open_units > 0 and not detail.has_left,
        "refund": order.status in REFUNDABLE,
        "resend": bool(_resendable(detail)),
    }


def _resendable(detail: selectors.OrderDetail) -> list[tuple[str, str, str]]:
    """(value, kind, channel) of the messages the order had that may be sent again."""
    seen: dict[str, tuple[str, str, str]] = {}
    for log in detail.notifications:
        if getattr(log, "reference", "") or log.sent_at is None:
            continue
        if log.kind == NotificationKind.CANCELLATION and detail.order.status != OrderStatus.CANCELLED:
            continue
        value = f"{log.kind}:{log.channel}"
        seen[value] = (value, log.get_kind_display(), log.get_channel_display())
    return list(seen.values())


@login_required(login_url="admin:login")
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    _staff(request)
    try:
        detail = selectors.order_detail(user=request.user, number=number)
    except OrderNotFound:
        raise Http404 from None
    order = detail.order
    return render(
        request,
        "logistics/orders/detail.html",
        {
            "detail": detail,
            "order": order,
            "address": order.shipping_address or {},
            "customer_name": customer_name(order),
            "offers": _offers(order, detail),
            "captured": detail.captured,
        },
    )


# --- actions ----------------------------------------------------------------------------------------


@dataclass
class PlannedLine:
    line: OrderLine
    quantity: int
    amount: Decimal


def _line_field(line: OrderLine) -> str:
    return f"line_{line.pk}"


class _LinesForm(forms.Form):
    """A quantity per order line (0 by default) and a reason; ``key`` is the confirmation's one-time key."""

    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=250)
    key = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, lines: list[OrderLine], maximum: dict[int, int]) -> None:
        super().__init__(data)
        self.order_lines = lines
        for line in lines:
            self.fields[_line_field(line)] = forms.IntegerField(
                label=line.sku,
                required=False,
                min_value=0,
                max_value=max(maximum.get(line.pk, 0), 0),
                initial=0,
            )

    def line_quantities(self) -> list[tuple[OrderLine, int]]:
        return [
            (line, self.cleaned_data.get(_line_field(line)) or 0)
            for line in self.order_lines
            if self.cleaned_data.get(_line_field(line))
        ]

    def line_fields(self) -> list[tuple[OrderLine, forms.BoundField]]:
        return [(line, self[_line_field(line)]) for line in self.order_lines]

    def add_service_error(self, error: ApplicationError) -> None:
        """The service's refusal next to the field it is about (a line, the amount, the reason)."""
        detail = error.detail or {}
        names: list[str] = []
        if "line_id" in detail and f"line_{detail['line_id']}" in self.fields:
            names.append(f"line_{detail['line_id']}")
        for item in detail.get("lines") or []:
            if isinstance(item, dict) and f"line_{item.get('line_id')}" in self.fields:
                names.append(f"line_{item.get('line_id')}")
        if detail.get("field") in self.fields:
            names.append(str(detail["field"]))
        if "amount" in detail and "amount" in self.fields:
            names.append("amount")
        if error.code == "shipping_already_refunded" and "shipping" in self.fields:
            names.append("shipping")
        message = str(error.message)
        if not names:
            self.add_error(None, message)
        for name in dict.fromkeys(names):
            if name not in self.errors:
                self.add_error(name, message)


class CancelForm(_LinesForm):
    whole = forms.BooleanField(label=gettext_lazy("Cancel the whole order"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("whole") and not any(data.get(_line_field(line)) for line in self.order_lines):
            raise forms.ValidationError(_("Choose the whole order or at least one unit of a line."))
        return data


class RefundForm(_LinesForm):
    shipping = forms.BooleanField(label=gettext_lazy("Refund the shipping"), required=False)
    amount = forms.DecimalField(
        label=gettext_lazy("Free amount (TTC, EUR)"), required=False, min_value=Decimal("0.01"),
        max_digits=10, decimal_places=2,
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("amount") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("A free amount needs a reason."))
        if not data.get("shipping") and not data.get("amount") and not self.line_quantities_safe(data):
            raise forms.ValidationError(_("Choose units of a line, the shipping or a free amount."))
        return data

    def line_quantities_safe(self, data: dict[str, Any]) -> bool:
        return any(data.get(_line_field(line)) for line in self.order_lines)


def _lines_of(order: Order) -> list[OrderLine]:
    return list(OrderLine.objects.filter(order=order).select_related("reservation__location").order_by("id"))


def _carried(request: HttpRequest) -> list[tuple[str, str]]:
    """The reviewed form's fields, carried by the confirmation page as hidden inputs."""
    return [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", "step", "key")
        for value in request.POST.getlist(name)
    ]


def _confirm_key(form: forms.Form) -> str:
    key = str(form.cleaned_data.get("key") or "")
    return key if key else uuid.uuid4().hex


def _money_back(line: OrderLine, quantity: int) -> Decimal:
    return order_services.line_refund_amount(
        line, before=line.quantity_cancelled + line.quantity_refunded, quantity=quantity
    )


@login_required(login_url="admin:login")
def order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    """Cancel the whole order or some units of its lines, before they leave."""
    user = _staff(request)
    order = _order(request, number)
    lines = _lines_of(order)
    beyond = fulfilment_state().units_beyond_recall(order.pk)
    maximum = {line.pk: line.quantity_open - beyond.get(line.pk, 0) for line in lines}
    if order.status not in CANCELLABLE or not any(v > 0 for v in maximum.values()):
        messages.warning(
            request, _("Order %(number)s can no longer be cancelled.") % {"number": order.number}
        )
        return redirect("backoffice:order-detail", number=order.number)
    form = CancelForm(request.POST if request.method == "POST" else None, lines=lines, maximum=maximum)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step and form.is_valid():
        whole = bool(form.cleaned_data.get("whole"))
        chosen = (
            [(line, maximum[line.pk]) for line in lines if maximum[line.pk] > 0]
            if whole
            else form.line_quantities()
        )
        paid = order.status in PAID_BEFORE_SHIPPING
        planned = [PlannedLine(line, q, _money_back(line, q) if paid else ZERO) for line, q in chosen]
        left = sum(line.quantity_open for line in lines) - sum(p.quantity for p in planned)
        shipping = order.shipping_gross - order.shipping_refunded if paid and left == 0 else ZERO
        if step == "confirm":
            try:
                action = order_services.cancel_order(
                    order=order,
                    lines=None
                    if whole
                    else [order_services.LineQuantity(p.line.pk, p.quantity) for p in planned],
                    user=user,
                    reason=form.cleaned_data.get("reason") or "",
                    key=_confirm_key(form),
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    _("Order %(number)s: %(units)d unit(s) cancelled, %(amount)s EUR to refund.")
                    % {
                        "number": order.number,
                        "units": sum(p.quantity for p in planned),
                        "amount": action.amount,
                    },
                )
                return redirect("backoffice:order-detail", number=order.number)
        else:
            return render(
                request,
                "logistics/orders/confirm_cancel.html",
                {
                    "order": order,
                    "form": form,
                    "whole": whole,
                    "planned": planned,
                    "shipping": shipping,
                    "total": sum((p.amount for p in planned), ZERO) + shipping,
                    "after": order.refunded_gross + sum((p.amount for p in planned), ZERO) + shipping,
                    "everything": left == 0,
                    "paid": paid,
                    "key": uuid.uuid4().hex,
                    "hidden": _carried(request),
                },
            )
    return render(
        request,
        "logistics/orders/cancel.html",
        {"order": order, "form": form, "maximum": maximum, "beyond": beyond},
    )


@login_required(login_url="admin:login")
def order_refund(request: HttpRequest, number: str) -> HttpResponse:
    """Refund part of a shipped or delivered order: units of lines, the shipping, a free amount."""
    user = _staff(request)
    order = _order(request, number)
    if order.status not in REFUNDABLE:
        messages.warning(
            request, _("Order %(number)s cannot be refunded in part.") % {"number": order.number}
        )
        return redirect("backoffice:order-detail", number=order.number)
    lines = _lines_of(order)
    maximum = {line.pk: line.quantity_open for line in lines}
    form = RefundForm(request.POST if request.method == "POST" else None, lines=lines, maximum=maximum)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    shipping_left = order.shipping_gross - order.shipping_refunded
    if step and form.is_valid():
        planned = [PlannedLine(line, q, _money_back(line, q)) for line, q in form.line_quantities()]
        shipping = shipping_left if form.cleaned_data.get("shipping") else ZERO
        free = form.cleaned_data.get("amount") or ZERO
        if step == "confirm":
            try:
                action = order_services.refund_order_part(
                    order=order,
                    lines=[order_services.LineQuantity(p.line.pk, p.quantity) for p in planned],
                    shipping=bool(form.cleaned_data.get("shipping")),
                    amount=free or None,
                    reason=form.cleaned_data.get("reason") or "",
                    user=user,
                    key=_confirm_key(form),
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    _("Order %(number)s: %(amount)s EUR refunded to the original payment.")
                    % {"number": order.number, "amount": action.amount},
                )
                return redirect("backoffice:order-detail", number=order.number)
        else:
            from payments.selectors_orders import payments_of_order

            return render(
                request,
                "logistics/orders/confirm_refund.html",
                {
                    "order": order,
                    "form": form,
                    "planned": planned,
                    "shipping": shipping,
                    "free": free,
                    "total": sum((p.amount for p in planned), ZERO) + shipping + free,
                    "after": order.refunded_gross + sum((p.amount for p in planned), ZERO) + shipping + free,
                    "payments": [
                        p
                        for p in payments_of_order(order_id=order.pk)
                        if p.status in ("captured", "refunded")
                    ],
                    "key": uuid.uuid4().hex,
                    "hidden": _carried(request),
                },
            )
    return render(
        request,
        "logistics/orders/refund.html",
        {"order": order, "form": form, "maximum": maximum, "shipping_left": shipping_left},
    )


class ResendForm(forms.Form):
    message = forms.ChoiceField(label=gettext_lazy("Message"), widget=forms.RadioSelect)
    key = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, choices: list[tuple[str, str, str]]) -> None:
        super().__init__(data)
        field = self.fields["message"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, f"{kind} — {channel}") for value, kind, channel in choices]


@login_required(login_url="admin:login")
def order_resend(request: HttpRequest, number: str) -> HttpResponse:
    """Send one of the order's messages again (a kind and channel it was already sent by)."""
    user = _staff(request)
    order = _order(request, number)
    detail = selectors.order_detail(user=request.user, number=order.number)
    choices = _resendable(detail)
    if not choices:
        messages.warning(
            request, _("Order %(number)s has no message to send again.") % {"number": order.number}
        )
        return redirect("backoffice:order-detail", number=order.number)
    form = ResendForm(request.POST if request.method == "POST" else None, choices=choices)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step and form.is_valid():
        kind, channel = form.cleaned_data["message"].split(":", 1)
        recipient = order.email if channel == NotificationChannel.EMAIL else order.phone
        if step == "confirm":
            try:
                order_services.resend_notification(
                    order=order, kind=kind, channel=channel, user=user, key=_confirm_key(form)
                )
            except ApplicationError as exc:
                form.add_error("message", str(exc.message))
            else:
                messages.success(
                    request,
                    _("Order %(number)s: the message is on its way to %(recipient)s.")
                    % {"number": order.number, "recipient": recipient},
                )
                return redirect("backoffice:order-detail", number=order.number)
        else:
            label = next(f"{k} — {c}" for value, k, c in choices if value == form.cleaned_data["message"])
            return render(
                request,
                "logistics/orders/confirm_resend.html",
                {
                    "order": order,
                    "form": form,
                    "label": label,
                    "recipient": recipient,
                    "key": uuid.uuid4().hex,
                    "hidden": _carried(request),
                },
            )
    return render(request, "logistics/orders/resend.html", {"order": order, "form": form})


def detail_url(order: Order) -> str:
    return reverse("backoffice:order-detail", kwargs={"number": order.number})
