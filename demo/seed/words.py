"""Word lists the demo catalog is generated from. Every entry is (fr, en, it); French and Italian
nouns carry their gender and number, adjectives their four forms, so that names agree."""

from __future__ import annotations

from dataclasses import dataclass

PLACES = [
    "Scandola",
    "Lavezzi",
    "Restonica",
    "Bavella",
    "Cap Corse",
    "Balagne",
    "Niolo",
    "Castagniccia",
    "Girolata",
    "Palombaggia",
    "Santa Giulia",
    "Tavignano",
    "Monte Cinto",
    "Agriates",
    "Calanche",
    "Saleccia",
    "Rondinara",
    "Zonza",
    "Corte",
    "Ostriconi",
    "Fango",
    "Golo",
    "Asco",
    "Vizzavona",
    "Sartène",
    "Bonifacio",
    "Nonza",
    "Erbalunga",
    "Pigna",
    "Lumio",
    "Cargèse",
    "Piana",
    "Solenzara",
    "Filitosa",
    "Capo Rosso",
    "Revellata",
    "Sanguinaires",
    "Roccapina",
    "Valinco",
    "Porto",
]

# --- grammar -----------------------------------------------------------------------------------------
# A French or Italian adjective agrees with its noun in gender (m/f) and number (singular/plural); the
# generator knows each noun's gender and number, and each adjective's four forms.


@dataclass(frozen=True)
class Noun:
    """A noun in one language: the word, its gender ("m" or "f") and whether it is plural."""

    word: str
    gender: str = "m"
    plural: bool = False


@dataclass(frozen=True)
class Forms:
    """An adjective's four forms: masculine/feminine, singular/plural (an invariable phrase repeats)."""

    ms: str
    fs: str
    mp: str
    fp: str

    def agree(self, noun: Noun) -> str:
        if noun.gender == "f":
            return self.fp if noun.plural else self.fs
        return self.mp if noun.plural else self.ms


def fr(ms: str, fs: str | None = None, mp: str | None = None, fp: str | None = None) -> Forms:
    """French forms; the regular ones are derived: brodé, brodée, brodés, brodées."""
    fs = fs or (ms if ms.endswith("e") else ms + "e")
    mp = mp or (ms if ms.endswith(("s", "x")) else ms + "s")
    return Forms(ms, fs, mp, fp or (fs if fs.endswith("s") else fs + "s"))


def it(ms: str, fs: str | None = None, mp: str | None = None, fp: str | None = None) -> Forms:
    """Italian forms; the regular ones are derived: ricamato, ricamata, ricamati, ricamate and
    leggero (-o), aderente (-e: aderenti in the plural of both genders)."""
    if ms.endswith("o"):
        stem = ms[:-1]
        regular = (stem + "a", stem + "i", stem + "e")
    elif ms.endswith("e"):
        stem = ms[:-1]
        regular = (ms, stem + "i", stem + "i")
    else:
        regular = (ms, ms, ms)
    return Forms(ms, fs or regular[0], mp or regular[1], fp or regular[2])


def same(phrase: str) -> Forms:
    """An invariable phrase: "en lin", "a righe", "oversize"."""
    return Forms(phrase, phrase, phrase, phrase)


@dataclass(frozen=True)
class Style:
    """What a garment or a pair of shoes is like, in the three languages (English does not agree).
    ``price`` places the style in its category's price band, 0 (cheapest) to 1."""

    fr: Forms
    en: str
    it: Forms
    price: float


GARMENT_STYLES = [
    Style(same("en lin"), "linen", same("in lino"), 0.75),
    Style(same("en coton bio"), "organic cotton", same("in cotone bio"), 0.55),
    Style(fr("brodé"), "embroidered", it("ricamato"), 0.8),
    Style(fr("rayé"), "striped", same("a righe"), 0.35),
    Style(fr("imprimé"), "printed", it("stampato"), 0.3),
    Style(same("col V"), "V-neck", same("scollo a V"), 0.25),
    Style(same("oversize"), "oversized", same("oversize"), 0.45),
    Style(fr("ajusté"), "slim-fit", it("aderente"), 0.4),
    Style(fr("délavé"), "washed", it("slavato"), 0.35),
    Style(same("en maille"), "knitted", same("in maglia"), 0.6),
    Style(fr("léger", "légère"), "lightweight", it("leggero"), 0.15),
    Style(same("à capuche"), "hooded", same("con cappuccio"), 0.5),
    Style(same("vintage"), "vintage", same("vintage"), 0.65),
    Style(fr("classique"), "classic", it("classico"), 0.2),
]

