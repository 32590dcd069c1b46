"""Products and variants, one row per variant: ``product_ref`` groups variants into a product.

Per chunk: every row checked, then the existing products (by slug = slugified ``product_ref``, or the
variant's own product), variants (by SKU and by EAN), option values and M2M rows read in a handful of
queries, then ``bulk_create`` / ``bulk_update`` of what differs, in one transaction. Nothing is
written for a row that is the same as the database (re-importing a file changes nothing).

Prices: the file gives TTC; the catalog keeps HT (``price_ttc / (1 + vat)``, 4 decimals). The first
row of a product in the file sets the product's base price; a variant whose price differs gets an
override. ``cost_price_ht`` (EUR HT, the purchase price) is the variant's cost: the dashboard's margins.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from catalog import services as catalog_services
from catalog.events import CatalogChanged, ProductsChanged
from catalog.models import Category, OptionType, OptionValue, Product, Variant, VatRate
from core import events

from ..base import ChunkResult, Context, Handler, Row, RowError, field_value
from ..values import BadValue, parse_bool, parse_decimal, parse_ean, parse_int, parse_vat_rate

HT_PLACES = Decimal("0.0001")
OPTION_TYPES = {"size": "Taille / Size", "color": "Couleur / Colour"}
PRODUCT_FIELDS = ["name", "name_fr", "name_en", "name_it", "category", "vat_rate", "base_price_ht"]
VARIANT_FIELDS = ["product", "ean13", "price_ht_override", "weight_grams", "cost_price_ht", "is_active"]


@dataclass
class _Line:
    row: Row
    sku: str
    ref: str
    slug: str
    ean: str | None
    names: dict[str, str]
    category: Category | None
    vat: VatRate | None
    price_ttc: Decimal | None
    cost: Decimal | None
    weight: int | None
    active: bool | None
    options: dict[str, str]


def _non_negative(parse: Any) -> Any:
    def parse_checked(raw: str) -> Any:
        value = parse(raw)
        if value < 0:
            raise BadValue(f"{raw!r} is negative")
        return value

    return parse_checked


class ProductsHandler(Handler):
    kind = "products"
    required_columns: ClassVar[tuple[str, ...]] = ("sku",)

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.seen_skus: dict[str, int] = {}
        self.seen_eans: dict[str, str] = {}
        self.first_price: dict[str, Decimal] = {}  # product slug -> base HT set by its first row
        self.categories = {c.slug: c for c in Category.objects.all()}
        self.vat_rates = {v.rate.quantize(HT_PLACES): v for v in VatRate.objects.all()}
        self.default_vat = self.vat_rates.get(Decimal("0.2000")) or next(iter(self.vat_rates.values()), None)
        self.option_types: dict[str, OptionType] = {}
        self.option_values: dict[tuple[str, str], OptionValue] = {}
        self.changed_products: set[int] = set()
        self.created_products = False

    # --- checks -----------------------------------------------------------------------------------

    def _check(self, row: Row) -> _Line:
        sku = row.get("sku")
        if not sku:
            raise RowError("sku", "SKU is missing")
        if len(sku) > 64:
            raise RowError("sku", "SKU longer than 64 characters", sku)
        ean = field_value(row, "ean", parse_ean)
        category = None
        if slug := row.get("category"):
            category = self.categories.get(slug) or self.categories.get(slugify(slug))
            if category is None:
                raise RowError("category", f"unknown category {slug!r}", slug)
        vat = None
        rate = field_value(row, "vat_rate", parse_vat_rate)
        if rate is not None:
            vat = self.vat_rates.get(rate)
            if vat is None:
                raise RowError("vat_rate", f"no VAT rate of {rate * 100:.2f} %", row.get("vat_rate"))
        price = field_value(row, "price_ttc", _non_negative(parse_decimal))
        cost = field_value(row, "cost_price_ht", _non_negative(parse_decimal))
        if cost is not None:
            cost = cost.quantize(HT_PLACES)
        weight = field_value(row, "weight_g", _non_negative(parse_int))
        if weight is None:
            kilos = field_value(row, "weight_kg", _non_negative(parse_decimal))
            weight = int((kilos * 1000).to_integral_value()) if kilos is not None else None
        active = field_value(row, "active", parse_bool)
        if active is None and (sleeping := field_value(row, "sleeping", parse_bool)) is not None:
            active = not sleeping
        ref = row.get("product_ref") or sku
        slug = slugify(ref)[:220]
        if not slug:
            raise RowError("product_ref", "a product reference needs letters or digits", ref)
        names = {lang: row.get(f"name_{lang}") for lang in ("fr", "en", "it") if row.get(f"name_{lang}")}
        if not names.get("fr") and row.get("name"):
            names["fr"] = row.get("name")
        options = {code: row.get(code) for code in OPTION_TYPES if row.get(code)}
        if sku in self.seen_skus:
            raise RowError("sku", f"SKU {sku} already in line {self.seen_skus[sku]}", sku)
        if ean and self.seen_eans.get(ean, sku) != sku:
            raise RowError("ean", f"EAN {ean} already given to SKU {self.seen_eans[ean]}", ean)
        return _Line(row, sku, ref, slug, ean, names, category, vat, price, cost, weight, active, options)

    # --- the chunk ----------------------------------------------------------------------------------

    def apply(self, rows: list[Row]) -> ChunkResult:
        result = ChunkResult()
        lines: list[_Line] = []
        for row in rows:
            try:
                line = self._check(row)
            except RowError as error:
                result.reject(row, error)
                continue
            self.seen_skus[line.sku] = row.line
            if line.ean:
                self.seen_eans[line.ean] = line.sku
            lines.append(line)
        if lines:
            with transaction.atomic():
                self._write(lines, result)
        return result

    def _write(self, lines: list[_Line], result: ChunkResult) -> None:
        variants = {
            v.sku: v
            for v in Variant.objects.select_related("product").filter(sku__in=[line.sku for line in lines])
        }
        by_ean = dict(
            Variant.objects.filter(ean13__in=[line.ean for line in lines if line.ean]).values_list(
                "ean13", "sku"
            )
        )
        products = {p.slug: p for p in Product.objects.filter(slug__in={line.slug for line in lines})}
        self._load_options(lines)

        new_products: dict[str, Product] = {}
        touched_products: dict[int, Product] = {}
        new_variants: list[tuple[_Line, Variant]] = []
        changed_variants: list[Variant] = []
        outcome: dict[int, str] = {}  # row line -> created / updated / unchanged
        ok: list[tuple[_Line, Variant]] = []
        for line in lines:
            try:
                owner = by_ean.get(line.ean) if line.ean else None
                if owner is not None and owner != line.sku:
                    raise RowError("ean", f"EAN {line.ean} belongs to SKU {owner}", line.ean or "")
                variant = variants.get(line.sku)
                if variant is None:
                    if not line.ean:
                        raise RowError("ean", "EAN is missing (needed for a new variant)")
                    if line.price_ttc is None:
                        raise RowError("price_ttc", "price_ttc is missing (needed for a new variant)")
                product = (
                    variant.product if variant else products.get(line.slug) or new_products.get(line.slug)
                )
                if product is None:
                    product = self._new_product(line)
                    new_products[line.slug] = product
                    outcome[line.row.line] = "created"
                elif self._update_product(product, line):
                    if product.pk:
                        touched_products[product.pk] = product
                    outcome.setdefault(line.row.line, "updated")
                if variant is None:
                    variant = Variant(product=product, sku=line.sku, ean13=line.ean or "")
                    self._update_variant(variant, line, product)
                    new_variants.append((line, variant))
                    outcome[line.row.line] = "created"
                elif self._update_variant(variant, line, product):
                    changed_variants.append(variant)
                    outcome.setdefault(line.row.line, "updated")
                ok.append((line, variant))
            except RowError as error:
                result.reject(line.row, error)
                self.seen_skus.pop(line.sku, None)

        # Products first (new ones get their ids), then variants, then the option M2M rows.
        created = [p for p in new_products.values() if p.pk is None]
        Product.objects.bulk_create(created, batch_size=1000)
        if created:
            self.created_products = True
        # bulk_update skips auto_now: the stamps the tills' catalog delta reads are set here.
        stamp = timezone.now()
        for product in touched_products.values():
            product.updated_at = stamp
        for variant in changed_variants:
            variant.updated_at = stamp
        if touched_products:
            Product.objects.bulk_update(
                list(touched_products.values()), [*PRODUCT_FIELDS, "updated_at"], batch_size=1000
            )
        Variant.objects.bulk_create([v for _, v in new_variants], batch_size=1000)
        if changed_variants:
            Variant.objects.bulk_update(changed_variants, [*VARIANT_FIELDS, "updated_at"], batch_size=1000)
        m2m_changed = self._write_options(ok)
        if m2m_changed:
            Variant.objects.filter(pk__in=m2m_changed).update(updated_at=stamp)
        for line, variant in ok:
            state = outcome.get(line.row.line)
            if state is None and variant.pk in m2m_changed:
                state = "updated"
            if state == "created":
                result.created += 1
            elif state == "updated":
                result.updated += 1
                self.changed_products.add(variant.product_id)
            else:
                result.unchanged += 1
            if state == "created":
                self.changed_products.add(variant.product_id)
        if self.changed_products:
            catalog_services.refresh_search_text(product_ids=self.changed_products)
            events.publish(ProductsChanged(product_ids=tuple(sorted(self.changed_products))))
            self.changed_products = set()

    def finish(self) -> ChunkResult:
        if self.created_products:
            events.publish(CatalogChanged())
        return ChunkResult()

    # --- products and variants -----------------------------------------------------------------------

    def _ht(self, line: _Line, product: Product) -> Decimal | None:
        if line.price_ttc is None:
            return None
        vat = line.vat or product.vat_rate
        return (line.price_ttc / (1 + vat.rate)).quantize(HT_PLACES)

    def _new_product(self, line: _Line) -> Product:
        if not line.names.get("fr"):
            raise RowError("name_fr", "name_fr is missing (needed for a new product)")
        if line.category is None:
            raise RowError("category", "category is missing (needed for a new product)")
        vat = line.vat or self.default_vat
        if vat is None:
            raise RowError("vat_rate", "no VAT rate is configured")
        if line.price_ttc is None:
            raise RowError("price_ttc", "price_ttc is missing (needed for a new product)")
        base = (line.price_ttc / (1 + vat.rate)).quantize(HT_PLACES)
        self.first_price[line.slug] = base
        product = Product(
            slug=line.slug, category=line.category, vat_rate=vat, base_price_ht=base, is_published=True
        )
        for lang, name in line.names.items():
            setattr(product, f"name_{lang}", name[:200])
        product.name = line.names["fr"][:200]
        return product

    def _update_product(self, product: Product, line: _Line) -> bool:
        changed = False
        for lang, name in line.names.items():
            if getattr(product, f"name_{lang}") != name[:200]:
                setattr(product, f"name_{lang}", name[:200])
                changed = True
        if line.category is not None and product.category_id != line.category.pk:
            product.category = line.category
            changed = True
        if line.vat is not None and product.vat_rate_id != line.vat.pk:
            product.vat_rate = line.vat
            changed = True
        key = product.slug
        if key not in self.first_price:
            ht = self._ht(line, product)
            if ht is not None:
                self.first_price[key] = ht
                if product.base_price_ht != ht:
                    product.base_price_ht = ht
                    changed = True
        return changed

    def _update_variant(self, variant: Variant, line: _Line, product: Product) -> bool:
        changed = False
        if line.ean and variant.ean13 != line.ean:
            variant.ean13 = line.ean
            changed = True
        ht = self._ht(line, product)
        if ht is not None:
            override = None if ht == product.base_price_ht else ht
            if variant.price_ht_override != override:
                variant.price_ht_override = override
                changed = True
        if line.weight is not None and variant.weight_grams != line.weight:
            variant.weight_grams = line.weight
            changed = True
        if line.cost is not None and variant.cost_price_ht != line.cost:
            variant.cost_price_ht = line.cost
            changed = True
        if line.active is not None and variant.is_active != line.active:
            variant.is_active = line.active
            changed = True
        return changed

    # --- options (size, colour) ---------------------------------------------------------------------

    def _load_options(self, lines: list[_Line]) -> None:
        wanted = {(code, value) for line in lines for code, value in line.options.items()}
        if not wanted:
            return
        for code, name in OPTION_TYPES.items():
            if code not in self.option_types and any(c == code for c, _ in wanted):
                self.option_types[code], _ = OptionType.objects.get_or_create(
                    code=code, defaults={"name": name}
                )
        missing = {(c, v) for c, v in wanted if (c, slugify(v)[:40] or v[:40]) not in self.option_values}
        if not missing:
            return
        type_ids = {self.option_types[c].pk: c for c, _ in missing}
        for value in OptionValue.objects.filter(option_type_id__in=type_ids):
            self.option_values[(type_ids[value.option_type_id], value.code)] = value
        to_create: dict[tuple[str, str], OptionValue] = {}
        for code, name in missing:
            key = (code, slugify(name)[:40] or name[:40])
            if key not in self.option_values and key not in to_create:
                to_create[key] = OptionValue(option_type=self.option_types[code], code=key[1], name=name[:60])
        if to_create:
            OptionValue.objects.bulk_create(list(to_create.values()), ignore_conflicts=True)
            for value in OptionValue.objects.filter(
                option_type_id__in=type_ids, code__in=[k[1] for k in to_create]
            ):
                self.option_values[(type_ids[value.option_type_id], value.code)] = value

    def _write_options(self, pairs: list[tuple[_Line, Variant]]) -> set[int]:
        """Each variant's size and colour as the file says; returns the variants whose options changed."""
        pairs = [(line, variant) for line, variant in pairs if line.options]
        if not pairs:
            return set()
        through = Variant.option_values.through
        product_types = Product.option_types.through
        managed_types = {t.pk for t in self.option_types.values()}
        current: dict[int, set[int]] = {}
        for variant_id, value_id in through.objects.filter(
            variant_id__in=[v.pk for _, v in pairs], optionvalue__option_type_id__in=managed_types
        ).values_list("variant_id", "optionvalue_id"):
            current.setdefault(variant_id, set()).add(value_id)
        existing_types = set(
            product_types.objects.filter(product_id__in={v.product_id for _, v in pairs}).values_list(
                "product_id", "optiontype_id"
            )
        )
        changed: set[int] = set()
        add_rows: list[Any] = []
        remove: list[tuple[int, set[int]]] = []
        type_rows: dict[tuple[int, int], Any] = {}
        for line, variant in pairs:
            wanted = {
                self.option_values[(code, slugify(value)[:40] or value[:40])].pk
                for code, value in line.options.items()
            }
            have = current.get(variant.pk, set())
            if wanted != have:
                changed.add(variant.pk)
                add_rows += [through(variant_id=variant.pk, optionvalue_id=pk) for pk in wanted - have]
                if have - wanted:
                    remove.append((variant.pk, have - wanted))
            for code in line.options:
                key = (variant.product_id, self.option_types[code].pk)
                if key not in existing_types and key not in type_rows:
                    type_rows[key] = product_types(product_id=key[0], optiontype_id=key[1])
        for variant_id, value_ids in remove:
            through.objects.filter(variant_id=variant_id, optionvalue_id__in=value_ids).delete()
        through.objects.bulk_create(add_rows, ignore_conflicts=True, batch_size=2000)
        product_types.objects.bulk_create(list(type_rows.values()), ignore_conflicts=True)
        return changed
