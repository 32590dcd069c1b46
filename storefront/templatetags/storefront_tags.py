"""Template helpers of the storefront: money in the shopper's currency, star ratings."""

from decimal import Decimal

from django import template
from django.utils.translation import get_language

register = template.Library()

SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF"}


@register.filter
def money(amount, currency: str = "EUR") -> str:
    """``29,00 €`` in French and Italian, ``€29.00`` in English. The amount is already rounded."""
    if amount is None or amount == "":
        return ""
    value = Decimal(amount)
    symbol = SYMBOLS.get(currency, currency)
    lang = (get_language() or "fr")[:2]
    whole, cents = f"{value:,.2f}".split(".")
    if lang == "en":
        text = f"{whole}.{cents}"
        return f"{symbol}{text}" if symbol != "CHF" else f"CHF {text}"
    whole = whole.replace(",", "\u202f")
    return f"{whole},{cents}\u00a0{symbol}"


@register.filter
def stars(rating) -> str:
    """``★★★★☆`` for 4.2 (rounded to the nearest whole star)."""
    if rating is None:
        return ""
    full = int(Decimal(rating).to_integral_value())
    return "★" * full + "☆" * (5 - full)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
