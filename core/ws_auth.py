"""Who is on the other end of a websocket: a DRF token (``?token=``) first, else the session cookie.

Browsers (the staff stock grid, the storefront) are logged in and send the session cookie; POS
tablets and outside systems hold a DRF token and pass it in the query string, because the browser
WebSocket API cannot set an ``Authorization`` header.

``TokenOrSessionAuthMiddleware(inner)`` behaves like Channels' ``AuthMiddlewareStack`` (cookies,
session, lazy ``scope["user"]``) with one addition: when the query string carries ``token``, that
token alone decides. A token that is unknown or belongs to an inactive user gives an anonymous
user: explicit credentials that fail are never silently replaced by a cookie.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import parse_qs

from channels.auth import AuthMiddleware, get_user
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

if TYPE_CHECKING:
    from asgiref.typing import ASGIReceiveCallable, ASGISendCallable
    from channels.auth import UserLazyObject
    from channels.consumer import _ChannelScope


class ASGIApp(Protocol):
    """An ASGI 3 application or middleware, as Channels' routers and middlewares are."""

    async def __call__(
        self, scope: _ChannelScope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> Any: ...


def query_params(scope: Mapping[str, Any]) -> dict[str, list[str]]:
    """The websocket's query string, decoded (``{"token": ["abc"], "locations": ["AJA,BAS"]}``)."""
    raw = scope.get("query_string", b"")
    if isinstance(raw, bytes):
        raw = raw.decode("latin-1")
    return parse_qs(raw, keep_blank_values=False)


@database_sync_to_async  # runs in the DB thread and closes stale connections before and after
def user_for_token(key: str, client_ip: str = "") -> AbstractBaseUser | AnonymousUser:
    """The token's active user, else anonymous. Wrong tokens count per client address as on the API
    (``core.auth.ThrottledTokenAuthentication``): over the limit every token gives anonymous."""
    from rest_framework.authtoken.models import Token

    from core import ratelimit
    from core.auth import TOKEN_FAILURES_SCOPE
    from core.errors import Throttled

    rate = ratelimit.rate_for(TOKEN_FAILURES_SCOPE)
    if client_ip and ratelimit.is_over(scope=TOKEN_FAILURES_SCOPE, key=client_ip, rate=rate):
        return AnonymousUser()
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        if client_ip:
            with contextlib.suppress(Throttled):
                ratelimit.hit(scope=TOKEN_FAILURES_SCOPE, key=client_ip, rate=rate)
        return AnonymousUser()
    scopes = getattr(settings, "API_TOKEN_PATH_SCOPES", {}) or {}
    if scopes and token.user.groups.filter(name__in=list(scopes)).exists():
        return AnonymousUser()  # a path-scoped token (the integration role) opens no websocket
    user: AbstractBaseUser = token.user
    return user


class _TokenOrSessionAuth(AuthMiddleware):
    """Channels' ``AuthMiddleware`` (needs ``scope["session"]``), resolving a token first."""

    async def resolve_scope(self, scope: _ChannelScope) -> None:
        # populate_scope() (run first by AuthMiddleware) has put the lazy user in the scope.
        user = cast("UserLazyObject", scope["user"])
        token = (query_params(scope).get("token") or [""])[0].strip()
        if token:
            client = scope.get("client") or ("", 0)
            user._wrapped = await user_for_token(token, str(client[0] or ""))
        else:
            user._wrapped = await get_user(scope)


def TokenOrSessionAuthMiddleware(inner: ASGIApp) -> CookieMiddleware:  # noqa: N802 - named like the stack it replaces
    """Cookies -> session -> user (token or session). Use in place of ``AuthMiddlewareStack``."""
    return CookieMiddleware(SessionMiddleware(_TokenOrSessionAuth(inner)))


class OriginValidatorUnlessToken:
    """Cross-site websocket hijacking only matters for cookie sessions: a page on another site can
    make the browser send our session cookie, but it cannot know a user's token. So a connection
    that authenticates with ``?token=`` (POS apps, scripts, the ERP) may come without an ``Origin``
    header; every other connection must pass Channels' ``AllowedHostsOriginValidator``."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner
        self.validated = AllowedHostsOriginValidator(inner)

    async def __call__(
        self, scope: _ChannelScope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> Any:
        if (query_params(scope).get("token") or [""])[0].strip():
            return await self.inner(scope, receive, send)
        return await self.validated(scope, receive, send)
