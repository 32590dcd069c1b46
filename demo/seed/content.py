"""Demo blog and pages for ``manage.py seed_demo``: two footer pages (delivery and returns, legal
notice) and three articles about Corsican products linking demo products, in French, English and
Italian. Fast (a handful of rows, three small generated cover images); a second run adds nothing."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from catalog.models import Product
from content import services
from content.models import Article, ArticleStatus, Page

PAGES: list[dict[str, Any]] = [
    {
        "slug": "livraison-et-retours",
        "position": 10,
        "title": ("Livraison et retours", "Delivery and returns", "Consegna e resi"),
        "body": (
            "## Livraison\n\nNous livrons en France continentale et en Corse en 2 à 4 jours ouvrés "
            "(Colissimo, DPD), ou gratuitement en **retrait en boutique** à Ajaccio, Bastia, "
            "Porto-Vecchio et Calvi.\n\n## Retours\n\nVous avez **30 jours** pour nous retourner un "
            "article : depuis votre compte (*Mes commandes → Retourner*) ou dans l'une de nos boutiques. "
            "Les produits alimentaires ouverts ne sont ni repris ni échangés.",
            "## Delivery\n\nWe deliver to mainland France and Corsica in 2 to 4 working days "
            "(Colissimo, DPD), or free of charge as **click & collect** in Ajaccio, Bastia, "
            "Porto-Vecchio and Calvi.\n\n## Returns\n\nYou have **30 days** to send an item back: "
            "from your account (*My orders → Return*) or in any of our boutiques. Opened food cannot "
            "be returned or exchanged.",
            "## Consegna\n\nConsegniamo in Francia continentale e in Corsica in 2-4 giorni lavorativi "
            "(Colissimo, DPD), oppure gratis con il **ritiro in negozio** ad Ajaccio, Bastia, "
            "Porto-Vecchio e Calvi.\n\n## Resi\n\nHai **30 giorni** per restituire un articolo: dal tuo "
            "account (*I miei ordini → Restituisci*) o in uno dei nostri negozi. Gli alimenti aperti "
            "non si restituiscono né si cambiano.",
        ),
    },
    {
        "slug": "mentions-legales",
        "position": 20,
        "title": ("Mentions légales", "Legal notice", "Note legali"),
        "body": (
            "**Maison Corsica SAS**, siège social : 1 cours Napoléon, 20000 Ajaccio. "
            "RCS Ajaccio, capital de 50 000 €.\n\nDirecteur de la publication : la gérance. "
            "Hébergement : un hébergeur de l'Union européenne.\n\nContact : contact@demo.example",
            "**Maison Corsica SAS**, registered office: 1 cours Napoléon, 20000 Ajaccio, France. "
            "Registered in Ajaccio, share capital €50,000.\n\nPublisher: the management. "
            "Hosting: a provider in the European Union.\n\nContact: contact@demo.example",
            "**Maison Corsica SAS**, sede legale: 1 cours Napoléon, 20000 Ajaccio, Francia. "
            "Iscritta ad Ajaccio, capitale sociale 50.000 €.\n\nDirettore della pubblicazione: la "
            "gerenza. Hosting: un fornitore dell'Unione europea.\n\nContatto: contact@demo.example",
        ),
    },
]

ARTICLES: list[dict[str, Any]] = [
    {
        "slug": "le-miel-de-corse-aoc",
        "days_ago": 3,
        "author": "Laetitia Santoni",
        "categories": ["honey-jams"],
        "colors": ((214, 150, 40), (122, 50, 16)),
        "title": (
            "Le miel de Corse, six saisons en un pot",
            "Corsican honey: six seasons in a jar",
            "Il miele di Corsica, sei stagioni in un vasetto",
        ),
        "summary": (
            "Printemps, maquis d'été, châtaigneraie, miellat, maquis d'automne : "
            "comment choisir le miel qui vous ressemble.",
            "Spring, summer maquis, chestnut grove, honeydew, autumn maquis: "
            "how to choose the honey that suits you.",
            "Primavera, macchia estiva, castagneto, melata, macchia autunnale: "
            "come scegliere il miele che fa per te.",
        ),
        "body": (
            "Le miel de Corse porte une **appellation d'origine protégée** et six dénominations, "
            "une par saison de floraison.\n\n## Lequel choisir ?\n\n- **Printemps** : clair et doux, "
            "pour le petit-déjeuner.\n- **Châtaigneraie** : ambré, légèrement amer, parfait avec un "
            "fromage de brebis.\n- **Maquis d'automne** : rare, puissant, issu de l'arbousier.\n\n"
            "> Un bon miel se conserve au sec, à l'abri de la lumière, et cristallise naturellement.\n\n"
            "Retrouvez notre sélection ci-dessous, en boutique ou livrée chez vous.",
            "Corsican honey carries a **protected designation of origin** and six names, one per "
            "flowering season.\n\n## Which one?\n\n- **Spring**: light and mild, for breakfast.\n"
            "- **Chestnut grove**: amber, slightly bitter, perfect with ewe's cheese.\n"
            "- **Autumn maquis**: rare and strong, from the strawberry tree.\n\n"
            "> Keep honey dry and out of the light; it crystallises naturally.\n\n"
            "Our selection is below, in the boutiques or delivered to your door.",
            "Il miele di Corsica ha una **denominazione di origine protetta** e sei nomi, uno per "
            "stagione di fioritura.\n\n## Quale scegliere?\n\n- **Primavera**: chiaro e delicato, per "
            "la colazione.\n- **Castagneto**: ambrato, leggermente amaro, perfetto con il pecorino.\n"
            "- **Macchia d'autunno**: raro e intenso, dal corbezzolo.\n\n"
            "> Il miele si conserva all'asciutto e al buio; cristallizza in modo naturale.\n\n"
            "La nostra selezione è qui sotto, in negozio o consegnata a casa.",
        ),
    },
    {
        "slug": "planche-de-charcuterie-corse",
        "days_ago": 12,
        "author": "Ghjuvanni Pieri",
        "categories": ["charcuterie", "cheese"],
        "colors": ((150, 40, 30), (60, 20, 15)),
        "title": (
            "Composer une planche corse : lonzu, coppa, brocciu",
            "Building a Corsican board: lonzu, coppa, brocciu",
            "Comporre un tagliere corso: lonzu, coppa, brocciu",
        ),
        "summary": (
            "Nos conseils pour une planche d'apéritif qui sent le maquis, de la charcuterie au fromage.",
            "Our tips for an aperitif board that smells of the maquis, from charcuterie to cheese.",
            "I nostri consigli per un tagliere da aperitivo che profuma di macchia, dai salumi al formaggio.",
        ),
        "body": (
            "## La charcuterie\n\nComptez **80 g par personne**. Alternez le *lonzu* (filet), la "
            "*coppa* (échine) et le *figatellu* en saison.\n\n## Le fromage\n\nUn brocciu frais, une "
            "tomme de brebis affinée, un peu de confiture de figue.\n\n1. Sortez la charcuterie "
            "20 minutes avant.\n2. Tranchez finement.\n3. Servez avec un vin de Patrimonio.",
            "## Charcuterie\n\nAllow **80 g per person**. Alternate *lonzu* (loin), *coppa* (neck) "
            "and *figatellu* in season.\n\n## Cheese\n\nA fresh brocciu, an aged ewe's tomme, a little "
            "fig jam.\n\n1. Take the charcuterie out 20 minutes before.\n2. Slice it thinly.\n"
            "3. Serve with a Patrimonio wine.",
            "## I salumi\n\nCalcola **80 g a persona**. Alterna il *lonzu* (lombo), la *coppa* e il "
            "*figatellu* in stagione.\n\n## Il formaggio\n\nUn brocciu fresco, una toma di pecora "
            "stagionata, un po' di marmellata di fichi.\n\n1. Togli i salumi dal frigo 20 minuti "
            "prima.\n2. Affettali sottili.\n3. Servi con un vino di Patrimonio.",
        ),
    },
    {
        "slug": "huile-olive-et-vins-de-corse",
        "days_ago": 25,
        "author": "Maria Casanova",
        "categories": ["olive-oil", "wine"],
        "colors": ((110, 120, 40), (40, 60, 20)),
        "title": (
            "Huile d'olive et vins de Corse : le goût des terrasses",
            "Corsican olive oil and wines: the taste of the terraces",
            "Olio d'oliva e vini di Corsica: il gusto dei terrazzamenti",
        ),
        "summary": (
            "Des oliviers centenaires de Balagne aux cépages niellucciu et vermentinu.",
            "From the century-old olive trees of Balagne to the niellucciu and vermentinu grapes.",
            "Dagli ulivi secolari della Balagna ai vitigni niellucciu e vermentinu.",
        ),
        "body": (
            "L'huile d'olive de Corse (AOP) est douce, aux notes d'amande et de foin.\n\n"
            "## Côté vins\n\nLe **niellucciu** donne des rouges charpentés, le **vermentinu** des blancs "
            "frais et floraux. À boire avec modération.",
            "Corsican olive oil (PDO) is mild, with notes of almond and hay.\n\n## Wines\n\n"
            "**Niellucciu** makes structured reds, **vermentinu** fresh, floral whites. Drink responsibly.",
            "L'olio d'oliva di Corsica (DOP) è dolce, con note di mandorla e fieno.\n\n## I vini\n\n"
            "Il **niellucciu** dà rossi strutturati, il **vermentinu** bianchi freschi e floreali. "
            "Bevi responsabilmente.",
        ),
    },
]


def _cover(colors: tuple[tuple[int, int, int], tuple[int, int, int]]) -> ContentFile[bytes]:
    """A 1200x675 diagonal gradient with hills: a cover without shipping image files in the repo."""
    from PIL import Image, ImageDraw

    width, height = 1200, 675
    (r1, g1, b1), (r2, g2, b2) = colors
    small = Image.new("RGB", (48, 27))
    for x in range(48):
        for y in range(27):
            t = (x / 47 + y / 26) / 2
            small.putpixel(
                (x, y), (round(r1 + (r2 - r1) * t), round(g1 + (g2 - g1) * t), round(b1 + (b2 - b1) * t))
            )
    image = small.resize((width, height), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(image)
    draw.ellipse((-200, 420, 700, 1100), fill=(r2 // 2, g2 // 2, b2 // 2))
    draw.ellipse((450, 470, 1500, 1200), fill=(r2 // 3, g2 // 3, b2 // 3))
    draw.ellipse((880, 90, 1010, 220), fill=(250, 235, 200))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return ContentFile(out.getvalue())


def _translated(field: str, values: tuple[str, str, str]) -> dict[str, str]:
    return {f"{field}_{code}": value for code, value in zip(("fr", "en", "it"), values, strict=True)}


def seed() -> int:
    """Create the demo pages and articles. Returns how many were created (0 when some exist)."""
    if Article.objects.exists() or Page.objects.exists():
        return 0
    created = 0
    for spec in PAGES:
        page = Page(slug=spec["slug"], position=spec["position"], in_footer=True)
        for field in ("title", "body"):
            for name, value in _translated(field, spec[field]).items():
                setattr(page, name, value)
        services.save_page(page=page)
        created += 1
    now = timezone.now()
    for spec in ARTICLES:
        article = Article(
            slug=spec["slug"],
            author_name=spec["author"],
            status=ArticleStatus.PUBLISHED,
            published_at=now - timedelta(days=spec["days_ago"]),
        )
        for field in ("title", "summary", "body"):
            for name, value in _translated(field, spec[field]).items():
                setattr(article, name, value)
        for code, value in zip(("fr", "en", "it"), spec["title"], strict=True):
            setattr(article, f"cover_alt_{code}", value)
        article.cover_image.save(f"{spec['slug']}.jpg", _cover(spec["colors"]), save=False)
        services.save_article(article=article)
        products = (
            Product.objects.filter(is_published=True, category__slug__in=spec["categories"])
            .order_by("pk")
            .values_list("pk", flat=True)[:4]
        )
        article.linked_products.set(list(products))
        created += 1
    return created
