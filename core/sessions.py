"""Sessions read from the cache, written to the database and the cache (Django's ``cached_db``), where
a cache that cannot be reached is only a miss.

Django's ``cached_db`` already survives a failed read and a failed write of the cache; ``exists`` (asked
when a session key is created: every sign-in) and the copy it writes after reading from the database
and ``delete`` (a sign-in cycles the key of a visitor who had a session) are not guarded, so a cache
backend that raises would turn a sign-in into a 500. The project's default cache
(``core.cache.ResilientRedisCache``) never raises; this guards any other backend the same way.

The price, with either: a session deleted (sign-out) while Redis is unreachable but not emptied (a
network split, not a restart: compose's Redis keeps nothing on disk) could be read again from Redis
when it comes back, until that copy's expiry. The warning logged says so.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(CachedDbStore):
    _cache: Any  # set by CachedDbStore.__init__ (not in django-stubs)

    def exists(self, session_key: str) -> bool:
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("session cache unreachable: checking the database only", exc_info=True)
        return bool(session_key) and super(CachedDbStore, self).exists(session_key)

    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            data = None
        if data is not None:
            return data  # type: ignore[no-any-return]
        found = self._get_session_from_db()  # type: ignore[attr-defined]
        if not found:
            return {}
        data = self.decode(found.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=found.expire_date))
        except Exception:
            logger.warning("session cache unreachable: not copying the session there", exc_info=True)
        return data

    def delete(self, session_key: str | None = None) -> None:
        try:
            super().delete(session_key)
        except Exception:
            # The database row is gone (DBStore.delete ran first); only the cached copy may remain.
            logger.warning("session cache unreachable: a deleted session's copy may remain", exc_info=True)
