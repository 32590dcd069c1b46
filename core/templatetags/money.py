"""``{% load money %}`` then ``{{ amount|money:currency }}``: amounts in the page's language through
``core.money.format_money``, for templates of any app (e-mails, receipts, staff screens)."""

from decimal import Decimal

from django import template

from core.money import format_money

register = template.Library()


@register.filter(name="money")
def money(amount: Decimal | str | None, currency: str = "EUR") -> str:
    return format_money(amount, currency or "EUR")
