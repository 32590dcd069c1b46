"""Writes of the catalog's reviews: a verified buyer's review and its moderation; the ERP's product
upsert; the change stamps the till's catalog delta reads (``touch_variants``, ``set_published``,
``record_removed_variants``).

Whether the author bought the product is the orders' knowledge (``orders.selectors.is_verified_buyer``):
the caller asks it and passes the answer, so the catalog does not read orders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import events

from .errors import AlreadyReviewed, InvalidErpProduct, InvalidReview, NotVerifiedBuyer
from .events import ProductsChanged
from .models import (
    Category,
    OptionType,
    OptionValue,
    Product,
    RemovedVariant,
    Review,
    ReviewStatus,
    SearchWord,
    Variant,
    VatRate,
)
from .validators import is_valid_ean13


def _author_name(user) -> str:
    first = (user.first_name or "").strip()
    last = (user.last_name or "").strip()
    if first:
        return f"{first} {last[:1]}.".strip() if last else first
    return user.email.split("@")[0][:40]


@transaction.atomic
def submit_review(
    *,
    product: Product,
    user,
    rating: int,
    title: str,
    text: str,
    language: str,
    verified_buyer: bool,
    shop_id: int | None = None,
) -> Review:
    """A verified buyer's review, waiting for moderation. One per user and product.

    ``verified_buyer``: whether ``user`` has a paid order line of the product (the caller asks
    ``orders.selectors.is_verified_buyer``); ``NotVerifiedBuyer`` when not."""
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise InvalidReview(_("A rating is a whole number from 1 to 5."), detail={"rating": rating})
    text = (text or "").strip()
    if len(text) < 10 or len(text) > 4000:
        raise InvalidReview(_("A review has 10 to 4000 characters."), detail={"length": len(text)})
    if not verified_buyer:
        raise NotVerifiedBuyer(
            _("Only customers who bought this product can review it."), detail={"product": product.slug}
        )
    if Review.objects.filter(product=product, user=user).exists():
        raise AlreadyReviewed(_("You have already reviewed this product."), detail={"product": product.slug})
    try:
        with transaction.atomic():
            return Review.objects.create(
                product=product,
                user=user,
                author_name=_author_name(user),
                rating=rating,
                title=(title or "").strip()[:120],
                text=text,
                language=language[:8],
                shop_id=shop_id,  # shown on the shop it was written on
            )
    except IntegrityError as exc:  # two submissions racing
        raise AlreadyReviewed(
            _("You have already reviewed this product."), detail={"product": product.slug}
        ) from exc


def moderate_reviews(*, review_ids: Iterable[int], status: str, user=None) -> int:
    """Approve or reject reviews; the product pages and listings showing them are refreshed."""
    if status not in (ReviewStatus.APPROVED, ReviewStatus.REJECTED, ReviewStatus.PENDING):
        raise InvalidReview(_("Unknown review status."), detail={"status": status})
    ids = list(review_ids)
    with transaction.atomic():
        product_ids = list(
            Review.objects.filter(pk__in=ids).exclude(status=status).values_list("product_id", flat=True)
        )
        count = (
            Review.objects.filter(pk__in=ids)
            .exclude(status=status)
            .update(
                status=status, moderated_at=timezone.now(), moderated_by=user if user and user.pk else None
            )
        )
        if product_ids:
            events.publish(ProductsChanged(product_ids=tuple(sorted(set(product_ids)))))
    return count


# --- products from the ERP (integrations' webservices and files) ------------------------------------


@dataclass(frozen=True)
class ErpVariantData:
    sku: str
    ean: str
    price_ttc: Decimal
    size: str = ""
    color: str = ""
    weight_g: int = 0
    active: bool = True
    cost_price_ht: Decimal | None = None  # EUR HT; None leaves the variant's cost as it is


@dataclass(frozen=True)
class ErpProductData:
    """A product and its variants as the ERP sends them; ``product_ref`` identifies the product
    (its slug is ``slugify(product_ref)``), each variant is identified by its SKU."""

    product_ref: str
    name_fr: str
    category: str  # a category slug
    vat_rate: Decimal  # percent: 20, 10, 5.5, 2.1
    variants: tuple[ErpVariantData, ...]
    name_en: str = ""
    name_it: str = ""
    active: bool = True


@dataclass(frozen=True)
class ErpUpsertResult:
    product: Product
    outcome: str  # "created", "updated" or "unchanged"
    variants: dict[str, str] = field(default_factory=dict)  # sku -> outcome


def _ht_from_ttc(price_ttc: Decimal, rate: Decimal) -> Decimal:
    """The net price (4 decimals) whose gross, rounded to the cent, is ``price_ttc``."""
    return (price_ttc / (1 + rate)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _option_value(type_code: str, label: str) -> OptionValue:
    option_type, _created = OptionType.objects.get_or_create(
        code=type_code, defaults={"name_fr": type_code, "name_en": type_code, "name_it": type_code}
    )
    value, _created = OptionValue.objects.get_or_create(
        option_type=option_type,
        code=slugify(label)[:40] or "x",
        defaults={"name_fr": label, "name_en": label, "name_it": label},
    )
    return value


def _erp_product_errors(data: ErpProductData) -> tuple[dict[str, Any], Category | None, VatRate | None]:
    errors: dict[str, Any] = {}
    slug = slugify(data.product_ref)
    if not slug:
        errors["product_ref"] = [_("A product reference needs letters or digits.")]
    category = Category.objects.filter(slug=data.category).first()
    if category is None:
        errors["category"] = [_("Unknown category %(slug)r.") % {"slug": data.category}]
    vat = VatRate.objects.filter(rate=(data.vat_rate / 100).quantize(Decimal("0.0001"))).first()
    if vat is None:
        errors["vat_rate"] = [_("No VAT rate of %(rate)s %% is set up.") % {"rate": data.vat_rate}]
    if not data.variants:
        errors["variants"] = [_("A product needs at least one variant.")]
    seen: set[str] = set()
    variant_errors: dict[str, Any] = {}
    skus = [v.sku for v in data.variants]
    others = {
        v.sku: v
        for v in Variant.objects.filter(sku__in=skus).exclude(product__slug=slug).select_related("product")
    }
    eans = {
        v.ean13: v.sku
        for v in Variant.objects.filter(ean13__in=[v.ean for v in data.variants]).only("ean13", "sku")
    }
    for index, variant in enumerate(data.variants):
        problems: dict[str, list[str]] = {}
        if variant.sku in seen:
            problems["sku"] = [_("This SKU appears twice.")]
        seen.add(variant.sku)
        if variant.sku in others:
            problems["sku"] = [
                _("This SKU belongs to another product (%(slug)s).")
                % {"slug": others[variant.sku].product.slug}
            ]
        if not is_valid_ean13(variant.ean):
            problems["ean"] = [_("Not a valid EAN-13 (check digit).")]
        elif eans.get(variant.ean, variant.sku) != variant.sku:
            problems["ean"] = [_("This EAN belongs to SKU %(sku)s.") % {"sku": eans[variant.ean]}]
        if variant.price_ttc < 0:
            problems["price_ttc"] = [_("A price cannot be negative.")]
        if problems:
            variant_errors[str(index)] = problems
    if variant_errors:
        errors["variants"] = variant_errors
    return errors, category, vat


def _assign(instance: Any, values: dict[str, Any]) -> list[str]:
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


@transaction.atomic
def upsert_erp_product(*, data: ErpProductData) -> ErpUpsertResult:
    """Create or update a product and its variants by reference and SKUs: the same data twice
    changes nothing. Variants the ERP does not send are left as they are.

    ``ValidationFailed`` naming each bad field (``variants.<i>.ean``...) and nothing written for an
    unknown category or VAT rate, a bad EAN, a negative price, a SKU twice or of another product.
    Publishes ``catalog.products_changed`` when anything changed."""
    errors, category, vat = _erp_product_errors(data)
    if errors:
        raise InvalidErpProduct(_("The product is not valid."), detail=errors)
    assert category is not None and vat is not None
    slug = slugify(data.product_ref)
    prices_ht = [_ht_from_ttc(v.price_ttc, vat.rate) for v in data.variants]
    base = prices_ht[0]
    product = Product.objects.select_for_update().filter(slug=slug).first()
    created = product is None
    values = {
        "name_fr": data.name_fr,
        "name_en": data.name_en or data.name_fr,
        "name_it": data.name_it or data.name_fr,
        "category_id": category.pk,
        "vat_rate_id": vat.pk,
        "is_published": data.active,
    }
    if product is None:
        product = Product(slug=slug, base_price_ht=base, **values)
        product.save()
        changed: list[str] = ["*"]
    else:
        changed = _assign(product, values)
        if changed:
            product.save()
        base = product.base_price_ht
    existing = {v.sku: v for v in product.variants.prefetch_related("option_values")}
    outcomes: dict[str, str] = {}
    for position, (item, price_ht) in enumerate(zip(data.variants, prices_ht, strict=True)):
        variant = existing.get(item.sku)
        variant_values = {
            "ean13": item.ean,
            "price_ht_override": None if price_ht == base else price_ht,
            "weight_grams": item.weight_g,
            "is_active": item.active,
        }
        if item.cost_price_ht is not None:
            variant_values["cost_price_ht"] = item.cost_price_ht
        if variant is None:
            variant = Variant.objects.create(
                product=product, sku=item.sku, position=position, **variant_values
            )
            outcome = "created"
        else:
            fields = _assign(variant, variant_values)
            if fields:
                variant.save(update_fields=[*fields, "updated_at"])  # auto_now needs naming
            outcome = "updated" if fields else "unchanged"
        wanted = {
            _option_value(code, label).pk
            for code, label in (("size", item.size), ("color", item.color))
            if label
        }
        current = {value.pk for value in variant.option_values.all()} if outcome != "created" else set()
        if wanted != current:
            variant.option_values.set(wanted)
            if outcome != "created":
                touch_variants(variant_ids=[variant.pk])  # its options changed: the tills' delta
            outcome = "created" if outcome == "created" else "updated"
        outcomes[item.sku] = outcome
    touched = created or bool(changed) or any(o != "unchanged" for o in outcomes.values())
    if touched:
        refresh_search_text(product_ids=[product.pk])
        events.publish(ProductsChanged(product_ids=(product.pk,)))
    outcome = "created" if created else "updated" if touched else "unchanged"
    return ErpUpsertResult(product=product, outcome=outcome, variants=outcomes)


# --- Change stamps for the till's catalog delta (pos.selectors.store_catalog_changes) ---------------
# ``Variant.updated_at`` / ``Product.updated_at`` are auto_now: a ``save()`` sets them. A bulk write
# (``QuerySet.update``, ``bulk_update``) or a change that lives in another table (a variant's options,
# a price list entry deleted) sets them here.


def touch_variants(*, variant_ids: Iterable[int]) -> int:
    """Mark variants changed now (their options, or a price entry of theirs deleted): the tills
    receive them in their next catalog delta. Returns how many rows were stamped."""
    ids = list(variant_ids)
    if not ids:
        return 0
    return Variant.objects.filter(pk__in=ids).update(updated_at=timezone.now())


def set_published(*, product_ids: Iterable[int], published: bool) -> int:
    """(Un)publish products in one UPDATE, stamped: an unpublished product's variants leave the
    tills' catalogs at their next delta. Returns how many products changed."""
    return (
        Product.objects.filter(pk__in=list(product_ids))
        .exclude(is_published=published)
        .update(is_published=published, updated_at=timezone.now())
    )


