"""What every storefront page's header and footer need: the menu's categories, the cart, the currency."""

from django.utils.functional import SimpleLazyObject

from . import cart_session


def shop(request):
    """``shop_categories``: top-level categories. Lazy (pages without the menu pay nothing); from the
    cached category tree, so at most one query per request and none when the cache is warm."""

    def load():
        from .selectors import top_categories

        return top_categories()

    return {"shop_categories": SimpleLazyObject(load)}


def cart(request):
    """``cart_count`` and ``currencies`` are callables: the template calls them (one query each) only
    on pages that show them."""

    def cart_count() -> int:
        return cart_session.item_count(request)

    return {
        "cart_count": cart_count,
        "currency": cart_session.get_currency(request),
        "currencies": _currencies,
    }


def _currencies() -> list[str]:
    from .selectors import shop_currencies

    return shop_currencies()
