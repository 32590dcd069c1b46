"""``{% design_token "brand" %}``: a design token's value (core.look) where CSS cannot reach, such as
``<meta name="theme-color">``."""

from django import template

from core.look import design_token as _design_token

register = template.Library()


@register.simple_tag
def design_token(name: str) -> str:
    return _design_token(name)