SHOE_STYLES = [
    Style(same("en cuir"), "leather", same("in pelle"), 0.85),
    Style(same("en toile"), "canvas", same("in tela"), 0.1),
    Style(same("en daim"), "suede", same("in camoscio"), 0.75),
    Style(fr("tressé"), "woven", it("intrecciato"), 0.45),
    Style(same("de randonnée"), "hiking", same("da trekking"), 0.65),
    Style(same("à lacets"), "lace-up", same("con lacci"), 0.3),
    Style(fr("léger", "légère"), "lightweight", it("leggero"), 0.2),
    Style(fr("matelassé"), "padded", it("imbottito"), 0.55),
]

COLORS = [  # (code, fr, en, it)
    ("black", "Noir", "Black", "Nero"),
    ("white", "Blanc", "White", "Bianco"),
    ("navy", "Marine", "Navy", "Blu navy"),
    ("red", "Rouge", "Red", "Rosso"),
    ("olive", "Olive", "Olive", "Oliva"),
    ("sand", "Sable", "Sand", "Sabbia"),
    ("sky", "Bleu ciel", "Sky blue", "Azzurro"),
    ("terracotta", "Terracotta", "Terracotta", "Terracotta"),
    ("grey", "Gris", "Grey", "Grigio"),
    ("coral", "Corail", "Coral", "Corallo"),
]

ADULT_SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
KID_SIZES = ["4A", "6A", "8A", "10A", "12A", "14A"]
SHOE_SIZES = [str(n) for n in range(36, 47)]


@dataclass(frozen=True)
class Item:
    """A food or gift product kind: its French and Italian nouns (gender, number), its English name
    as written inside a name, and its place in its category's price band (0 cheapest, 1 dearest)."""

    fr: Noun
    en: str
    it: Noun
    price: float


def item(
    fr_word: str, fr_gender: str, en: str, it_word: str, it_gender: str, price: float, plural=False
) -> Item:
    return Item(Noun(fr_word, fr_gender, plural), en, Noun(it_word, it_gender, plural), price)


FOOD_ITEMS = {
    "charcuterie": [
        item("Coppa", "f", "Coppa", "Coppa", "f", 0.6),
        item("Lonzu", "m", "Lonzu", "Lonzu", "m", 0.7),
        item("Prisuttu", "m", "Prisuttu ham", "Prosciutto Prisuttu", "m", 1.0),
        item("Figatellu", "m", "Figatellu", "Figatellu", "m", 0.3),
        item("Saucisson de sanglier", "m", "wild boar sausage", "Salame di cinghiale", "m", 0.4),
        item("Terrine de sanglier", "f", "wild boar terrine", "Terrina di cinghiale", "f", 0.1),
        item("Salamu", "m", "Salamu sausage", "Salame corso", "m", 0.35),
    ],
    "cheese": [
        item("Brocciu", "m", "Brocciu", "Brocciu", "m", 0.2),
        item("Tomme de brebis", "f", "sheep's milk tomme", "Toma di pecora", "f", 0.6),
        item("Fromage de chèvre", "m", "goat's cheese", "Formaggio di capra", "m", 0.4),
        item("Niulincu", "m", "Niulincu cheese", "Niulincu", "m", 0.8),
        item("Calinzana", "m", "Calinzana cheese", "Calinzana", "m", 0.7),
        item("Venachese", "m", "Venachese cheese", "Venachese", "m", 1.0),
    ],
    "honey-jams": [
        item("Miel de maquis", "m", "maquis honey", "Miele di macchia", "m", 0.9),
        item("Miel de châtaignier", "m", "chestnut honey", "Miele di castagno", "m", 1.0),
        item("Confiture de figues", "f", "fig jam", "Marmellata di fichi", "f", 0.3),
        item("Confiture de clémentines", "f", "clementine jam", "Marmellata di clementine", "f", 0.3),
        item("Confiture de cédrat", "f", "citron jam", "Marmellata di cedro", "f", 0.5),
        item("Crème de marrons", "f", "chestnut spread", "Crema di marroni", "f", 0.2),
    ],
    "wine": [
        item("Vin rouge", "m", "red wine", "Vino rosso", "m", 0.5),
        item("Vin blanc", "m", "white wine", "Vino bianco", "m", 0.4),
        item("Vin rosé", "m", "rosé wine", "Vino rosato", "m", 0.2),
        item("Muscat", "m", "Muscat", "Moscato", "m", 0.9),
    ],
    "olive-oil": [
        item(
            "Huile d'olive vierge extra", "f", "extra virgin olive oil", "Olio extravergine d'oliva", "m", 0.4
        ),
        item(
            "Huile d'olive fruité noir", "f", "dark fruity olive oil", "Olio d'oliva fruttato nero", "m", 0.8
        ),
    ],
    "biscuits": [
        item(
            "Canistrelli au citron", "m", "lemon canistrelli", "Canistrelli al limone", "m", 0.3, plural=True
        ),
        item(
            "Canistrelli à l'anis", "m", "aniseed canistrelli", "Canistrelli all'anice", "m", 0.3, plural=True
        ),
        item(
            "Canistrelli au vin blanc",
            "m",
            "white wine canistrelli",
            "Canistrelli al vino bianco",
            "m",
            0.5,
            True,
        ),
        item(
            "Canistrelli aux amandes", "m", "almond canistrelli", "Canistrelli alle mandorle", "m", 0.6, True
        ),
        item("Cuggiulelle", "f", "Cuggiulelle biscuits", "Biscotti cuggiulelle", "m", 0.8, plural=True),
    ],
}


