"""The warehouse's returns screen at /backoffice/returns/: scan or type an RMA number, see its lines,
enter resellable and damaged units per line, "Receive". Thin: the service does the work
(``services_returns.receive_return``); a refusal is shown on the page with nothing written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from core.errors import ApplicationError
from inventory.models import Location, LocationKind

from . import services_returns as services
from .returns_models import ReturnRequest


def receiving_locations(user: User) -> list[Location]:
    """Where the user may receive returns: every active location for staff, else their store."""
    rows = Location.objects.filter(is_active=True).order_by("kind", "name")
    return [location for location in rows if services.may_receive_at(user, location)]


def _staff_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_staff or not receiving_locations(user):
        raise PermissionDenied
    return user


def _counts(request: HttpRequest, rma: ReturnRequest) -> list[services.InspectionInput]:
    items = []
    for line in rma.lines.all():
        resellable = _whole(request.POST.get(f"resellable-{line.pk}"))
        damaged = _whole(request.POST.get(f"damaged-{line.pk}"))
        items.append(services.InspectionInput(line.order_line_id, resellable, damaged))
    return items


def _whole(value: str | None) -> int:
    text = (value or "0").strip()
    return int(text) if text.isdigit() and len(text) < 6 else -1


def _default_location(user: User, locations: list[Location]) -> str:
    """The user's store, else the first warehouse, else the first location they may use."""
    if user.store_id and any(loc.pk == user.store_id for loc in locations):
        return next(loc.code for loc in locations if loc.pk == user.store_id)
    warehouses = [loc for loc in locations if loc.kind == LocationKind.WAREHOUSE]
    return (warehouses or locations)[0].code if locations else ""


@login_required(login_url="admin:login")
@require_http_methods(["GET", "POST"])
def returns_screen(request: HttpRequest) -> HttpResponse:
    user = _staff_user(request)
    locations = receiving_locations(user)
    query = (request.GET.get("rma") or "").strip()[:40]
    rma = services.find_request(query) if query else None
    if rma is not None and not services.visible_requests(user).filter(pk=rma.pk).exists():
        rma = None
    status = 200
    if request.method == "POST":
        rma = services.find_request((request.POST.get("rma") or "")[:40])
        if rma is None or not services.visible_requests(user).filter(pk=rma.pk).exists():
            messages.error(request, _("No such return."))
            return HttpResponseRedirect(reverse("backoffice:returns"))
        location = next((loc for loc in locations if loc.code == request.POST.get("location")), None)
        try:
            if location is None:
                raise PermissionDenied
            rma = services.receive_return(
                request=rma, location=location, user=user, inspection=_counts(request, rma)
            )
        except PermissionDenied:
            messages.error(request, _("You may not receive returns at this location."))
            status = 403
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            status = 409 if exc.http_status == 409 else 400
        else:
            messages.success(
                request,
                _("%(number)s received: %(amount)s EUR refunded.")
                % {"number": rma.number, "amount": rma.refund_amount},
            )
            return HttpResponseRedirect(f"{reverse('backoffice:returns')}?{urlencode({'rma': rma.number})}")
    context: dict[str, Any] = {
        "query": query,
        "rma": rma,
        "lines": list(rma.lines.select_related("order_line")) if rma else [],
        "locations": locations,
        "default_location": _default_location(user, locations),
        "receivable": bool(rma and rma.status in services.RECEIVABLE_STATUSES),
        "not_found": bool(query and rma is None),
    }
    return render(request, "logistics/returns/receive.html", context, status=status)
