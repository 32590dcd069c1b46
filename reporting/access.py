"""Who sees which figures: managers (``reporting.view_chain_dashboard``) every location and channel,
store managers (``reporting.view_store_dashboard``) their own store (``user.store``), anyone else
nothing (``ReportForbidden``: the pages and the API answer 403)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.errors import PermissionDenied

if TYPE_CHECKING:
    from django.db.models import QuerySet


class ReportForbidden(PermissionDenied):
    code = "reports_forbidden"
    default_message = "Only managers, and store managers for their store, see the reports."


@dataclass(frozen=True)
class Scope:
    """``location_id`` None: the whole chain; else one store's figures only."""

    location_id: int | None = None

    @property
    def chain(self) -> bool:
        return self.location_id is None

    def filter(self, queryset: QuerySet[Any], field: str = "location_id") -> QuerySet[Any]:
        return queryset if self.chain else queryset.filter(**{field: self.location_id})


def scope_for(user: Any) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise ReportForbidden()
    if user.is_superuser or user.has_perm("reporting.view_chain_dashboard"):
        return Scope()
    store_id = getattr(user, "store_id", None)
    if store_id is not None and user.has_perm("reporting.view_store_dashboard"):
        return Scope(location_id=store_id)
    raise ReportForbidden()
