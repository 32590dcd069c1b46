"""Demo carriers and rates (``seed(...)``, called by ``manage.py seed_demo``): France, the EU, the rest."""

from decimal import Decimal

from logistics.models import Carrier, ShippingRate, ShippingZone

CARRIERS = [
    ("colissimo", "Colissimo", "2-3", "https://www.laposte.fr/outils/suivre-vos-envois?code={number}"),
    ("dpd", "DPD", "1-2", "https://trace.dpd.fr/fr/trace/{number}"),
    (
        "laposte",
        "La Poste Lettre suivie",
        "3-4",
        "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
    ),
]

EU = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
]  # fmt: skip

ZONES = [
    ("France", ["FR", "MC"]),
    ("European Union", EU),
    ("United Kingdom, Switzerland and the world", ["GB", "CH", "*"]),
]

# zone -> carrier -> [(max_weight_grams, price TTC EUR)], free_above
RATES: dict[str, dict[str, tuple[list[tuple[int, str]], str | None]]] = {
    "France": {
        "colissimo": ([(500, "5.90"), (2000, "7.90"), (5000, "11.90"), (30000, "19.90")], "60.00"),
        "dpd": ([(5000, "8.90"), (30000, "14.90")], "80.00"),
        "laposte": ([(500, "3.90"), (1000, "5.50")], None),
    },
    "European Union": {
        "colissimo": ([(2000, "14.50"), (5000, "19.90"), (30000, "34.90")], "150.00"),
        "dpd": ([(5000, "16.90"), (30000, "29.90")], None),
    },
    "United Kingdom, Switzerland and the world": {
        "colissimo": ([(2000, "24.90"), (5000, "39.90"), (30000, "69.90")], None),
    },
}


def seed() -> dict[str, int]:
    """Idempotent: running it again updates the same rows."""
    carriers = {}
    for code, name, days, tracking in CARRIERS:
        carriers[code], _ = Carrier.objects.update_or_create(
            code=code, defaults={"name": name, "delivery_days": days, "tracking_url": tracking}
        )
    rates = 0
    for zone_name, countries in ZONES:
        zone, _ = ShippingZone.objects.update_or_create(name=zone_name, defaults={"countries": countries})
        for carrier_code, (bands, free_above) in RATES[zone_name].items():
            for max_weight, price in bands:
                ShippingRate.objects.update_or_create(
                    zone=zone,
                    carrier=carriers[carrier_code],
                    max_weight_grams=max_weight,
                    defaults={
                        "price": Decimal(price),
                        "free_above": Decimal(free_above) if free_above else None,
                        "is_active": True,
                    },
                )
                rates += 1
    return {"carriers": len(carriers), "zones": len(ZONES), "rates": rates}
