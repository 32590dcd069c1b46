"""``footer_pages``: the links of the shop's footer (pages flagged for it). Lazy, from the cache."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import footer_pages


def footer(request: HttpRequest) -> dict[str, object]:
    return {"footer_pages": SimpleLazyObject(lambda: footer_pages())}
