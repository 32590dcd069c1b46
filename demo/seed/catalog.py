"""The demo catalog: VAT rates, a category tree in French, English and Italian, options, products.

Products, variants and their option links are bulk inserted (the catalog has no service that creates
a product; a 5,000-product catalog takes a few seconds this way). Names come from ``words``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import slugify

from catalog import services as catalog_services
from catalog.models import Category, OptionType, OptionValue, Product, Variant, VatRate
from catalog.validators import ean13_check_digit

from . import words as w

EAN_PREFIX = "21"  # GS1 20-29: numbers for in-store use, never clash with a supplier's barcode

VAT_RATES = [
    ("standard", "TVA normale", Decimal("0.2000")),
    ("reduced", "TVA réduite (alimentation)", Decimal("0.0550")),
    ("intermediate", "TVA intermédiaire", Decimal("0.1000")),
]


@dataclass(frozen=True)
class Leaf:
    """How products of a leaf category are generated."""

    kind: str  # apparel | shoes | food | gift
    prefix: str  # SKU prefix
    weight: int  # share of the generated products
    price: tuple[int, int]  # TTC euros, min and max
    vat: str = "standard"
    noun: tuple[str, str, str] = ("", "", "")
    sizes: tuple[str, ...] = ()
    items: str = ""  # key into FOOD_ITEMS / GIFT_ITEMS


def _apparel(prefix, noun, weight, price, sizes=w.ADULT_SIZES):
    return Leaf(kind="apparel", prefix=prefix, weight=weight, price=price, noun=noun, sizes=tuple(sizes))


# (slug, (fr, en, it), Leaf or children)
TREE = [
    (
        "clothing",
        ("Vêtements", "Clothing", "Abbigliamento"),
        [
            (
                "women",
                ("Femme", "Women", "Donna"),
                [
                    (
                        "women-t-shirts",
                        ("T-shirts", "T-shirts", "T-shirt"),
                        _apparel("WTS", ("T-shirt", "T-shirt", "T-shirt"), 5, (19, 39)),
                    ),
                    (
                        "women-dresses",
                        ("Robes", "Dresses", "Abiti"),
                        _apparel("WDR", ("Robe", "dress", "Abito"), 5, (39, 119)),
                    ),
                    (
                        "women-jackets",
                        ("Vestes", "Jackets", "Giacche"),
                        _apparel("WJK", ("Veste", "jacket", "Giacca"), 3, (59, 159)),
                    ),
                    (
                        "women-sweaters",
                        ("Pulls", "Sweaters", "Maglioni"),
                        _apparel("WSW", ("Pull", "sweater", "Maglione"), 3, (39, 99)),
                    ),
                ],
            ),
            (
                "men",
                ("Homme", "Men", "Uomo"),
                [
                    (
                        "men-t-shirts",
                        ("T-shirts", "T-shirts", "T-shirt"),
                        _apparel("MTS", ("T-shirt", "T-shirt", "T-shirt"), 5, (19, 39)),
                    ),
                    (
                        "men-shirts",
                        ("Chemises", "Shirts", "Camicie"),
                        _apparel("MSH", ("Chemise", "shirt", "Camicia"), 4, (39, 89)),
                    ),
                    (
                        "men-jackets",
                        ("Vestes", "Jackets", "Giacche"),
                        _apparel("MJK", ("Veste", "jacket", "Giacca"), 3, (69, 169)),
                    ),
                    (
                        "men-sweaters",
                        ("Pulls", "Sweaters", "Maglioni"),
                        _apparel("MSW", ("Pull", "sweater", "Maglione"), 3, (39, 99)),
                    ),
                ],
            ),
            (
                "kids",
                ("Enfant", "Kids", "Bambini"),
                [
                    (
                        "kids-t-shirts",
                        ("T-shirts", "T-shirts", "T-shirt"),
                        _apparel("KTS", ("T-shirt", "T-shirt", "T-shirt"), 4, (12, 25), w.KID_SIZES),
                    ),
                    (
                        "kids-sweaters",
                        ("Sweats", "Sweatshirts", "Felpe"),
                        _apparel("KSW", ("Sweat", "sweatshirt", "Felpa"), 3, (22, 45), w.KID_SIZES),
                    ),
                    (
                        "kids-dresses",
                        ("Robes", "Dresses", "Abiti"),
                        _apparel("KDR", ("Robe", "dress", "Abito"), 2, (25, 55), w.KID_SIZES),
                    ),
                ],
            ),
        ],
    ),
    (
        "shoes",
        ("Chaussures", "Shoes", "Scarpe"),
        [
            (
                "sneakers",
                ("Baskets", "Sneakers", "Sneakers"),
                Leaf(
                    "shoes",
                    "SNK",
                    5,
                    (59, 139),
                    noun=("Baskets", "sneakers", "Sneakers"),
                    sizes=tuple(w.SHOE_SIZES),
                ),
            ),
            (
                "sandals",
                ("Sandales", "Sandals", "Sandali"),
                Leaf(
                    "shoes",
                    "SDL",
                    4,
                    (29, 89),
                    noun=("Sandales", "sandals", "Sandali"),
                    sizes=tuple(w.SHOE_SIZES),
                ),
            ),
            (
                "boots",
                ("Bottines", "Ankle boots", "Stivaletti"),
                Leaf(
                    "shoes",
                    "BOT",
                    3,
                    (89, 189),
                    noun=("Bottines", "ankle boots", "Stivaletti"),
                    sizes=tuple(w.SHOE_SIZES),
                ),
            ),
            (
                "espadrilles",
                ("Espadrilles", "Espadrilles", "Espadrillas"),
                Leaf(
                    "shoes",
                    "ESP",
                    3,
                    (25, 49),
                    noun=("Espadrilles", "espadrilles", "Espadrillas"),
                    sizes=tuple(w.SHOE_SIZES),
                ),
            ),
        ],
    ),
    (
        "local-food",
        ("Produits corses", "Local food", "Prodotti corsi"),
        [
            (
                "charcuterie",
                ("Charcuterie", "Charcuterie", "Salumi"),
                Leaf("food", "CHA", 5, (6, 45), vat="reduced", items="charcuterie"),
            ),
            (
                "cheese",
                ("Fromages", "Cheese", "Formaggi"),
                Leaf("food", "FRO", 4, (5, 28), vat="reduced", items="cheese"),
            ),
            (
                "honey-jams",
                ("Miels et confitures", "Honey & jams", "Miele e marmellate"),
                Leaf("food", "MIE", 5, (6, 18), vat="reduced", items="honey-jams"),
            ),
            ("wine", ("Vins", "Wine", "Vini"), Leaf("food", "VIN", 5, (9, 49), vat="standard", items="wine")),
            (
                "olive-oil",
                ("Huiles d'olive", "Olive oil", "Olio d'oliva"),
                Leaf("food", "HUI", 3, (12, 35), vat="reduced", items="olive-oil"),
            ),
            (
                "biscuits",
                ("Biscuits", "Biscuits", "Biscotti"),
                Leaf("food", "BIS", 3, (4, 12), vat="reduced", items="biscuits"),
            ),
        ],
    ),
    (
        "gifts",
        ("Cadeaux", "Gifts", "Regali"),
        [
            (
                "mugs",
                ("Mugs et vaisselle", "Mugs & tableware", "Tazze e stoviglie"),
                Leaf("gift", "MUG", 4, (9, 29), items="mugs"),
            ),
            (
                "knives",
                ("Couteaux corses", "Corsican knives", "Coltelli corsi"),
                Leaf("gift", "COU", 4, (25, 160), items="knives"),
            ),
            (
                "soaps",
                ("Savons et bougies", "Soaps & candles", "Saponi e candele"),
                Leaf("gift", "SAV", 5, (5, 29), items="soaps"),
            ),
            (
                "prints",
                ("Affiches et cartes", "Posters & cards", "Poster e cartoline"),
                Leaf("gift", "AFF", 3, (2, 39), items="prints"),
            ),
            ("bags", ("Sacs", "Bags", "Borse"), Leaf("gift", "SAC", 4, (15, 49), items="bags")),
        ],
    ),
]

DESCRIPTIONS = {
    "fr": "{name}. Choisi en Corse, en vente dans nos boutiques d'Ajaccio, Bastia, Porto-Vecchio, Calvi.",
    "en": "{name}. Chosen in Corsica, in stock in our Ajaccio, Bastia, Porto-Vecchio and Calvi shops.",
    "it": "{name}. Scelto in Corsica, nei nostri negozi di Ajaccio, Bastia, Porto-Vecchio e Calvi.",
}

# --- reference data ---------------------------------------------------------------------------------


def ensure_vat_rates() -> dict[str, VatRate]:
    return {
        code: VatRate.objects.update_or_create(code=code, defaults={"name": name, "rate": rate})[0]
        for code, name, rate in VAT_RATES
    }


def _ensure_categories() -> dict[str, tuple[Category, Leaf]]:
    leaves: dict[str, tuple[Category, Leaf]] = {}

    def walk(nodes, parent):
        for position, (slug, (fr, en, it), spec) in enumerate(nodes):
            category, _ = Category.objects.update_or_create(
                slug=slug,
                defaults={
                    "parent": parent,
                    "name_fr": fr,
                    "name_en": en,
                    "name_it": it,
                    "position": position,
                    "seo_title_fr": fr,
                    "seo_title_en": en,
                    "seo_title_it": it,
                },
            )
            if isinstance(spec, Leaf):
                leaves[slug] = (category, spec)
            else:
                walk(spec, category)

    walk(TREE, None)
    return leaves


def _ensure_options() -> dict[tuple[str, str], OptionValue]:
    size, _ = OptionType.objects.update_or_create(
        code="size", defaults={"name_fr": "Taille", "name_en": "Size", "name_it": "Taglia"}
    )
    color, _ = OptionType.objects.update_or_create(
        code="color", defaults={"name_fr": "Couleur", "name_en": "Colour", "name_it": "Colore"}
    )
    values: dict[tuple[str, str], OptionValue] = {}
    sizes = [*w.ADULT_SIZES, *w.KID_SIZES, *w.SHOE_SIZES]
    for position, label in enumerate(sizes):
        values[("size", label)], _ = OptionValue.objects.update_or_create(
            option_type=size,
            code=slugify(label),
            defaults={
                "name_fr": label,
                "name_en": label.replace("A", "Y"),
                "name_it": label,
                "position": position,
            },
        )
    for position, (code, fr, en, it) in enumerate(w.COLORS):
        values[("color", code)], _ = OptionValue.objects.update_or_create(
            option_type=color,
            code=code,
            defaults={"name_fr": fr, "name_en": en, "name_it": it, "position": position},
        )
    values[("type", "size")] = size  # type: ignore[assignment]
    values[("type", "color")] = color  # type: ignore[assignment]
    return values


# --- the catalog ------------------------------------------------------------------------------------


@dataclass
class _PlannedVariant:
    sku: str
    option_keys: list[tuple[str, str]]
    position: int


def _ean(n: int) -> str:
    first12 = f"{EAN_PREFIX}{n:010d}"
    return first12 + str(ean13_check_digit(first12))


def _price_ht(rng: random.Random, leaf: Leaf, vat: VatRate) -> Decimal:
    ttc = Decimal(rng.randint(*leaf.price)) + rng.choice([Decimal("0.90"), Decimal("0.50"), Decimal("0.00")])
    return (ttc / (1 + vat.rate)).quantize(Decimal("0.0001"))


def _names(rng: random.Random, leaf: Leaf) -> tuple[str, str, str]:
    place = rng.choice(w.PLACES)
    if leaf.kind in ("apparel", "shoes"):
        styles = w.GARMENT_STYLES if leaf.kind == "apparel" else w.SHOE_STYLES
        fr_style, en_style, it_style = rng.choice(styles)
        noun_fr, noun_en, noun_it = leaf.noun
        return (
            f"{noun_fr} {fr_style} {place}",
            f"{place} {en_style} {noun_en}",
            f"{noun_it} {it_style} {place}",
        )
    if leaf.kind == "food":
        fr, en, it = rng.choice(w.FOOD_ITEMS[leaf.items])
        size = rng.choice(w.FOOD_SIZES[leaf.items])
        if leaf.items == "wine":
            appellation, vintage = rng.choice(w.WINE_APPELLATIONS), rng.randint(2016, 2023)
            return (
                f"{fr} {appellation} {vintage} {size}",
                f"{appellation} {vintage} {en.lower()} {size}",
                f"{it} {appellation} {vintage} {size}",
            )
        q_fr, q_en, q_it = rng.choice(w.FOOD_QUALIFIERS)
        return (
            f"{fr} {q_fr} {place} {size}",
            f"{q_en.capitalize()} {en.lower()} {place} {size}",
            f"{it} {q_it} {place} {size}",
        )
    fr, en, it = rng.choice(w.GIFT_ITEMS[leaf.items])
    m_fr, m_en, m_it = rng.choice(w.GIFT_MOTIFS)
    return f"{fr} {m_fr} {place}", f"{place} {en.lower()} {m_en}", f"{it} {m_it} {place}"


def _plan_variants(rng: random.Random, leaf: Leaf, index: int) -> list[_PlannedVariant]:
    base = f"{leaf.prefix}-{index:05d}"
    if leaf.kind not in ("apparel", "shoes"):
        return [_PlannedVariant(sku=base, option_keys=[], position=0)]
    n_colors = rng.randint(1, 3) if leaf.kind == "apparel" else rng.randint(1, 2)
    n_sizes = min(len(leaf.sizes), rng.randint(3, 5) if leaf.kind == "apparel" else rng.randint(5, 8))
    first = rng.randint(0, len(leaf.sizes) - n_sizes)
    sizes = leaf.sizes[first : first + n_sizes]
    colors = rng.sample([c[0] for c in w.COLORS], n_colors)
    planned: list[_PlannedVariant] = []
    for color in colors:
        for size in sizes:
            planned.append(
                _PlannedVariant(
                    sku=f"{base}-{size}-{color[:3].upper()}",
                    option_keys=[("size", size), ("color", color)],
                    position=len(planned),
                )
            )
    return planned


def create_catalog(
    *, rng: random.Random, count: int, vat_rates: dict[str, VatRate]
) -> list[tuple[Variant, Leaf]]:
    """The category tree, the options and ``count`` products with their variants; returns the variants."""
    leaves = _ensure_categories()
    options = _ensure_options()
    slugs = list(leaves)
    weights = [leaves[slug][1].weight for slug in slugs]
    products: list[Product] = []
    plans: list[tuple[Leaf, list[_PlannedVariant]]] = []
    for index in range(1, count + 1):
        category, leaf = leaves[rng.choices(slugs, weights)[0]]
        fr, en, it = _names(rng, leaf)
        vat = vat_rates[leaf.vat]
        products.append(
            Product(
                name_fr=fr,
                name_en=en,
                name_it=it,
                slug=f"{slugify(en)[:200]}-{index}",
                description_fr=DESCRIPTIONS["fr"].format(name=fr),
                description_en=DESCRIPTIONS["en"].format(name=en),
                description_it=DESCRIPTIONS["it"].format(name=it),
                seo_title_fr=fr[:70],
                seo_title_en=en[:70],
                seo_title_it=it[:70],
                category=category,
                vat_rate=vat,
                base_price_ht=_price_ht(rng, leaf, vat),
                brand="Maison Corsica" if leaf.kind in ("apparel", "shoes") else "",
                tracks_lots=leaf.kind == "food",
                is_published=rng.random() > 0.03,
            )
        )
        plans.append((leaf, _plan_variants(rng, leaf, index)))
    Product.objects.bulk_create(products, batch_size=1000)

    size_type, color_type = options[("type", "size")], options[("type", "color")]
    product_types = Product.option_types.through
    product_type_rows = []
    variants: list[Variant] = []
    variant_leaves: list[tuple[Leaf, _PlannedVariant]] = []
    ean = 0
    for product, (leaf, planned) in zip(products, plans, strict=True):
        if leaf.kind in ("apparel", "shoes"):
            product_type_rows += [
                product_types(product_id=product.pk, optiontype_id=size_type.pk),
                product_types(product_id=product.pk, optiontype_id=color_type.pk),
            ]
        for plan in planned:
            ean += 1
            weight = {"apparel": 250, "shoes": 900, "food": 400, "gift": 300}[leaf.kind]
            variants.append(
                Variant(
                    product_id=product.pk,
                    sku=plan.sku,
                    ean13=_ean(ean),
                    position=plan.position,
                    weight_grams=weight + rng.randint(0, 200),
                )
            )
            variant_leaves.append((leaf, plan))
    product_types.objects.bulk_create(product_type_rows, batch_size=2000)
    Variant.objects.bulk_create(variants, batch_size=2000)
    through = Variant.option_values.through
    through.objects.bulk_create(
        [
            through(variant_id=variant.pk, optionvalue_id=options[key].pk)
            for variant, (_leaf, plan) in zip(variants, variant_leaves, strict=True)
            for key in plan.option_keys
        ],
        batch_size=2000,
    )
    catalog_services.refresh_search_text(product_ids=[p.pk for p in products])
    return [(variant, leaf) for variant, (leaf, _plan) in zip(variants, variant_leaves, strict=True)]
