"""Where a breaker keeps its state: this process, or Redis for all of B's workers.

pybreaker's own ``CircuitRedisStorage`` reads a Redis outage as "closed" and
carries on silently. Here a Redis error is never read as a state: the
:class:`FailoverStorage` switches that worker to a local copy that holds the
last state it saw, logs the switch, and tries Redis again after a pause.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pybreaker
import redis

from sap_common.logging import safe_log

logger = logging.getLogger(__name__)

# How long a worker keeps to its local state before asking Redis again.
REDIS_RETRY_SECONDS = 5.0
# Redis must answer quickly or not at all: a breaker check sits in every call.
REDIS_SOCKET_TIMEOUT = 0.25


class LocalStorage(pybreaker.CircuitMemoryStorage):
    """pybreaker's memory storage plus a trial slot guarded by a thread lock."""

    def __init__(self, state: str = pybreaker.STATE_CLOSED) -> None:
        super().__init__(state)
        self._trial_lock = threading.Lock()
        self._trial_taken = False

    def claim_trial(self, ttl_seconds: float) -> bool:
        """Take the single half-open trial slot; False if another call has it."""
        with self._trial_lock:
            if self._trial_taken:
                return False
            self._trial_taken = True
            return True

    def release_trial(self) -> None:
        """Give the trial slot back."""
        with self._trial_lock:
            self._trial_taken = False

    def mirror(self, **values) -> None:
        """Keep values last read from the shared storage as this copy's own."""
        for field in ("state", "counter", "opened_at"):
            if field in values:
                attribute = {"counter": "_fail_counter"}.get(field, f"_{field}")
                setattr(self, attribute, values[field])


class RedisStorage(pybreaker.CircuitBreakerStorage):
    """Breaker state in Redis under ``<prefix>:<dependency>:*``.

    Unlike pybreaker's Redis storage, every Redis error propagates: the caller
    decides what an outage means.
    """

    def __init__(self, client: redis.Redis, name: str, prefix: str = "sap:breaker"):
        super().__init__("redis")
        self._redis = client
        self._key = f"{prefix}:{name}"

    def _k(self, field: str) -> str:
        return f"{self._key}:{field}"

    @property
    def state(self) -> str:
        value = self._redis.get(self._k("state"))
        return value.decode() if value else pybreaker.STATE_CLOSED

    @state.setter
    def state(self, state: str) -> None:
        self._redis.set(self._k("state"), state)

    def increment_counter(self) -> None:
        self._redis.incr(self._k("failures"))

    def reset_counter(self) -> None:
        self._redis.set(self._k("failures"), 0)

    def increment_success_counter(self) -> None:
        self._redis.incr(self._k("successes"))

    def reset_success_counter(self) -> None:
        self._redis.set(self._k("successes"), 0)

    @property
    def counter(self) -> int:
        return int(self._redis.get(self._k("failures")) or 0)

    @property
    def success_counter(self) -> int:
        return int(self._redis.get(self._k("successes")) or 0)

    @property
    def opened_at(self) -> datetime | None:
        value = self._redis.get(self._k("opened_at"))
        return datetime.fromtimestamp(float(value), UTC) if value else None

    @opened_at.setter
    def opened_at(self, when: datetime) -> None:
        # Kept to the microsecond: reset timeouts of a second or two must work.
        self._redis.set(self._k("opened_at"), repr(when.timestamp()))

    def claim_trial(self, ttl_seconds: float) -> bool:
        """Take the trial slot for all workers; it expires if its holder dies."""
        ttl_ms = max(1, int(ttl_seconds * 1000))
        return bool(self._redis.set(self._k("trial"), "1", nx=True, px=ttl_ms))

    def release_trial(self) -> None:
        self._redis.delete(self._k("trial"))


def shared_storage(redis_url: str, name: str) -> FailoverStorage:
    """Storage for dependency ``name`` shared through Redis, with local failover."""
    client = redis.Redis.from_url(
        redis_url,
        socket_timeout=REDIS_SOCKET_TIMEOUT,
        socket_connect_timeout=REDIS_SOCKET_TIMEOUT,
    )
    return FailoverStorage(RedisStorage(client, name), name)


