"""Last-known-good copies of what A and C answered, for when they cannot answer.

Every good answer of a dependency is kept in Django's cache (Redis when
``REDIS_URL`` is set, so that every worker and replica shares the copies; this
process's memory otherwise), under the dependency and the id it describes.
When the dependency later fails, the detalle can show that copy, marked with
when it was obtained, instead of nothing.

A copy is a convenience, never a requirement: any cache error counts as "no
copy" and is logged once per outage. After an error the cache is left alone
for ``CACHE_RETRY_SECONDS``, so a Redis that hangs costs one timeout, not one
per request.

Copies expire after ``LKG_TTL_SECONDS``. Their age is checked again on
reading, so lowering that setting also applies to copies already kept.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from sap_common.logging import safe_log

__all__ = ["CacheGuard", "KeptCopy", "forget", "recall", "remember"]

logger = logging.getLogger(__name__)

# Redis is shared with the other services: B's keys carry its name.
KEY_PREFIX = "proyectos:lkg"
# After a cache error, how long B goes without copies before asking again.
CACHE_RETRY_SECONDS = 5.0


class KeptCopy(NamedTuple):
    """A dependency's last good answer and when B received it."""

    data: Any
    saved_at: datetime

    def age_seconds(self, now: datetime) -> int:
        """Whole seconds since the copy was saved; never negative.

        Workers' clocks may differ slightly: a copy "from the future" is new.
        """
        return max(0, int((now - self.saved_at).total_seconds()))


class CacheGuard:
    """Skips the cache for a pause after it fails; logs each outage once."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        pause_seconds: float = CACHE_RETRY_SECONDS,
    ) -> None:
        self._clock = clock
        self._pause = pause_seconds
        self._skip_until: float | None = None
        self._lock = threading.Lock()

    def available(self) -> bool:
        """False while the pause after an error lasts."""
        skip_until = self._skip_until
        return skip_until is None or self._clock() >= skip_until

    def failed(self, exc: BaseException, operation: str, dependency: str) -> None:
        """Start (or extend) the pause; warn only when an outage begins."""
        with self._lock:
            first = self._skip_until is None
            self._skip_until = self._clock() + self._pause
        if first:
            safe_log(
                logger,
                logging.WARNING,
                "kept-copy cache unavailable: detalles go without copies",
                extra={
                    "dependency": dependency,
                    "operation": operation,
                    "error": type(exc).__name__,
                    "outcome": "cache_error",
                },
            )

    def succeeded(self) -> None:
        """The cache answered: end an outage, saying so once."""
        if self._skip_until is None:
            return
        with self._lock:
            recovered = self._skip_until is not None
            self._skip_until = None
        if recovered:
            safe_log(
                logger,
                logging.INFO,
                "kept-copy cache reachable again",
                extra={"outcome": "cache_recovered"},
            )


# One per process, like the breakers: every thread sees the same outage.
guard = CacheGuard()


def _cache_key(dependency: str, key) -> str:
    return f"{KEY_PREFIX}:{dependency}:{key}"


def _guarded(operation: str, dependency: str, call: Callable[[], Any]) -> Any:
    """Run one cache operation; None when the cache is paused or fails."""
    if not guard.available():
        return None
    try:
        result = call()
    except Exception as exc:  # noqa: BLE001 - no cache fault may fail a detalle
        guard.failed(exc, operation, dependency)
        return None
    guard.succeeded()
    return result


def remember(dependency: str, key, data: Any, *, now: datetime | None = None):
    """Keep ``data`` as the last good answer of ``dependency`` about ``key``.

    ``now`` stamps the copy (default: the current time).
    """
    entry = {"data": data, "saved_at": now or timezone.now()}
    _guarded(
        "set",
        dependency,
        lambda: cache.set(
            _cache_key(dependency, key), entry, timeout=settings.LKG_TTL_SECONDS
        ),
    )


def recall(dependency: str, key, *, now: datetime | None = None) -> KeptCopy | None:
    """The kept answer of ``dependency`` about ``key``, or None.

    None also when the copy is older than ``LKG_TTL_SECONDS`` at ``now``
    (default: the current time), or when the cache cannot be read.
    """
    entry = _guarded("get", dependency, lambda: cache.get(_cache_key(dependency, key)))
    if not isinstance(entry, dict) or not isinstance(entry.get("saved_at"), datetime):
        return None
    copy = KeptCopy(entry.get("data"), entry["saved_at"])
    now = now or timezone.now()
    if now - copy.saved_at > timedelta(seconds=settings.LKG_TTL_SECONDS):
        return None
    return copy


def forget(dependency: str, key) -> None:
    """Drop the kept answer of ``dependency`` about ``key``.

    Used when the dependency says the thing no longer exists. While the cache
    is unreachable the copy cannot be dropped; it still expires with its TTL.
    """
    _guarded("delete", dependency, lambda: cache.delete(_cache_key(dependency, key)))
