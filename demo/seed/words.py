"""Word lists the demo catalog is generated from. Every entry is (fr, en, it)."""

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

GARMENT_STYLES = [
    ("en lin", "linen", "in lino"),
    ("en coton bio", "organic cotton", "in cotone bio"),
    ("brodé", "embroidered", "ricamato"),
    ("rayé", "striped", "a righe"),
    ("imprimé", "printed", "stampato"),
    ("col V", "V-neck", "scollo a V"),
    ("oversize", "oversized", "oversize"),
    ("ajusté", "slim-fit", "aderente"),
    ("délavé", "washed", "slavato"),
    ("en maille", "knitted", "in maglia"),
    ("léger", "lightweight", "leggero"),
    ("à capuche", "hooded", "con cappuccio"),
    ("vintage", "vintage", "vintage"),
    ("classique", "classic", "classico"),
]

SHOE_STYLES = [
    ("en cuir", "leather", "in pelle"),
    ("en toile", "canvas", "in tela"),
    ("en daim", "suede", "in camoscio"),
    ("tressées", "woven", "intrecciate"),
    ("de randonnée", "hiking", "da trekking"),
    ("à lacets", "lace-up", "con lacci"),
    ("légères", "lightweight", "leggere"),
    ("matelassées", "padded", "imbottite"),
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

FOOD_ITEMS = {
    "charcuterie": [
        ("Coppa", "Coppa", "Coppa"),
        ("Lonzu", "Lonzu", "Lonzu"),
        ("Prisuttu", "Prisuttu ham", "Prosciutto Prisuttu"),
        ("Figatellu", "Figatellu", "Figatellu"),
        ("Saucisson de sanglier", "Wild boar sausage", "Salame di cinghiale"),
        ("Terrine de sanglier", "Wild boar terrine", "Terrina di cinghiale"),
        ("Salamu", "Salamu sausage", "Salame corso"),
    ],
    "cheese": [
        ("Brocciu", "Brocciu", "Brocciu"),
        ("Tomme de brebis", "Sheep's milk tomme", "Toma di pecora"),
        ("Fromage de chèvre", "Goat's cheese", "Formaggio di capra"),
        ("Niulincu", "Niulincu cheese", "Formaggio Niulincu"),
        ("Calinzana", "Calinzana cheese", "Formaggio Calinzana"),
        ("Venachese", "Venachese cheese", "Formaggio Venachese"),
    ],
    "honey-jams": [
        ("Miel de maquis", "Maquis honey", "Miele di macchia"),
        ("Miel de châtaignier", "Chestnut honey", "Miele di castagno"),
        ("Confiture de figues", "Fig jam", "Marmellata di fichi"),
        ("Confiture de clémentines", "Clementine jam", "Marmellata di clementine"),
        ("Confiture de cédrat", "Citron jam", "Marmellata di cedro"),
        ("Crème de marrons", "Chestnut spread", "Crema di marroni"),
    ],
    "wine": [
        ("Vin rouge", "Red wine", "Vino rosso"),
        ("Vin blanc", "White wine", "Vino bianco"),
        ("Vin rosé", "Rosé wine", "Vino rosato"),
        ("Muscat", "Muscat", "Moscato"),
    ],
    "olive-oil": [
        ("Huile d'olive vierge extra", "Extra virgin olive oil", "Olio extravergine d'oliva"),
        ("Huile d'olive fruité noir", "Dark fruity olive oil", "Olio d'oliva fruttato nero"),
    ],
    "biscuits": [
        ("Canistrelli au citron", "Lemon canistrelli", "Canistrelli al limone"),
        ("Canistrelli à l'anis", "Aniseed canistrelli", "Canistrelli all'anice"),
        ("Canistrelli au vin blanc", "White wine canistrelli", "Canistrelli al vino bianco"),
        ("Canistrelli aux amandes", "Almond canistrelli", "Canistrelli alle mandorle"),
        ("Cuggiulelle", "Cuggiulelle biscuits", "Biscotti cuggiulelle"),
    ],
}

FOOD_QUALIFIERS = [
    ("fermier", "farmhouse", "di fattoria"),
    ("artisanal", "artisan", "artigianale"),
    ("bio", "organic", "biologico"),
    ("de montagne", "mountain", "di montagna"),
    ("tradition", "traditional", "tradizionale"),
    ("sélection", "selection", "selezione"),
]

FOOD_SIZES = {
    "charcuterie": ["100 g", "150 g", "250 g", "400 g"],
    "cheese": ["200 g", "300 g", "500 g"],
    "honey-jams": ["250 g", "400 g"],
    "wine": ["75 cl", "150 cl"],
    "olive-oil": ["25 cl", "50 cl", "75 cl"],
    "biscuits": ["250 g", "350 g"],
}

WINE_APPELLATIONS = ["Patrimonio", "Ajaccio", "Calvi", "Figari", "Sartène", "Porto-Vecchio", "Cap Corse"]

GIFT_ITEMS = {
    "mugs": [("Mug", "Mug", "Tazza"), ("Bol", "Bowl", "Ciotola"), ("Gourde", "Water bottle", "Borraccia")],
    "knives": [
        ("Couteau corse Vendetta", "Vendetta Corsican knife", "Coltello corso Vendetta"),
        ("Couteau pliant", "Folding knife", "Coltello pieghevole"),
        ("Couteau de berger", "Shepherd's knife", "Coltello da pastore"),
    ],
    "soaps": [
        ("Savon", "Soap", "Sapone"),
        ("Bougie parfumée", "Scented candle", "Candela profumata"),
        ("Huile de massage", "Massage oil", "Olio da massaggio"),
    ],
    "prints": [("Affiche", "Poster", "Poster"), ("Carte postale", "Postcard", "Cartolina")],
    "bags": [("Tote bag", "Tote bag", "Borsa tote"), ("Trousse", "Pouch", "Pochette")],
}

GIFT_MOTIFS = [
    ("Tête de Maure", "Moor's head", "Testa di Moro"),
    ("carte de Corse", "map of Corsica", "mappa della Corsica"),
    ("mouflon", "mouflon", "muflone"),
    ("sanglier", "wild boar", "cinghiale"),
    ("immortelle", "helichrysum", "elicriso"),
    ("myrte", "myrtle", "mirto"),
    ("cédrat", "citron", "cedro"),
    ("manche en corne", "horn handle", "manico in corno"),
    ("bois d'olivier", "olive wood", "legno d'ulivo"),
    ("phare", "lighthouse", "faro"),
]
