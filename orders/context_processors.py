"""What every storefront page's header needs from the cart: its size and the shopper's currency."""


def cart(request):
    return {}
