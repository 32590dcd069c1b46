"""The demo's second shop: "Maison Corse Pro", a B2B brand on ``pro.localhost`` (browsers resolve
every ``*.localhost`` name to this machine), with its own brand colour, the local food and gifts
only, in French and English, with its own trade price list (-10 %, -15 % from 12 units, on the food
and gifts: it ranks after a company's and a group's lists) and its own checkout methods (home
delivery and click & collect, no reservation to try in store; the test provider, card and payment on
terms, no PayPal). The default shop ("main") is the data migration's. Re-runnable."""

from __future__ import annotations

from decimal import Decimal

from catalog.models import Category, Variant
from orders.services import shop_options
from pricing.models import PriceList, PriceListEntry
from shops import services
from shops.models import Shop

PRO_HOST = "pro.localhost"
PRO_CATEGORIES = ("local-food", "gifts")
PRO_PRICE_LIST = "pro-trade"
PRO_DISCOUNT, PRO_BULK_DISCOUNT, PRO_BULK_QUANTITY = Decimal("0.90"), Decimal("0.85"), 12
PRO_DELIVERY = ["home", "click_collect"]
PRO_PAYMENT = ["test", "stripe", "terms"]


def seed() -> Shop:
    shop = Shop.objects.filter(code="pro").first() or _create()
    _price_list(shop)
    shop_options.set_shop_methods(shop_id=shop.pk, delivery_methods=PRO_DELIVERY, payment_methods=PRO_PAYMENT)
    return shop


def _price_list(shop: Shop) -> int:
    """The shop's trade prices on its food and gifts (their subcategories too), written once."""
    price_list, created = PriceList.objects.get_or_create(
        code=PRO_PRICE_LIST, defaults={"name": "Maison Corse Pro — tarif pro", "shop": shop, "priority": 0}
    )
    if not created:
        return 0
    roots = list(Category.objects.filter(slug__in=PRO_CATEGORIES).values_list("pk", flat=True))
    ids, frontier = set(roots), list(roots)
    while frontier:
        frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.update(frontier)
    variants = Variant.objects.select_related("product").filter(is_active=True, product__category_id__in=ids)
    rows = []
    for v in variants:
        rows.append(PriceListEntry(price_list=price_list, variant=v, price_ht=_net(v.price_ht, PRO_DISCOUNT)))
        rows.append(
            PriceListEntry(
                price_list=price_list,
                variant=v,
                price_ht=_net(v.price_ht, PRO_BULK_DISCOUNT),
                min_quantity=PRO_BULK_QUANTITY,
            )
        )
    PriceListEntry.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _net(price: Decimal, factor: Decimal) -> Decimal:
    return (price * factor).quantize(Decimal("0.0001"))


def _create() -> Shop:
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
