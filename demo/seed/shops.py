"""The demo's second shop: "Maison Corse Pro", a B2B brand on ``pro.localhost`` (browsers resolve
every ``*.localhost`` name to this machine), with its own brand colour, the local food and gifts
only, in French and English. The default shop ("main") is the data migration's. Re-runnable."""

from __future__ import annotations

from catalog.models import Category
from shops import services
from shops.models import Shop

PRO_HOST = "pro.localhost"
PRO_CATEGORIES = ("local-food", "gifts")


def seed() -> Shop:
    existing = Shop.objects.filter(code="pro").first()
    if existing is not None:
        return existing
    return services.create_shop(
        code="pro",
        name="Maison Corse Pro",
        hosts=[PRO_HOST],
        category_ids=list(Category.objects.filter(slug__in=PRO_CATEGORIES).values_list("pk", flat=True)),
        mode="b2b",
        languages=["fr", "en"],
        default_language="fr",
        currencies=["EUR"],
        tokens={"brand": "#1d3557", "brand-dark": "#14243b", "brand-soft": "#e3ebf5", "accent": "#e76f51"},
        legal_mentions_fr="Maison Corse Pro — vente aux professionnels. SAS au capital de 50 000 €, "
        "RCS Ajaccio 832 047 153. Prix HT.",
        legal_mentions_en="Maison Corse Pro — trade sales only. SAS with a capital of €50,000, "
        "RCS Ajaccio 832 047 153. Prices excl. VAT.",
        email_from="Maison Corse Pro <pro@example.com>",
        headline_fr="L'épicerie corse des hôtels et restaurants",
        headline_en="Corsican fine food for hotels and restaurants",
        intro_fr="Charcuterie, fromages, confitures et cadeaux d'affaires de nos producteurs, aux prix HT "
        "de votre compte, par colis ou palette, paiement à 30 jours fin de mois.",
        intro_en="Charcuterie, cheese, jams and corporate gifts from our producers, at your account's "
        "prices excl. VAT, by parcel or pallet, payment at 30 days end of month.",
    )
