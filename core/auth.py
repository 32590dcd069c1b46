"""Typing help for ``request.user``, which django-stubs types as ``User | AnonymousUser``.

``user.is_authenticated`` is what the code checks, but mypy cannot narrow a union on it;
``is_signed_in(user)`` is the same check (``None`` counts as signed out) and tells mypy that ``user``
is the user model afterwards. ``signed_in_user(request.user)`` is for views behind ``IsAuthenticated``
or ``login_required``, where the user cannot be anonymous.

``ThrottledTokenAuthentication`` is the API's token authentication (``REST_FRAMEWORK``): DRF's, with
a limit on wrong tokens per client address (``token_failures``), so tokens cannot be guessed at speed,
and path scopes: a token whose user is in a group named in ``settings.API_TOKEN_PATH_SCOPES`` (the
integration role) reaches only the paths listed for it; anywhere else it is a 403 (read in the same
query that loads the token).
"""

from __future__ import annotations

from typing import Any, TypeGuard, TypeVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Group
from django.db.models import OuterRef, Subquery
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, PermissionDenied, Throttled
from rest_framework.request import Request

from core import ratelimit
from core.errors import Throttled as RateLimited

UserT = TypeVar("UserT", bound=AbstractBaseUser)


def is_signed_in(user: UserT | AnonymousUser | None) -> TypeGuard[UserT]:
    """``user is not None and user.is_authenticated``."""
    return user is not None and user.is_authenticated


def signed_in_user(user: UserT | AnonymousUser | None) -> UserT:
    """``user``, behind a permission or decorator that already refused anonymous users.

    Raises ``NotAuthenticated`` (a 401 in the API) should that guarantee ever be missing."""
    if not is_signed_in(user):
        raise NotAuthenticated()
    return user


TOKEN_FAILURES_SCOPE = "token_failures"


class ThrottledTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, refused with 429 (``Retry-After``) for a client address that
    sent ``token_failures`` wrong tokens in the window, even if this one is right; a request without a
    token is left to the other authentication classes."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword.lower().encode():
            return None
        ip = ratelimit.client_ip(request)
        rate = ratelimit.rate_for(TOKEN_FAILURES_SCOPE)
        wait = ratelimit.is_over(scope=TOKEN_FAILURES_SCOPE, key=ip, rate=rate)
        if wait:
            raise Throttled(wait=wait)
        try:
            found = super().authenticate(request)
        except AuthenticationFailed:
            try:
                ratelimit.hit(scope=TOKEN_FAILURES_SCOPE, key=ip, rate=rate)
            except RateLimited as exc:
                raise Throttled(wait=exc.wait) from None
            raise
        if found is not None:
            _check_path_scope(found[1], request.path)
        return found

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        """DRF's, with the token's scoped group (``API_TOKEN_PATH_SCOPES``) read in the same query."""
        model: Any = self.get_model()
        scopes = getattr(settings, "API_TOKEN_PATH_SCOPES", {}) or {}
        tokens = model.objects.select_related("user")
        if scopes:
            scoped = Group.objects.filter(user=OuterRef("user_id"), name__in=list(scopes)).order_by("name")
            tokens = tokens.annotate(scope_group=Subquery(scoped.values("name")[:1]))
        try:
            token = tokens.get(key=key)
        except model.DoesNotExist:
            raise AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return (token.user, token)


def _check_path_scope(token: Any, path: str) -> None:
    group = getattr(token, "scope_group", None)
    if not group:
        return
    allowed = (getattr(settings, "API_TOKEN_PATH_SCOPES", {}) or {}).get(group, [])
    if not any(path.startswith(prefix) for prefix in allowed):
        raise PermissionDenied(f"This token ({group}) may only use {', '.join(allowed) or 'nothing'}.")
