"""Money: THE rounding place and THE allocator.

Amounts are ``Decimal`` with a currency next to them (a ``currency`` field beside each amount on
the models). Rounding happens once, at the place a figure becomes a document figure (a line total,
an order total, a tender), with ``money_round``: half-up to the cent. Everything before that keeps
full precision.

When one amount must be shared between parts (an order discount over lines, a refund over tenders,
shipping over parcels) use ``allocate``: the shares are whole cents and add up exactly to the
amount, so lines always sum to the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language

# The currencies the platform can price in (pricing's rates, a shop's currencies). EUR is the base.
SUPPORTED_CURRENCIES = [
    ("EUR", "Euro"),
    ("GBP", "Pound sterling"),
    ("USD", "US dollar"),
    ("CHF", "Swiss franc"),
]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF"}


def money_round(amount: Decimal) -> Decimal:
    """Half-up to the cent. The only rounding of money in the platform."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def allocate(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``amount`` (rounded to the cent first) split in proportion to ``weights``, in whole cents.

    The cents lost to flooring go one each to the parts with the largest remainders (ties: the
    larger weight first, then the earlier part), so the shares add up exactly to the amount and,
    when the amount does not exceed the sum of the weights, no share exceeds its weight. A zero
    amount or zero weights give zero shares. Negative amounts are refused: allocate the absolute
    value and negate.
    """
    if amount < 0:
        raise ValueError("allocate() takes an amount >= 0")
    if any(weight < 0 for weight in weights):
        raise ValueError("allocate() takes weights >= 0")
    total = sum(weights, Decimal("0"))
    if not amount or not total:
        return [ZERO for _ in weights]
    cents = int(money_round(amount) * 100)
    exact = [Decimal(cents) * weight / total for weight in weights]
    shares = [int(x) for x in exact]  # floors: every share is >= 0
    by_remainder = sorted(range(len(exact)), key=lambda i: (exact[i] - shares[i], weights[i]), reverse=True)
    for i in by_remainder[: cents - sum(shares)]:
        shares[i] += 1
    return [Decimal(share) / 100 for share in shares]


def format_money(
    amount: Decimal | str | int | None, currency: str = "EUR", language: str | None = None
) -> str:
    """THE way an amount is shown to a person, in the page's (or ``language``'s) conventions:
    ``80,90 €`` in French and Italian, ``€80.90`` in English; thousands grouped (a narrow no-break
    space in French and Italian), the symbol held to the figure by a no-break space. The amount is
    shown to the cent as given (it was rounded with ``money_round`` where it became a figure). Every
    page, e-mail and receipt goes through it: the ``money`` template filter (``{% load money %}``,
    and the storefront's own tags) calls it."""
    if amount is None or amount == "":
        return ""
    value = Decimal(amount)
    symbol = SYMBOLS.get(currency, currency)
    lang = (language or get_language() or "fr")[:2]
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):,.2f}".split(".")
    if lang == "en":
        text = f"{whole}.{cents}"
        return f"{sign}{symbol}{text}" if len(symbol) == 1 else f"{sign}{symbol}\u00a0{text}"
    whole = whole.replace(",", "\u202f")
    return f"{sign}{whole},{cents}\u00a0{symbol}"
