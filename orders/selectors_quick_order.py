"""Reads for the quick order (issue 17): the usual orders a user may see and use.

A company buyer sees the lists of their company (shared by its members) and any they saved before
joining one; anybody else sees only their own. Another company's list is not found (the same answer
as an unknown id, so ids cannot be probed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.selectors import company_membership_for
from core.errors import NotFound

from .models import UsualOrder

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class UsualOrderNotFound(NotFound):
    code = "usual_order_not_found"
    default_message = "No such list."


def usual_orders_for(user: User | AnonymousUser | None) -> QuerySet[UsualOrder]:
    """The lists ``user`` may see and use, by name, with ``line_count``. Two queries at most."""
    if user is None or not user.is_authenticated:
        return UsualOrder.objects.none()
    visible = Q(user=user)
    membership = company_membership_for(user)
    if membership is not None:
        visible |= Q(company=membership.company)
    return (
        UsualOrder.objects.filter(visible)
        .select_related("created_by")
        .annotate(line_count=Count("lines"))
        .order_by("name", "id")
    )


def usual_order_for(user: User | AnonymousUser | None, usual_order_id: object) -> UsualOrder:
    """One list ``user`` may see, else ``UsualOrderNotFound`` (404)."""
    try:
        pk = int(str(usual_order_id))
    except ValueError:
        pk = 0
    found = usual_orders_for(user).filter(pk=pk).first() if pk > 0 else None
    if found is None:
        raise UsualOrderNotFound(_("This list does not exist."), detail={"id": str(usual_order_id)[:20]})
    return found
