"""Template helpers of the storefront: money in the shopper's currency (every price on the shop's
pages goes through ``money``), opening hours in the page's language, star ratings."""

from decimal import Decimal

from django import template
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import pgettext

from catalog.images import Picture, choose_photo, picture
from core.money import format_money

register = template.Library()


@register.filter
def money(amount, currency: str = "EUR") -> str:
    """``29,00 €`` in French and Italian, ``€29.00`` in English (``core.money.format_money``)."""
    return format_money(amount, currency or "EUR")


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


@register.filter
def photo_of(item) -> Picture | None:
    """The ``<picture>`` data (``catalog.images.picture``) of a product or a variant, for
    ``storefront/_picture.html``: for a variant whose option values are loaded, the photo of its
    colour first. Reads only what was prefetched (``images``, ``option_values``): no query. Alt text:
    the photo's, in the page's language, else the product's name. None: no photo (show the tile)."""
    if item is None:
        return None
    product = getattr(item, "product", item)
    colour_ids: list[int] = []
    if product is not item and "option_values" in getattr(item, "_prefetched_objects_cache", {}):
        colour_ids = [value.pk for value in item.option_values.all()]
    photo = choose_photo(product.images.all(), colour_ids)
    if photo is None:
        return None
    return picture(photo, alt=photo.alt or product.name)