@transaction.atomic
def record_removed_variants(
    *, variant_ids: Iterable[int] = (), product_ids: Iterable[int] = (), skus: Iterable[str] = ()
) -> int:
    """Before variants are deleted (themselves, or with their products), or for the old SKU of a
    variant whose SKU is being changed (``skus``): one ``RemovedVariant`` each, so the tills drop
    those SKUs at the next catalog delta. Returns how many were recorded."""
    from django.db.models import Q

    ids, products, gone = list(variant_ids), list(product_ids), set(skus)
    if ids or products:
        found = Variant.objects.filter(Q(pk__in=ids) | Q(product_id__in=products))
        gone.update(found.values_list("sku", flat=True))
    return len(RemovedVariant.objects.bulk_create([RemovedVariant(sku=sku) for sku in sorted(gone)]))


# --- the search text --------------------------------------------------------------------------------


def product_search_parts(
    product: Product, *, categories: dict[int, Category], skus: Iterable[str]
) -> list[str]:
    """What a product is found by: its names, brand, its category's and parent's names (each
    language), its SKUs. Names first: a match there ranks first."""
    from django.conf import settings

    langs = [code for code, _name in settings.LANGUAGES]
    parts = [getattr(product, f"name_{lang}") or "" for lang in langs]
    parts.append(product.brand)
    category = categories.get(product.category_id)
    depth = 0
    while category is not None and depth < 2:
        parts.extend(getattr(category, f"name_{lang}") or "" for lang in langs)
        category = categories.get(category.parent_id) if category.parent_id else None
        depth += 1
    parts.extend(skus)
    return parts


