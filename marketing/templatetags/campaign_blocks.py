"""``{% products "for_you" %}`` / ``{% products "chosen" %}`` in a campaign body: product cards.

An unknown block name is a syntax error when the body is compiled (the admin form says so)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Parser, Token
from django.template.loader import render_to_string

register = template.Library()

BLOCKS = ("for_you", "chosen")


class ProductsNode(template.Node):
    def __init__(self, block: str) -> None:
        self.block = block

    def render(self, context: template.Context) -> str:
        cards: list[dict[str, Any]] = context.get(self.block) or []
        if not cards:
            return ""
        return render_to_string("marketing/email/product_cards.html", {"cards": cards})


@register.tag(name="products")
def products(parser: Parser, token: Token) -> ProductsNode:
    bits = token.split_contents()
    block = bits[1].strip("\"'") if len(bits) == 2 else ""
    if block not in BLOCKS:
        raise template.TemplateSyntaxError('use {% products "for_you" %} or {% products "chosen" %}')
    return ProductsNode(block)