class FailoverStorage(pybreaker.CircuitBreakerStorage):
    """Shared state while Redis answers; this worker's own state while it doesn't.

    Every successful write or snapshot is mirrored into a local copy, so when
    Redis fails the worker carries on from the last state it knew (an open
    breaker stays open) instead of reading the outage as "closed".
    """

    def __init__(
        self,
        shared: RedisStorage,
        name: str,
        clock: Callable[[], float] = time.monotonic,
        retry_seconds: float = REDIS_RETRY_SECONDS,
    ) -> None:
        super().__init__("failover")
        self.shared = shared
        self.local = LocalStorage()
        self._dependency = name
        self._clock = clock
        self._retry_seconds = retry_seconds
        self._local_until: float | None = None
        self._lock = threading.Lock()

    @property
    def using_shared(self) -> bool:
        """True while the state comes from Redis."""
        return self._local_until is None

    def _run(self, shared_op, local_op):
        on_local = self._local_until is not None
        if on_local and (self._clock() < self._local_until or not self._recover()):
            return local_op(self.local)
        try:
            return shared_op(self.shared)
        except redis.RedisError as exc:
            self._fall_back(exc)
            return local_op(self.local)

    def _fall_back(self, exc: Exception) -> None:
        with self._lock:
            first = self._local_until is None
            self._local_until = self._clock() + self._retry_seconds
        if first:
            # Logged once per outage, not once per call.
            safe_log(
                logger,
                logging.WARNING,
                "redis unavailable: breaker for %s uses this worker's state",
                self._dependency,
                extra={
                    "dependency": self._dependency,
                    "outcome": "redis_fallback",
                    "error": type(exc).__name__,
                },
            )

    def _recover(self) -> bool:
        """Try Redis again; True if it answers and is in use once more."""
        # What this worker learnt alone is kept only if it is the more
        # cautious view: an open local breaker is pushed to Redis.
        try:
            if self.local.state == pybreaker.STATE_OPEN and (
                self.shared.state == pybreaker.STATE_CLOSED
            ):
                self.shared.opened_at = self.local.opened_at or datetime.now(UTC)
                self.shared.state = pybreaker.STATE_OPEN
        except redis.RedisError as exc:
            self._fall_back(exc)
            return False
        with self._lock:
            self._local_until = None
        safe_log(
            logger,
            logging.INFO,
            "redis reachable again: breaker for %s is shared",
            self._dependency,
            extra={"dependency": self._dependency, "outcome": "redis_recovered"},
        )
        return True

    def _write(self, shared_op, local_op) -> None:
        # Writes go to both, so the local copy is always the last known state.
        local_op(self.local)
        self._run(shared_op, lambda _local: None)

    @property
    def state(self) -> str:
        value = self._run(lambda s: s.state, lambda local: local.state)
        self.local.mirror(state=value)
        return value

    @state.setter
    def state(self, state: str) -> None:
        def set_state(storage):
            storage.state = state

        self._write(set_state, set_state)

    def increment_counter(self) -> None:
        self._write(lambda s: s.increment_counter(), lambda s: s.increment_counter())

    def reset_counter(self) -> None:
        self._write(lambda s: s.reset_counter(), lambda s: s.reset_counter())

    def increment_success_counter(self) -> None:
        self._write(
            lambda s: s.increment_success_counter(),
            lambda s: s.increment_success_counter(),
        )

    def reset_success_counter(self) -> None:
        self._write(
            lambda s: s.reset_success_counter(), lambda s: s.reset_success_counter()
        )

    @property
    def counter(self) -> int:
        value = self._run(lambda s: s.counter, lambda local: local.counter)
        self.local.mirror(counter=value)
        return value

    @property
    def success_counter(self) -> int:
        return self._run(
            lambda s: s.success_counter, lambda local: local.success_counter
        )

    @property
    def opened_at(self) -> datetime | None:
        value = self._run(lambda s: s.opened_at, lambda local: local.opened_at)
        self.local.mirror(opened_at=value)
        return value

    @opened_at.setter
    def opened_at(self, when: datetime) -> None:
        def set_opened(storage):
            storage.opened_at = when

        self._write(set_opened, set_opened)

    def claim_trial(self, ttl_seconds: float) -> bool:
        return self._run(
            lambda s: s.claim_trial(ttl_seconds),
            lambda local: local.claim_trial(ttl_seconds),
        )

    def release_trial(self) -> None:
        self.local.release_trial()
        self._run(lambda s: s.release_trial(), lambda _local: None)
