"""What every storefront page's header needs: the top categories for the menu."""

from django.utils.functional import SimpleLazyObject


def shop(request):
    """``shop_categories``: top-level categories. Lazy (pages without the menu pay nothing); from the
    cached category tree, so at most one query per request and none when the cache is warm."""

    def load():
        from .selectors import top_categories

        return top_categories()

    return {"shop_categories": SimpleLazyObject(load)}
