"""Template helpers of the storefront: money in the shopper's currency (every price on the shop's
pages goes through ``money``), opening hours in the page's language, star ratings."""

from decimal import Decimal

from django import template
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import get_language, pgettext

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


DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # inventory.Location.opening_hours


@register.filter
def opening_hours(hours) -> list[tuple[str, str]]:
    """A store's ``{"mon": "10:00-19:00", "sun": "closed"}`` as ``[("Lundi", "10:00–19:00"), ...,
    ("Dimanche", "Fermé")]`` in the page's language (Django's own weekday names), Monday first; days
    without an entry are left out."""
    rows = []
    for index, key in enumerate(DAY_KEYS):
        value = str((hours or {}).get(key) or "").strip()
        if value:
            closed = value.lower() == "closed"
            text = pgettext("a day of opening hours", "Closed") if closed else value.replace("-", "–")
            rows.append((capfirst(str(WEEKDAYS[index])), text))
    return rows


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
