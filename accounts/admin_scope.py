"""The admin shows a store manager their store only; chain-wide roles and superusers see every store.

A ``ModelAdmin`` (or inline) whose rows belong to a store mixes in ``StoreScopedAdmin`` and names the
lookup path from its model to the store's ``inventory.Location`` in ``store_field`` (``"location"``,
``"register__store"``, ``"pk"`` for the locations themselves). Its ``get_queryset`` is then filtered,
so everything built on it follows: the changelist, its search, date hierarchy and counts, the change,
history and delete pages (another store's row is a 404, like a row that does not exist), actions
(they receive the changelist's queryset) and the autocomplete of any field pointing at the model.
Foreign-key choices on its forms and the choices of its related-field list filters are limited to what
the user may see as well.

Who sees what: superusers and holders of ``inventory.act_on_any_location`` (the staff and manager
roles, see ``accounts.roles``) every row; anyone else the rows of ``user.store``, and none without a
store. ``tests/accounts/test_admin_scope.py`` fails when an admin whose model reaches a location is
registered without this mixin, unless no store role may open it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

CHAIN_WIDE_PERMISSION = "inventory.act_on_any_location"


def sees_every_store(user: User | AnonymousUser) -> bool:
    return bool(user.is_active and (user.is_superuser or user.has_perm(CHAIN_WIDE_PERMISSION)))


def scope_to_stores(
    queryset: QuerySet[Any], *, user: User | AnonymousUser, store_field: str
) -> QuerySet[Any]:
    """``queryset`` limited to the rows whose ``store_field`` is a store ``user`` may see in the admin.
    A row whose path is empty (a chain-wide price list, a payment without an order) is chain-wide."""
    if sees_every_store(user):
        return queryset
    store_id = getattr(user, "store_id", None)
    if not user.is_active or store_id is None:
        return queryset.none()
    return queryset.filter(**{store_field: store_id})


def _scoped_admin_for(model: type[Model], site: admin.AdminSite) -> StoreScopedAdmin | None:
    model_admin = site._registry.get(model)
    return model_admin if isinstance(model_admin, StoreScopedAdmin) else None


class StoreScopedAdmin:
    """Mix in before ``admin.ModelAdmin`` / ``admin.TabularInline``; set ``store_field``."""

    store_field: ClassVar[str]
    admin_site: admin.AdminSite

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return scope_to_stores(queryset, user=request.user, store_field=self.store_field)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        target = _scoped_admin_for(db_field.remote_field.model, self.admin_site)
        if formfield is not None and target is not None and hasattr(formfield, "queryset"):
            formfield.queryset = scope_to_stores(
                formfield.queryset, user=request.user, store_field=target.store_field
            )
        return formfield

    def get_list_filter(self, request: HttpRequest) -> Any:
        """A related-field filter lists only what the scoped rows point at (not every store)."""
        list_filter = super().get_list_filter(request)  # type: ignore[misc]
        if sees_every_store(request.user):
            return list_filter
        return [self._scoped_filter(entry) for entry in list_filter]

    def _scoped_filter(self, entry: Any) -> Any:
        if not isinstance(entry, str):
            return entry
        try:
            field = get_fields_from_path(self.model, entry)[-1]  # type: ignore[attr-defined]
        except (FieldDoesNotExist, admin.utils.NotRelationField):
            return entry
        return (entry, admin.RelatedOnlyFieldListFilter) if field.is_relation else entry

    def _get_obj_does_not_exist_redirect(self, request: HttpRequest, opts: Any, object_id: str) -> Any:
        """Another store's row and a row that does not exist both answer 404 (no redirect, no oracle)."""
        raise Http404
