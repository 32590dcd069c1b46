"""Staff pages of the inventory app. Thin: parse the filters, authorise, read through selectors, render."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import realtime, selectors
from .models import Location
from .permissions import default_watched_locations

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import QueryDict

    from accounts.models import User
    from catalog.models import Variant

GRID_PAGE_SIZE = 50


class GridRow(TypedDict):
    variant: Variant
    cells: list[tuple[Location, dict[str, Any] | None]]  # one per location shown; None: no stock level


def can_view_stock_grid(user: User | AnonymousUser) -> bool:
    """Back-office users (staff, managers, store managers) who may see stock levels."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("inventory.view_stocklevel")
    )


class StockGridFilters(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    location = forms.ChoiceField(label=_("Location"), required=False)
    low = forms.BooleanField(label=_("Low stock only"), required=False)

    def __init__(
        self,
        data: QueryDict,
        *,
        categories: Sequence[selectors.CategoryOption],
        locations: Sequence[Location],
    ) -> None:
        super().__init__(data)
        category_field = self.fields["category"]
        location_field = self.fields["location"]
        assert isinstance(category_field, forms.ChoiceField) and isinstance(location_field, forms.ChoiceField)
        category_field.choices = [("", _("All categories"))] + [
            (c.id, "\u2003" * c.depth + c.name) for c in categories
        ]
        location_field.choices = [("", _("All locations"))] + [(loc.code, loc.name) for loc in locations]


@login_required(login_url="admin:login")  # staff sign in through the back office
def stock_grid(request: HttpRequest) -> HttpResponse:
    """Variants x locations, ``available`` in each cell, kept live by static/inventory/stock_grid.js."""
    if not can_view_stock_grid(request.user):
        raise PermissionDenied
    locations = list(default_watched_locations(request.user).order_by("kind", "name"))
    categories = selectors.grid_category_options()
    filters = StockGridFilters(request.GET, categories=categories, locations=locations)
    filters.is_valid()  # an invalid field (a stale link) is simply ignored: cleaned_data lacks it
    chosen = filters.cleaned_data

    shown = [loc for loc in locations if loc.code == chosen.get("location")] or locations
    category_id = chosen.get("category")
    variants = selectors.grid_variants(
        search=chosen.get("q") or "",
        category_ids=selectors.descendant_category_ids(categories, category_id) if category_id else None,
        low_stock_location_ids=[loc.pk for loc in shown] if chosen.get("low") else None,
    )
    page = Paginator(variants, GRID_PAGE_SIZE).get_page(request.GET.get("page"))
    # The socket's first snapshot brings only what changed after these cells were read.
    cursor = realtime.snapshot_cursor(timezone.now())
    cells = selectors.grid_cells(variant_ids=[v.pk for v in page], location_ids=[loc.pk for loc in shown])
    rows: list[GridRow] = [
        {"variant": variant, "cells": [(loc, cells.get((variant.pk, loc.pk))) for loc in shown]}
        for variant in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inventory/stock_grid.html",
        {
            "filters": filters,
            "locations": shown,
            "rows": rows,
            "page": page,
            "page_query": query.urlencode(),
            "location_codes": ",".join(loc.code for loc in shown),
            "skus": ",".join(row["variant"].sku for row in rows),
            "since": cursor.isoformat(),
            "filtered": any(chosen.get(name) for name in ("q", "category", "location", "low")),
        },
    )