def refresh_search_text(*, product_ids: Iterable[int] | None = None) -> int:
    """Recompute ``Product.search_text`` of these products (all when None) and write the ones that
    changed; returns how many. Every catalog writer calls it in its transaction (admin, ERP upsert and
    import, the demo seed); ``manage.py rebuild_search_text`` runs it over everything. 3 queries + 1
    per 500 changed products."""
    from django.conf import settings

    from . import search

    products = Product.objects.all()
    variants = Variant.objects.all()
    if product_ids is not None:
        ids = sorted(set(product_ids))
        if not ids:
            return 0
        products = products.filter(pk__in=ids)
        variants = variants.filter(product_id__in=ids)
    categories = {c.pk: c for c in Category.objects.all()}
    skus: dict[int, list[str]] = {}
    rows = variants.order_by("product_id", "position", "sku").values_list("product_id", "sku")
    for product_id, sku in rows:
        skus.setdefault(product_id, []).append(sku)
    changed = []
    langs = [code for code, _name in settings.LANGUAGES]
    for product in products.only("brand", "category_id", "search_text", *[f"name_{lang}" for lang in langs]):
        text = search.build_search_text(
            product_search_parts(product, categories=categories, skus=skus.get(product.pk, []))
        )
        if text != product.search_text:
            product.search_text = text
            changed.append(product)
    Product.objects.bulk_update(changed, ["search_text"], batch_size=500)
    words = {word for product in changed for word in product.search_text.split() if len(word) <= 64}
    SearchWord.objects.bulk_create(
        [SearchWord(word=w) for w in sorted(words)], ignore_conflicts=True, batch_size=1000
    )
    return len(changed)
