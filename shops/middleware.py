"""The request's shop, from its host name (``CurrentShopMiddleware``), and its languages
(``ShopLocaleMiddleware``, in place of Django's ``LocaleMiddleware``).

Order in ``MIDDLEWARE``: after ``SessionMiddleware`` (it checks whose session it is), then
``ShopLocaleMiddleware``, both before ``AuthenticationMiddleware`` and the storefront's page cache.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import DisallowedHost
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from . import context, selectors

SESSION_SHOP_KEY = "_shop"


class CurrentShopMiddleware:
    """``request.shop`` (a ``selectors.ShopInfo``): the shop claiming the host, else the default one.
    No query once the process's snapshot is warm (``shops.selectors``). Also the current shop of
    ``shops.context`` for the request, so the catalog reads keep to its assortment.

    Sessions belong to the shop they signed in on (``SESSION_SHOP_KEY``, written at sign-in by
    ``tag_session``; a session signed in without it, before shops or by a test's ``force_login``,
    belongs to the default shop). A signed-in session presented to another shop is set aside for
    this request: the request gets a new, empty, anonymous session (the first one is untouched, still
    signed in on its own shop). ``settings.SHOPS_SHARED_ACCOUNTS = True`` lets shops share accounts
    (one sign-in for all).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            host = request.get_host()
        except DisallowedHost:  # CommonMiddleware answers 400; until then, the default shop
            host = ""
        shop = selectors.shop_for_host(host)
        request.shop = shop  # type: ignore[attr-defined]  # read by views as getattr(request, "shop")
        session = getattr(request, "session", None)
        set_aside = None
        signed_in = session is not None and SESSION_KEY in session
        if signed_in and not settings.SHOPS_SHARED_ACCOUNTS and session_shop(session) != shop.key:
            set_aside = session
            request.session = self.session_store()
        token = context.activate(shop)
        try:
            response = self.get_response(request)
        finally:
            context.deactivate(token)
        if set_aside is not None and request.session.is_empty():
            # Nothing was kept for this shop: put the other shop's session back, untouched, so that
            # SessionMiddleware neither saves it nor deletes its cookie (a cookie shared by hosts).
            request.session = set_aside
        return response


class ShopLocaleMiddleware(LocaleMiddleware):
    """Django's language choice, kept to the shop's languages: a URL in a language the shop does not
    offer is a 404; without a language in the URL, a language the shop does not offer gives way to
    the shop's default one (so ``/`` redirects to a page that exists)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        shop = getattr(request, "shop", None)
        if shop is None:
            return
        from_path = translation.get_language_from_path(request.path_info)
        if from_path:
            if not shop.offers_language(from_path):
                raise Http404(_("This shop is not available in this language."))
            return
        if not shop.offers_language(translation.get_language() or ""):
            translation.activate(shop.default_language)
            request.LANGUAGE_CODE = translation.get_language()


def session_shop(session: Any) -> str:
    """The key of the shop a signed-in session belongs to."""
    return str(session.get(SESSION_SHOP_KEY) or selectors.default_shop().key)


def tag_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver (``ShopsConfig.ready``): the session belongs to the request's shop.
    Part of the sign-in itself (the session is being written anyway), not a domain flow."""
    shop = getattr(request, "shop", None)
    session = getattr(request, "session", None)
    if shop is not None and session is not None:
        session[SESSION_SHOP_KEY] = shop.key
