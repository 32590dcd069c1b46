"""Products, stock and customers to a file for the ERP (``manage.py erp_export KIND``, beat for stock).

Rows are read in chunks (``iterator``) and streamed to a temporary file beside the target, renamed
when complete: memory stays flat and the ERP never reads half a file. Stock is read through
``inventory.selectors`` (only inventory touches the stock tables).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import Address, User
from catalog.models import Variant
from inventory import selectors as stock

from .errors import UnknownExportKind
from .formats import check_format, load_profile, write_rows

Row = dict[str, Any]
FILE_KINDS = ("products", "stock", "customers")


def product_rows() -> Iterator[Row]:
    variants = (
        Variant.objects.select_related("product__category", "product__vat_rate")
        .prefetch_related("option_values")
        .order_by("product_id", "position", "sku")
    )
    for variant in variants.iterator(chunk_size=2000):
        product = variant.product
        yield {
            "sku": variant.sku,
            "ean": variant.ean13,
            "product_ref": product.slug,
            "name": product.name,
            "category": product.category.slug,
            "options": "/".join(value.name for value in variant.option_values.all()),
            "price_ht": variant.price_ht,
            "price_ttc": variant.price_ttc,
            "vat_rate": product.vat_rate.rate,
            "weight_g": variant.weight_grams,
            "cost_price_ht": variant.cost_price_ht,
            "active": variant.is_active and product.is_published,
        }


def stock_rows() -> Iterator[Row]:
    for row in stock.stock_levels().iterator(chunk_size=5000):
        yield {
            "sku": row["sku"],
            "location": row["location_code"],
            "on_hand": row["on_hand"],
            "reserved": row["reserved"],
            "available": row["available"],
        }


def customer_rows() -> Iterator[Row]:
    users = (
        User.objects.filter(is_staff=False, store__isnull=True)
        .select_related("customer_profile__group")
        .prefetch_related(Prefetch("addresses", queryset=Address.objects.filter(is_default_billing=True)))
        .order_by("id")
    )
    for user in users.iterator(chunk_size=2000):
        profile = getattr(user, "customer_profile", None)
        address = next(iter(user.addresses.all()), None)
        yield {
            "customer_code": (profile.erp_code if profile else "") or f"C{user.pk}",
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "company": profile.company_name if profile else "",
            "vat_number": profile.vat_number if profile else "",
            "siren": profile.siren if profile else "",
            "customer_group": profile.group.code if profile and profile.group else "",
            "phone": user.phone,
            "address": " ".join(filter(None, [address.line1, address.line2])) if address else "",
            "postcode": address.postal_code if address else "",
            "city": address.city if address else "",
            "country": address.country if address else "",
            "marketing_opt_in": profile.marketing_opt_in if profile else False,
        }


ROWS = {"products": product_rows, "stock": stock_rows, "customers": customer_rows}


def default_path(kind: str, file_format: str) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d_%H%M%S")
    return Path(settings.ERP_OUTBOX_DIR) / f"{kind.upper()}_{stamp}.{file_format}"


def export_file(
    *, kind: str, file_format: str = "csv", profile: str = "generic", path: Path | None = None
) -> tuple[Path, int]:
    """Write ``kind`` to ``path`` (default: the outbox folder, ``<KIND>_<timestamp>.<format>``);
    returns the path and the number of rows."""
    if kind not in ROWS:
        raise UnknownExportKind(detail={"kind": kind, "available": list(FILE_KINDS)})
    chosen = load_profile(profile)
    fmt = check_format(file_format)
    chosen.columns(kind)
    target = path or default_path(kind, fmt)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            count = write_rows(handle, kind=kind, rows=ROWS[kind](), profile=chosen, file_format=fmt)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target, count
