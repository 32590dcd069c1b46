"""The dispatch page (``/backoffice/dispatch/``): shipments of the user's location(s) packed and
waiting for the carrier. Reprint a shipment's labels, retry the failed ones, mark "handed over".
Staff and managers see every location; a store manager their store; anyone else is refused."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.auth import signed_in_user
from core.errors import ApplicationError
from core.schema import MAX_INT32

from . import selectors_shipping as selectors
from . import services_shipping as services
from .fulfilment_models import LabelStatus, Shipment, ShipmentStatus


def _locations(request: HttpRequest) -> list[int] | None:
    ids = selectors.managed_location_ids(request.user)
    if ids == []:
        raise PermissionDenied
    return ids


def _shipment(request: HttpRequest, shipment_id: int) -> Shipment:
    _locations(request)
    shipment = selectors.manageable_shipment(request.user, shipment_id) if shipment_id <= MAX_INT32 else None
    if shipment is None:
        raise Http404
    return shipment


@login_required(login_url="admin:login")  # staff sign in through the back office
def dispatch(request: HttpRequest) -> HttpResponse:
    shipments = selectors.dispatch_list(location_ids=_locations(request))
    ready = [s for s in shipments if s.status == ShipmentStatus.LABELLED]
    waiting = [s for s in shipments if s.status != ShipmentStatus.LABELLED]
    return render(
        request,
        "logistics/dispatch.html",
        {"ready": ready, "waiting": waiting, "failed": LabelStatus.FAILED},
    )


@login_required(login_url="admin:login")
@require_POST
def hand_over(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = _shipment(request, shipment_id)
    try:
        services.hand_over(shipment=shipment, user=signed_in_user(request.user))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("Shipment %(number)s handed to the carrier.") % {"number": shipment.number}
        )
    return HttpResponseRedirect(reverse("backoffice:dispatch"))


@login_required(login_url="admin:login")
@require_POST
def retry_labels(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = _shipment(request, shipment_id)
    try:
        parcels = services.retry_failed_labels(shipment=shipment, user=signed_in_user(request.user))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Labels asked again for %(count)d parcel(s) of %(number)s.")
            % {"count": len(parcels), "number": shipment.number},
        )
    return HttpResponseRedirect(reverse("backoffice:dispatch"))