@dataclass(frozen=True)
class Qualifier:
    fr: Forms
    en: str
    it: Forms
    only: tuple[str, ...] = ()  # the food categories it makes sense for (empty: all)


FOOD_QUALIFIERS = [
    Qualifier(fr("fermier", "fermière"), "farmhouse", same("di fattoria")),
    Qualifier(fr("artisanal", mp="artisanaux"), "artisan", it("artigianale")),
    Qualifier(same("bio"), "organic", it("biologico", fp="biologiche", mp="biologici")),
    Qualifier(same("de montagne"), "mountain", same("di montagna")),
    Qualifier(fr("traditionnel", "traditionnelle"), "traditional", it("tradizionale")),
    Qualifier(fr("affiné"), "matured", it("stagionato"), only=("charcuterie", "cheese")),
]

FOOD_SIZES = {  # the first is the one the price band is for; a bigger size costs more, less than pro rata
    "charcuterie": ["100 g", "150 g", "250 g", "400 g"],
    "cheese": ["200 g", "300 g", "500 g"],
    "honey-jams": ["250 g", "400 g"],
    "wine": ["75 cl", "150 cl"],
    "olive-oil": ["25 cl", "50 cl", "75 cl"],
    "biscuits": ["250 g", "350 g"],
}

WINE_APPELLATIONS = ["Patrimonio", "Ajaccio", "Calvi", "Figari", "Sartène", "Porto-Vecchio", "Cap Corse"]

GIFT_ITEMS = {
    "mugs": [
        item("Mug", "m", "mug", "Tazza", "f", 0.4),
        item("Bol", "m", "bowl", "Ciotola", "f", 0.5),
        item("Gourde", "f", "water bottle", "Borraccia", "f", 0.9),
    ],
    "knives": [
        item("Couteau corse Vendetta", "m", "Vendetta Corsican knife", "Coltello corso Vendetta", "m", 0.7),
        item("Couteau pliant", "m", "folding knife", "Coltello pieghevole", "m", 0.3),
        item("Couteau de berger", "m", "shepherd's knife", "Coltello da pastore", "m", 0.5),
    ],
    "soaps": [
        item("Savon", "m", "soap", "Sapone", "m", 0.1),
        item("Bougie parfumée", "f", "scented candle", "Candela profumata", "f", 0.8),
        item("Huile de massage", "f", "massage oil", "Olio da massaggio", "m", 0.6),
    ],
    "prints": [
        item("Affiche", "f", "poster", "Poster", "m", 0.8),
        item("Carte postale", "f", "postcard", "Cartolina", "f", 0.0),
    ],
    "bags": [
        item("Tote bag", "m", "tote bag", "Borsa tote", "f", 0.3),
        item("Trousse", "f", "pouch", "Pochette", "f", 0.6),
    ],
}

GIFT_MOTIFS = [  # what is printed on it: a complement, it agrees with nothing
    ("Tête de Maure", "Moor's head", "Testa di Moro"),
    ("carte de Corse", "Corsica map", "mappa della Corsica"),
    ("mouflon", "mouflon", "muflone"),
    ("sanglier", "wild boar", "cinghiale"),
    ("immortelle", "helichrysum", "elicriso"),
    ("myrte", "myrtle", "mirto"),
    ("cédrat", "citron", "cedro"),
    ("phare", "lighthouse", "faro"),
]

KNIFE_HANDLES = [
    ("manche en corne", "horn-handled", "manico in corno"),
    ("manche en bois d'olivier", "olive-wood-handled", "manico in legno d'ulivo"),
    ("manche en bruyère", "briar-handled", "manico in erica"),
    ("manche en buis", "boxwood-handled", "manico in bosso"),
]
