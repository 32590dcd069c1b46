"""The demo data set: four Corsican boutiques and a warehouse, a 5,000-product catalog, stock, users.

``seed_demo()`` is deterministic (everything generated comes from ``random.Random(seed)``) and
re-runnable: locations, VAT rates, roles and the demo users are created or updated every time; the
catalog and its stock are only generated when there is no product yet, so a second run changes
nothing. Start over with ``manage.py seed_demo --reset`` (it empties the database first).

Stock goes in through ``inventory.services.bulk_receive_initial_stock``: levels, lots and their ledger
rows are written together, so ``manage.py check_stock`` is clean right after seeding.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from rest_framework.authtoken.models import Token

from accounts.models import CustomerGroup, CustomerProfile, Role, User
from accounts.roles import assign_role, ensure_roles
from catalog.models import Category, OptionType, OptionValue, Product, Variant, VatRate
from catalog.validators import ean13_check_digit
from inventory.models import Location, LocationKind, StockLevel, StockLot, StockMovement
from inventory.services import InitialStock, LotInput, bulk_receive_initial_stock

from . import words as w

DEMO_PASSWORD = "demo1234"
EAN_PREFIX = "21"  # GS1 20-29: numbers for in-store use, never clash with a supplier's barcode

_WEEK = {
    "mon": "10:00-19:00",
    "tue": "10:00-19:00",
    "wed": "10:00-19:00",
    "thu": "10:00-19:00",
    "fri": "10:00-19:30",
    "sat": "09:30-19:30",
}
LOCATIONS: list[dict[str, Any]] = [
    {
        "code": "AJA",
        "name": "Ajaccio",
        "kind": LocationKind.STORE,
        "address_line": "12 cours Napoléon",
        "postal_code": "20000",
        "city": "Ajaccio",
        "phone": "+33 4 95 21 00 01",
        "email": "ajaccio@demo.example",
        "opening_hours": {**_WEEK, "sun": "10:00-13:00"},
    },
    {
        "code": "BAS",
        "name": "Bastia",
        "kind": LocationKind.STORE,
        "address_line": "4 boulevard Paoli",
        "postal_code": "20200",
        "city": "Bastia",
        "phone": "+33 4 95 31 00 02",
        "email": "bastia@demo.example",
        "opening_hours": {**_WEEK, "sun": "closed"},
    },
    {
        "code": "PVE",
        "name": "Porto-Vecchio",
        "kind": LocationKind.STORE,
        "address_line": "2 rue Borgo",
        "postal_code": "20137",
        "city": "Porto-Vecchio",
        "phone": "+33 4 95 70 00 03",
        "email": "portovecchio@demo.example",
        "opening_hours": {**_WEEK, "sun": "10:00-19:00"},
    },
    {
        "code": "CAL",
        "name": "Calvi",
        "kind": LocationKind.STORE,
        "address_line": "8 boulevard Wilson",
        "postal_code": "20260",
        "city": "Calvi",
        "phone": "+33 4 95 65 00 04",
        "email": "calvi@demo.example",
        "opening_hours": {**_WEEK, "sun": "10:00-13:00"},
    },
    {
        "code": "WH",
        "name": "Entrepôt Mezzavia",
        "kind": LocationKind.WAREHOUSE,
        "address_line": "Zone industrielle du Vazzio",
        "postal_code": "20090",
        "city": "Ajaccio",
        "phone": "+33 4 95 23 00 05",
        "email": "entrepot@demo.example",
        "opening_hours": dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "07:00-15:00"),
        "sells_online": True,
    },
]

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

DEMO_USERS = [  # email, role, store code, first name, last name
    ("shopper@demo.example", Role.SHOPPER, None, "Laetitia", "Santoni"),
    ("cashier.aja@demo.example", Role.CASHIER, "AJA", "Ghjuvanni", "Pietri"),
    ("manager.aja@demo.example", Role.STORE_MANAGER, "AJA", "Maria", "Colonna"),
    ("staff@demo.example", Role.STAFF, None, "Paul", "Orsini"),
    ("manager@demo.example", Role.MANAGER, None, "Anna", "Casanova"),
    ("admin@demo.example", None, None, "Admin", "Demo"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str
    store: str
    token: str


@dataclass
class SeedResult:
    catalog_created: bool
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    seconds: float = 0.0


def seed_demo(*, products: int = 5000, seed: int = 42) -> SeedResult:
    started = time.perf_counter()
    ensure_roles()
    locations = _ensure_locations()
    vat_rates = _ensure_vat_rates()
    _ensure_customer_groups()
    catalog_created = False
    if not Product.objects.exists():
        with transaction.atomic(), translation.override("fr"):
            rng = random.Random(seed)
            leaves = _ensure_categories()
            options = _ensure_options()
            variants = _create_catalog(
                rng=rng, count=products, leaves=leaves, options=options, vat_rates=vat_rates
            )
            admin = _ensure_user("admin@demo.example", None, None, "Admin", "Demo", locations)
            _receive_stock(rng=rng, variants=variants, locations=locations, user=admin)
        catalog_created = True
    logins = [_login(*spec, locations) for spec in DEMO_USERS]
    return SeedResult(
        catalog_created=catalog_created,
        counts=demo_counts(),
        logins=logins,
        seconds=time.perf_counter() - started,
    )


def demo_counts() -> dict[str, int]:
    return {
        "locations": Location.objects.count(),
        "categories": Category.objects.count(),
        "products": Product.objects.count(),
        "variants": Variant.objects.count(),
        "stock levels": StockLevel.objects.count(),
        "lots": StockLot.objects.count(),
        "ledger rows": StockMovement.objects.count(),
        "users": User.objects.count(),
    }


# --- reference data ---------------------------------------------------------------------------------


def _ensure_locations() -> dict[str, Location]:
    result = {}
    for spec in LOCATIONS:
        defaults = {key: value for key, value in spec.items() if key != "code"}
        result[spec["code"]], _ = Location.objects.update_or_create(code=spec["code"], defaults=defaults)
    return result


def _ensure_vat_rates() -> dict[str, VatRate]:
    return {
        code: VatRate.objects.update_or_create(code=code, defaults={"name": name, "rate": rate})[0]
        for code, name, rate in VAT_RATES
    }


def _ensure_customer_groups() -> None:
    CustomerGroup.objects.get_or_create(code="retail", defaults={"name": "Particuliers"})
    CustomerGroup.objects.get_or_create(
        code="hotels", defaults={"name": "Hôtels et restaurants", "is_b2b": True}
    )


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


def _create_catalog(*, rng, count, leaves, options, vat_rates) -> list[tuple[Variant, Leaf]]:
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
    return [(variant, leaf) for variant, (leaf, _plan) in zip(variants, variant_leaves, strict=True)]


# --- stock --------------------------------------------------------------------------------------------


SHELF_LIFE_DAYS = {
    "charcuterie": (30, 180),
    "cheese": (10, 60),
    "honey-jams": (180, 720),
    "olive-oil": (300, 720),
    "biscuits": (60, 240),
}


def _lots(rng: random.Random, leaf: Leaf, total: int, today: dt.date) -> list[tuple[LotInput, int]]:
    n = min(total, rng.randint(1, 3))
    cuts = sorted(rng.sample(range(1, total), n - 1)) if n > 1 else []
    quantities = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    lots = []
    for i, quantity in enumerate(quantities):
        if leaf.items == "wine":
            lot = LotInput(batch=f"MILL-{rng.randint(2016, 2023)}-{i + 1}", expiry_date=None)
        else:
            expiry = today + dt.timedelta(days=rng.randint(*SHELF_LIFE_DAYS[leaf.items]))
            lot = LotInput(batch=f"L{expiry:%y%m%d}-{i + 1}", expiry_date=expiry)
        lots.append((lot, quantity))
    return lots


def _receive_stock(*, rng, variants, locations, user) -> None:
    today = timezone.localdate()
    rows: list[InitialStock] = []
    for variant, leaf in variants:
        for location in locations.values():
            warehouse = location.kind == LocationKind.WAREHOUSE
            if not warehouse and rng.random() > 0.75:
                continue  # not every store carries every variant
            quantity = rng.randint(20, 120) if warehouse else rng.randint(0, 18)
            if quantity == 0:
                continue
            threshold = rng.randint(2, 5) if not warehouse and rng.random() < 0.1 else None
            if leaf.kind == "food":
                for lot, lot_quantity in _lots(rng, leaf, quantity, today):
                    rows.append(InitialStock(variant.pk, location.pk, lot_quantity, lot, threshold))
            else:
                rows.append(InitialStock(variant.pk, location.pk, quantity, None, threshold))
    bulk_receive_initial_stock(rows=rows, reference="SEED-DEMO", user=user)


# --- users ----------------------------------------------------------------------------------------------


@functools.cache
def _demo_password_hash() -> str:
    """One hash for every demo account: hashing is slow on purpose, the demo shares one password."""
    return make_password(DEMO_PASSWORD)


def _ensure_user(email, role, store_code, first_name, last_name, locations) -> User:
    user = User.objects.filter(email=email).first() or User(email=email)
    user.first_name, user.last_name = first_name, last_name
    user.store = locations[store_code] if store_code else None
    user.is_superuser = user.is_staff = role is None  # the one superuser: admin@
    user.is_active = True
    if not user.password or not user.check_password(DEMO_PASSWORD):
        user.password = _demo_password_hash()
    user.save()
    if role is not None:
        assign_role(user, role)
    return user


def _login(email, role, store_code, first_name, last_name, locations) -> DemoLogin:
    user = _ensure_user(email, role, store_code, first_name, last_name, locations)
    if role == Role.SHOPPER:
        CustomerProfile.objects.get_or_create(
            user=user,
            defaults={"group": CustomerGroup.objects.get(code="retail"), "loyalty_card_number": "DEMO-0001"},
        )
    token, _ = Token.objects.get_or_create(user=user)
    return DemoLogin(
        email=email,
        password=DEMO_PASSWORD,
        role=str(role or "superuser"),
        store=store_code or "",
        token=token.key,
    )
