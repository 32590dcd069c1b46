"""Typing help for ``request.user``, which django-stubs types as ``User | AnonymousUser``.

``user.is_authenticated`` is what the code checks, but mypy cannot narrow a union on it;
``is_signed_in(user)`` is the same check (``None`` counts as signed out) and tells mypy that ``user``
is the user model afterwards. ``signed_in_user(request.user)`` is for views behind ``IsAuthenticated``
or ``login_required``, where the user cannot be anonymous.
"""

from __future__ import annotations

from typing import TypeGuard, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import NotAuthenticated

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
