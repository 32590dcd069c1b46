"""Where a storefront request keeps its cart (the session), and what happens to it at login.

Contract used by the accounts views: ``on_login(request, user)`` is called right after
``django.contrib.auth.login``; it merges the anonymous session cart into the user's cart.
"""


def on_login(request, user) -> None:
    """Scaffolding: the cart module implements the merge."""
