"""What every storefront page's header needs: the top categories for the menu."""


def shop(request):
    return {}
