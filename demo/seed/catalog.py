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
    price: tuple[int, int]  # TTC euros, min and max (food: of the smallest size)
    vat: str = "standard"
    noun: tuple[w.Noun, str, w.Noun] | None = None  # apparel and shoes: (fr, en, it)
    sizes: tuple[str, ...] = ()
    items: str = ""  # key into FOOD_ITEMS / GIFT_ITEMS


def _noun(
    fr: str, fr_gender: str, en: str, it: str, it_gender: str, plural=False
) -> tuple[w.Noun, str, w.Noun]:
    return w.Noun(fr, fr_gender, plural), en, w.Noun(it, it_gender, plural)


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
                        _apparel("WTS", _noun("T-shirt", "m", "T-shirt", "T-shirt", "f"), 5, (19, 39)),
                    ),
                    (
                        "women-dresses",
                        ("Robes", "Dresses", "Abiti"),
                        _apparel("WDR", _noun("Robe", "f", "dress", "Abito", "m"), 5, (39, 119)),
                    ),
                    (
                        "women-jackets",
                        ("Vestes", "Jackets", "Giacche"),
                        _apparel("WJK", _noun("Veste", "f", "jacket", "Giacca", "f"), 3, (59, 159)),
                    ),
                    (
                        "women-sweaters",
                        ("Pulls", "Sweaters", "Maglioni"),
                        _apparel("WSW", _noun("Pull", "m", "sweater", "Maglione", "m"), 3, (39, 99)),
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
                        _apparel("MTS", _noun("T-shirt", "m", "T-shirt", "T-shirt", "f"), 5, (19, 39)),
                    ),
                    (
                        "men-shirts",
                        ("Chemises", "Shirts", "Camicie"),
                        _apparel("MSH", _noun("Chemise", "f", "shirt", "Camicia", "f"), 4, (39, 89)),
                    ),
                    (
                        "men-jackets",
                        ("Vestes", "Jackets", "Giacche"),
                        _apparel("MJK", _noun("Veste", "f", "jacket", "Giacca", "f"), 3, (69, 169)),
                    ),
                    (
                        "men-sweaters",
                        ("Pulls", "Sweaters", "Maglioni"),
                        _apparel("MSW", _noun("Pull", "m", "sweater", "Maglione", "m"), 3, (39, 99)),
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
                        _apparel(
                            "KTS",
                            _noun("T-shirt enfant", "m", "kids' T-shirt", "T-shirt bambino", "f"),
                            4,
                            (12, 25),
                            w.KID_SIZES,
                        ),
                    ),
                    (
                        "kids-sweaters",
                        ("Sweats", "Sweatshirts", "Felpe"),
                        _apparel(
                            "KSW",
                            _noun("Sweat enfant", "m", "kids' sweatshirt", "Felpa bambino", "f"),
                            3,
                            (22, 45),
                            w.KID_SIZES,
                        ),
                    ),
                    (
                        "kids-dresses",
                        ("Robes", "Dresses", "Abiti"),
                        _apparel(
                            "KDR",
                            _noun("Robe enfant", "f", "kids' dress", "Abito bambina", "m"),
                            2,
                            (25, 55),
                            w.KID_SIZES,
                        ),
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
                    noun=_noun("Baskets", "f", "sneakers", "Sneakers", "f", plural=True),
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
                    noun=_noun("Sandales", "f", "sandals", "Sandali", "m", plural=True),
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
                    noun=_noun("Bottines", "f", "ankle boots", "Stivaletti", "m", plural=True),
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
                    noun=_noun("Espadrilles", "f", "espadrilles", "Espadrillas", "f", plural=True),
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
                Leaf("food", "CHA", 5, (5, 14), vat="reduced", items="charcuterie"),
            ),
            (
                "cheese",
                ("Fromages", "Cheese", "Formaggi"),
                Leaf("food", "FRO", 4, (5, 12), vat="reduced", items="cheese"),
            ),
            (
                "honey-jams",
                ("Miels et confitures", "Honey & jams", "Miele e marmellate"),
                Leaf("food", "MIE", 5, (5, 11), vat="reduced", items="honey-jams"),
            ),
            ("wine", ("Vins", "Wine", "Vini"), Leaf("food", "VIN", 5, (9, 32), vat="standard", items="wine")),
            (
                "olive-oil",
                ("Huiles d'olive", "Olive oil", "Olio d'oliva"),
                Leaf("food", "HUI", 3, (9, 14), vat="reduced", items="olive-oil"),
            ),
            (
                "biscuits",
                ("Biscuits", "Biscuits", "Biscotti"),
                Leaf("food", "BIS", 3, (4, 7), vat="reduced", items="biscuits"),
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


def _price_ht(price_ttc: Decimal, vat: VatRate) -> Decimal:
    return (price_ttc / (1 + vat.rate)).quantize(Decimal("0.0001"))


def _band_price(rng: random.Random, leaf: Leaf, position: float, factor: float = 1.0) -> Decimal:
    """A TTC price ending in .90 at ``position`` (0-1) in the leaf's band, times ``factor`` (a bigger
    size), give or take 4 %: products of one kind cost about the same."""
    low, high = leaf.price
    euros = (low + (high - low) * position) * factor * rng.uniform(0.96, 1.04)
    return Decimal(max(1, round(euros))) - Decimal("0.10")


def _quantity(size: str) -> int:
    return int(size.split()[0])


@dataclass(frozen=True)
class Named:
    fr: str
    en: str
    it: str
    price_ttc: Decimal


class Namer:
    """Product names in the three languages, grammatical (French and Italian adjectives agree with
    their noun) and unique in each language across the catalog, with a price coherent with the kind
    of product. Each leaf draws its combinations (style x place, item x qualifier x place x size...)
    in a shuffled order without putting one back; when a leaf has used them all, a new round
    numbers the names ("... II")."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.queues: dict[int, list[tuple]] = {}
        self.rounds: dict[int, int] = {}
        self.used: set[str] = set()

    def name(self, leaf: Leaf) -> Named:
        while True:
            queue = self.queues.get(id(leaf))
            if not queue:
                queue = self.queues[id(leaf)] = _combinations(leaf)
                self.rng.shuffle(queue)
                self.rounds[id(leaf)] = self.rounds.get(id(leaf), 0) + 1
            named = _compose(self.rng, leaf, queue.pop())
            if self.rounds[id(leaf)] > 1:
                suffix = f" {_roman(self.rounds[id(leaf)])}"
                named = Named(named.fr + suffix, named.en + suffix, named.it + suffix, named.price_ttc)
            keys = {f"fr:{named.fr.lower()}", f"en:{named.en.lower()}", f"it:{named.it.lower()}"}
            if not keys & self.used:
                self.used |= keys
                return named


def _roman(n: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _combinations(leaf: Leaf) -> list[tuple]:
    if leaf.kind in ("apparel", "shoes"):
        styles = w.GARMENT_STYLES if leaf.kind == "apparel" else w.SHOE_STYLES
        return [(style, place) for style in styles for place in w.PLACES]
    if leaf.kind == "food":
        items, sizes = w.FOOD_ITEMS[leaf.items], w.FOOD_SIZES[leaf.items]
        if leaf.items == "wine":
            vintages = range(2016, 2024)
            return [(i, a, v, s) for i in items for a in w.WINE_APPELLATIONS for v in vintages for s in sizes]
        qualifiers = [q for q in w.FOOD_QUALIFIERS if not q.only or leaf.items in q.only]
        return [(i, q, p, s) for i in items for q in qualifiers for p in w.PLACES for s in sizes]
    motifs = w.KNIFE_HANDLES if leaf.items == "knives" else w.GIFT_MOTIFS
    return [(i, m, p) for i in w.GIFT_ITEMS[leaf.items] for m in motifs for p in w.PLACES]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _compose(rng: random.Random, leaf: Leaf, combination: tuple) -> Named:
    if leaf.kind in ("apparel", "shoes"):
        style, place = combination
        assert leaf.noun is not None
        noun_fr, noun_en, noun_it = leaf.noun
        return Named(
            f"{noun_fr.word} {style.fr.agree(noun_fr)} {place}",
            _capital(f"{place} {style.en} {noun_en}"),
            f"{noun_it.word} {style.it.agree(noun_it)} {place}",
            _band_price(rng, leaf, style.price),
        )
    if leaf.kind == "food":
        food, detail, place_or_vintage, size = combination
        first_size = w.FOOD_SIZES[leaf.items][0]
        factor = (_quantity(size) / _quantity(first_size)) ** 0.85
        price = _band_price(rng, leaf, food.price, factor)
        if leaf.items == "wine":
            appellation, vintage = detail, place_or_vintage
            return Named(
                f"{food.fr.word} {appellation} {vintage} {size}",
                _capital(f"{appellation} {vintage} {food.en} {size}"),
                f"{food.it.word} {appellation} {vintage} {size}",
                price,
            )
        qualifier, place = detail, place_or_vintage
        return Named(
            f"{food.fr.word} {qualifier.fr.agree(food.fr)} {place} {size}",
            _capital(f"{qualifier.en} {food.en} {place} {size}"),
            f"{food.it.word} {qualifier.it.agree(food.it)} {place} {size}",
            price,
        )
    gift, (m_fr, m_en, m_it), place = combination
    return Named(
        f"{gift.fr.word} {m_fr} {place}",
        _capital(f"{place} {m_en} {gift.en}"),
        f"{gift.it.word} {m_it} {place}",
        _band_price(rng, leaf, gift.price),
    )


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
    namer = Namer(rng)
    products: list[Product] = []
    plans: list[tuple[Leaf, list[_PlannedVariant]]] = []
    for index in range(1, count + 1):
        category, leaf = leaves[rng.choices(slugs, weights)[0]]
        named = namer.name(leaf)
        fr, en, it = named.fr, named.en, named.it
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
                base_price_ht=_price_ht(named.price_ttc, vat),
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
