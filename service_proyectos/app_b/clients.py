"""Resilient HTTP calls from Service B to the services it depends on.

The policy is written once here; ``client_empresas`` and ``client_programacion``
only say which paths they read.

- **Retries** (tenacity): only transient failures are retried (connection
  errors, timeouts, HTTP 500/502/503/504), at most ``DEP_RETRIES`` times after
  the first attempt, waiting about 1 s, 2-3 s, 4-6 s: exponential with jitter.
  A 4xx is an answer and is never retried.
- **Breaker** (pybreaker, one per dependency): it guards every attempt and
  opens after ``BREAKER_FAIL_MAX`` consecutive failed attempts. While open,
  calls fail at once without touching the network. After
  ``BREAKER_RESET_TIMEOUT`` one trial attempt is let through; its outcome
  closes or reopens the breaker. A 404 neither counts as a failure nor resets
  the count.
- **Budget**: every call runs against a :class:`Deadline`. An attempt or a
  wait that would end past it is not started; the dependency then counts as
  unavailable. Attempt timeouts are clipped to what is left of the budget.

pybreaker's ``CircuitBreaker.call`` holds one lock while the guarded function
runs, so concurrent requests would queue behind each other and any backoff
inside it would sleep under that lock. Here the breaker is consulted before an
attempt and told the outcome after it; the HTTP call and the sleeps between
attempts happen outside its lock.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import email.utils
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pybreaker
import tenacity
from django.conf import settings

from app_b import metrics
from app_b.breaker_storage import LocalStorage, shared_storage
from sap_common.logging import safe_log

logger = logging.getLogger(__name__)

# Statuses that say "try again later" rather than "your request is wrong".
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
# Below this much budget an attempt cannot even connect; don't start it.
MIN_ATTEMPT_SECONDS = 0.05
# run_concurrently waits this much past the deadline for attempts that are
# already finishing, since their timeouts were clipped to the same deadline.
DEADLINE_GRACE_SECONDS = 0.05


class DependencyUnavailable(Exception):
    """A dependency could not give an answer in time.

    ``reason`` is one of ``breaker_open``, ``retries_exhausted``,
    ``budget_exhausted``, ``bad_response`` or ``http_<status>`` (an answer we
    cannot use, such as a 401). The message never reaches a client.
    """

    def __init__(self, dependency: str, reason: str) -> None:
        super().__init__(f"{dependency} unavailable: {reason}")
        self.dependency = dependency
        self.reason = reason


class Deadline:
    """A total time budget, shared by every attempt and wait of one request."""

    def __init__(self, expires_at: float, clock: Callable[[], float] = time.monotonic):
        self.expires_at = expires_at
        self._clock = clock

    @classmethod
    def after(
        cls, seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> Deadline:
        """A deadline ``seconds`` from now on ``clock``."""
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.expires_at - self._clock())


@dataclass(frozen=True)
class Policy:
    """The numbers of the retry and breaker policy, from settings."""

    connect_timeout: float
    read_timeout: float
    retries: int
    wait_initial: float
    wait_max: float
    jitter: float
    fail_max: int
    reset_timeout: float
    pool_size: int

    @classmethod
    def from_settings(cls) -> Policy:
        """Read the policy from Django settings (at call time, not import time)."""
        return cls(
            connect_timeout=settings.DEP_CONNECT_TIMEOUT,
            read_timeout=settings.DEP_READ_TIMEOUT,
            retries=settings.DEP_RETRIES,
            wait_initial=settings.DEP_RETRY_WAIT_INITIAL,
            wait_max=settings.DEP_RETRY_WAIT_MAX,
            jitter=settings.DEP_RETRY_JITTER,
            fail_max=settings.BREAKER_FAIL_MAX,
            reset_timeout=settings.BREAKER_RESET_TIMEOUT,
            pool_size=settings.DEP_POOL_SIZE,
        )


class _TransientFailure(Exception):
    """An attempt failed in a way worth retrying."""

    def __init__(self, kind: str, status: int | None = None, retry_after=None):
        super().__init__(kind)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


class _BreakerOpen(Exception):
    """The breaker refused the attempt; nothing was sent."""


class _RecordedFailure(Exception):
    """Stands for a failed attempt when its outcome is replayed to pybreaker."""


class _StopCalling(Exception):
    """Give up without another attempt; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _utcnow() -> datetime:
    return datetime.now(UTC)


class _StateLogger(pybreaker.CircuitBreakerListener):
    """Log every state change: a warning on open, info otherwise."""

    def state_change(self, cb, old_state, new_state) -> None:
        # pybreaker calls this inside its own transition: nothing raised here
        # may escape, or a logging fault would change the breaker's course.
        with contextlib.suppress(Exception):
            self._report(cb, old_state, new_state)

    def state_observed(self, cb, old_state, new_state) -> None:
        # Another worker moved the shared breaker: only this worker's gauge
        # follows; the transition was logged where it happened.
        with contextlib.suppress(Exception):
            self._gauge(cb, new_state)

    @staticmethod
    def _gauge(cb, new_state) -> None:
        metrics.record(
            metrics.BREAKER_STATE,
            cb.name,
            set_to=metrics.STATE_VALUES.get(new_state.name, -1),
        )

    @classmethod
    def _report(cls, cb, old_state, new_state) -> None:
        cls._gauge(cb, new_state)
        old_name = old_state.name if old_state else None
        extra = {
            "dependency": cb.name,
            "from_state": old_name,
            "to_state": new_state.name,
            "failures": cb.fail_counter,
        }
        if new_state.name == pybreaker.STATE_OPEN:
            safe_log(
                logger, logging.WARNING, "breaker for %s opened", cb.name, extra=extra
            )
        else:
            safe_log(
                logger,
                logging.INFO,
                "breaker for %s is %s",
                cb.name,
                new_state.name,
                extra=extra,
            )


class _SharedStateBreaker(pybreaker.CircuitBreaker):
    """pybreaker's breaker, minus a side effect when another worker moved it.

    pybreaker 1.4.1 rebuilds its cached state whenever the storage says
    otherwise, as if it had made the transition itself: a rebuilt "closed"
    resets the shared failure count, erasing what other workers counted since,
    and listeners hear of a change this worker did not make. Here the cache
    follows the storage quietly; listeners get ``state_observed`` instead, so
    this worker's gauge stays right. Transitions made here notify as before.
    """

    @property
    def state(self):
        stored = self.current_state
        if stored != self._state.name:
            with self._lock:
                previous = self._state
                self._state = self._create_new_state(stored, prev_state=previous)
            for listener in self.listeners:
                observed = getattr(listener, "state_observed", None)
                if observed is not None:
                    observed(self, previous, self._state)
        return self._state

    @state.setter
    def state(self, state_str: str) -> None:
        pybreaker.CircuitBreaker.state.fset(self, state_str)


def _raise(exc: BaseException) -> None:
    raise exc


def _succeed() -> None:
    return None


class Breaker:
    """One dependency's circuit breaker, consulted outside pybreaker's lock.

    pybreaker keeps the state, the consecutive-failure count and the
    listeners. This class decides admission itself (so the guarded call never
    runs under pybreaker's lock) and then replays each outcome through
    ``CircuitBreaker.call``, which is instant.
    """

    def __init__(
        self,
        name: str,
        fail_max: int,
        reset_timeout: float,
        clock: Callable[[], datetime] = _utcnow,
        storage: pybreaker.CircuitBreakerStorage | None = None,
        trial_ttl: float = 10.0,
    ) -> None:
        self.name = name
        self.reset_timeout = reset_timeout
        self.trial_ttl = trial_ttl
        self._clock = clock
        self.storage = storage if storage is not None else LocalStorage()
        self._cb = _SharedStateBreaker(
            fail_max=fail_max,
            reset_timeout=reset_timeout,
            name=name,
            listeners=[_StateLogger()],
            state_storage=self.storage,
        )

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half-open``."""
        return self._cb.current_state

    @property
    def failures(self) -> int:
        """Consecutive failed attempts counted so far."""
        return self._cb.fail_counter

    @property
    def opened_at(self) -> datetime | None:
        """When the breaker last opened, on this breaker's clock."""
        return self.storage.opened_at

    def admit(self) -> bool:
        """Let an attempt through, or raise ``_BreakerOpen``.

        Returns True when the attempt is the single half-open trial.
        """
        state = self._cb.current_state
        if state == pybreaker.STATE_CLOSED:
            return False
        self._refuse_while_resting(state)
        # One trial at a time, across threads and, with Redis, across workers.
        # The slot expires by itself if its holder dies mid-trial.
        if not self.storage.claim_trial(self.trial_ttl):
            raise _BreakerOpen
        # Look again now that the slot is ours: the trial before ours may
        # have ended between our first look and the claim, closing the
        # breaker or reopening it for another reset timeout.
        try:
            state = self._cb.current_state
            if state == pybreaker.STATE_CLOSED:
                self.storage.release_trial()
                return False
            self._refuse_while_resting(state)
        except BaseException:
            self.storage.release_trial()
            raise
        if state == pybreaker.STATE_OPEN:
            self._cb.half_open()
        return True

    def _refuse_while_resting(self, state: str) -> None:
        """Raise ``_BreakerOpen`` while an open breaker's reset timeout runs."""
        if state != pybreaker.STATE_OPEN:
            return
        opened_at = self.storage.opened_at
        reset_after = timedelta(seconds=self.reset_timeout)
        if opened_at is not None and self._clock() < opened_at + reset_after:
            raise _BreakerOpen

    def record_success(self, trial: bool) -> None:
        """A good answer: reset the count, or close the breaker after a trial."""
        if self._stale(trial):
            return
        self._replay(_succeed)

    def record_failure(self, trial: bool, exc: BaseException) -> None:
        """A failed attempt: count it; the count may open the breaker."""
        if self._stale(trial):
            return
        was_open = self._cb.current_state == pybreaker.STATE_OPEN
        self._replay(_raise, _RecordedFailure(type(exc).__name__))
        if not was_open and self._cb.current_state == pybreaker.STATE_OPEN:
            # pybreaker stamps the opening with its own clock; use ours so the
            # reset timeout is measured on the clock admit() reads.
            self.storage.opened_at = self._clock()

    def record_answer(self, trial: bool) -> None:
        """An answer that is neither success nor failure (a 404, a 400).

        It leaves the failure count alone, except that a trial answered at
        all proves the dependency is back, which closes the breaker.
        """
        if trial:
            self.record_success(trial)

    def end_trial(self, trial: bool) -> None:
        """Free the trial slot; called once the trial's outcome is recorded."""
        if trial:
            self.storage.release_trial()

    def _stale(self, trial: bool) -> bool:
        # An attempt that started while the breaker was closed and ends after
        # another request opened it says nothing new: the breaker decided.
        return not trial and self._cb.current_state != pybreaker.STATE_CLOSED

    def _replay(self, func, *args) -> None:
        # Both exceptions only confirm what was recorded; the caller knows.
        with contextlib.suppress(pybreaker.CircuitBreakerError, _RecordedFailure):
            self._cb.call(func, *args)


def parse_retry_after(value: str | None, now: Callable[[], datetime] = _utcnow):
    """Seconds to wait from a ``Retry-After`` header, or None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now()).total_seconds())


class _Backoff(tenacity.wait.wait_base):
    """Exponential backoff with multiplicative jitter, or the server's Retry-After.

    The cap applies before the jitter, so waits keep their spread at the cap
    (tenacity's ``wait_exponential_jitter`` loses it there).
    """

    def __init__(self, policy: Policy, rand: Callable[[], float]) -> None:
        self.policy = policy
        self.rand = rand

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, _TransientFailure) and exc.retry_after is not None:
            return exc.retry_after
        n = retry_state.attempt_number - 1
        base = min(self.policy.wait_initial * (2**n), self.policy.wait_max)
        return base * (1 + self.policy.jitter * self.rand())


class _StopPastDeadline(tenacity.stop.stop_base):
    """Stop when the next wait, plus a minimal attempt, would end past the budget."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        needed = retry_state.upcoming_sleep + MIN_ATTEMPT_SECONDS
        return needed > self.deadline.remaining()


class _StopWhenBreakerOpen(tenacity.stop.stop_base):
    """Stop at once when the failure just recorded opened the breaker."""

    def __init__(self, breaker: Breaker) -> None:
        self.breaker = breaker

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        return self.breaker.state != pybreaker.STATE_CLOSED


class ResilientClient:
    """A pooled HTTP client for one dependency, with retries and a breaker.

    One instance per dependency and process; it is thread-safe. ``sleep``,
    ``clock``, ``wall_clock`` and ``rand`` are injectable so that tests never
    wait.
    """

    def __init__(
        self,
        name: str,
        base_url: str,
        policy: Policy,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = _utcnow,
        rand: Callable[[], float] = random.random,
        transport: httpx.BaseTransport | None = None,
        storage: pybreaker.CircuitBreakerStorage | None = None,
    ) -> None:
        self.name = name
        self.policy = policy
        self.breaker = Breaker(
            name,
            policy.fail_max,
            policy.reset_timeout,
            wall_clock,
            storage=storage,
            # A trial lasts one attempt at most; its slot must outlive it.
            trial_ttl=policy.connect_timeout + policy.read_timeout + 1.0,
        )
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._rand = rand
        self._http = httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout),
            limits=httpx.Limits(
                max_connections=policy.pool_size,
                max_keepalive_connections=policy.pool_size,
            ),
            transport=transport,
            headers={"Accept": "application/json"},
            # Certificates are loaded only for an https dependency: reading
            # the CA bundle costs a worker 20-60 ms for nothing on plain http.
            verify=base_url.startswith("https://"),
        )

    def get_json(
        self,
        path: str,
        *,
        headers: dict[str, str],
        deadline: Deadline,
        params: Mapping[str, str] | None = None,
    ) -> Any | None:
        """GET ``path`` and return its JSON, or None when the answer is 404.

        ``params`` become the query string of every attempt. Raises
        :class:`DependencyUnavailable` when no usable answer came within the
        policy and the deadline.
        """
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_TransientFailure),
            wait=_Backoff(self.policy, self._rand),
            stop=(
                tenacity.stop_after_attempt(self.policy.retries + 1)
                | _StopWhenBreakerOpen(self.breaker)
                | _StopPastDeadline(deadline)
            ),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    number = attempt.retry_state.attempt_number
                    return self._attempt(path, params, headers, deadline, number)
        except _BreakerOpen as exc:
            metrics.record(metrics.FAST_FAILURES, self.name)
            raise DependencyUnavailable(self.name, "breaker_open") from exc
        except _StopCalling as exc:
            raise DependencyUnavailable(self.name, exc.reason) from exc
        except _TransientFailure as exc:
            attempts = retrying.statistics.get("attempt_number", 0)
            if self.breaker.state != pybreaker.STATE_CLOSED:
                reason = "breaker_open"
            elif attempts > self.policy.retries:
                reason = "retries_exhausted"
            else:
                reason = "budget_exhausted"
            safe_log(
                logger,
                logging.WARNING,
                "%s unavailable after retries",
                self.name,
                extra={"dependency": self.name, "outcome": reason, "kind": exc.kind},
            )
            raise DependencyUnavailable(self.name, reason) from exc
        return None  # pragma: no cover - tenacity either returns or raises

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _attempt(self, path, params, headers, deadline: Deadline, number: int):
        remaining = deadline.remaining()
        if remaining < MIN_ATTEMPT_SECONDS:
            raise _StopCalling("budget_exhausted")
        trial = self.breaker.admit()
        metrics.record(metrics.ATTEMPTS, self.name)
        if number > 1:
            metrics.record(metrics.RETRIES, self.name)
        started = time.perf_counter()
        try:
            return self._send(path, params, headers, remaining, trial, number, started)
        finally:
            self.breaker.end_trial(trial)

    def _send(self, path, params, headers, remaining, trial, number, started):
        timeout = httpx.Timeout(
            min(self.policy.read_timeout, remaining),
            connect=min(self.policy.connect_timeout, remaining),
        )
        try:
            response = self._http.get(
                path, params=params, headers=headers, timeout=timeout
            )
        except httpx.TimeoutException as exc:
            self._fail(trial, _TransientFailure("timeout"), number, started, exc)
        except httpx.TransportError as exc:
            self._fail(trial, _TransientFailure("connection"), number, started, exc)
        return self._interpret(response, trial, number, started)

    def _interpret(self, response: httpx.Response, trial, number, started):
        status = response.status_code
        if status in TRANSIENT_STATUSES:
            retry_after = parse_retry_after(
                response.headers.get("Retry-After"), self._wall_clock
            )
            self._fail(
                trial, _TransientFailure("5xx", status, retry_after), number, started
            )
        if status == 429:
            # Throttled: an answer, not a fault. Wait only if the server says
            # how long; the budget check decides whether that fits.
            self.breaker.record_answer(trial)
            self._log_attempt(number, started, status, "throttled")
            retry_after = parse_retry_after(
                response.headers.get("Retry-After"), self._wall_clock
            )
            if retry_after is None:
                raise _StopCalling("http_429")
            raise _TransientFailure("throttled", status, retry_after)
        if status == 404:
            self.breaker.record_answer(trial)
            self._log_attempt(number, started, status, "not_found")
            return None
        if not 200 <= status < 300:
            self.breaker.record_answer(trial)
            self._log_attempt(number, started, status, "rejected")
            raise _StopCalling(f"http_{status}")
        try:
            data = response.json()
        except ValueError as exc:
            # A 2xx that is not JSON means the dependency is broken, but
            # asking again would get the same body: count it, don't retry.
            self.breaker.record_failure(trial, exc)
            metrics.record(metrics.FAILURES, self.name, "bad_response")
            self._log_attempt(number, started, status, "bad_response")
            raise _StopCalling("bad_response") from exc
        self.breaker.record_success(trial)
        self._log_attempt(number, started, status, "success")
        return data

    def _fail(self, trial, failure: _TransientFailure, number, started, cause=None):
        """Count a transient failure and raise it for tenacity to retry."""
        self.breaker.record_failure(trial, failure)
        metrics.record(metrics.FAILURES, self.name, failure.kind)
        self._log_attempt(number, started, failure.status, failure.kind)
        raise failure from cause

    def _log_attempt(self, number, started, status, outcome) -> None:
        level = logging.INFO if outcome in ("success", "not_found") else logging.WARNING
        safe_log(
            logger,
            level,
            "%s attempt %s: %s",
            self.name,
            number,
            outcome,
            extra={
                "dependency": self.name,
                "attempt": number,
                "status": status,
                "outcome": outcome,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )

    def _log_retry(self, retry_state: tenacity.RetryCallState) -> None:
        safe_log(
            logger,
            logging.INFO,
            "%s: retrying in %.2fs",
            self.name,
            retry_state.upcoming_sleep,
            extra={
                "dependency": self.name,
                "attempt": retry_state.attempt_number,
                "wait_s": round(retry_state.upcoming_sleep, 3),
            },
        )


_clients: dict[str, ResilientClient] = {}
_clients_lock = threading.Lock()


def get_client(name: str, base_url_setting: str) -> ResilientClient:
    """The process-wide client for dependency ``name``, built on first use."""
    client = _clients.get(name)
    if client is not None:
        return client
    with _clients_lock:
        if name not in _clients:
            base_url = getattr(settings, base_url_setting)
            redis_url = getattr(settings, "REDIS_URL", "")
            _clients[name] = ResilientClient(
                name,
                base_url,
                Policy.from_settings(),
                storage=shared_storage(redis_url, name) if redis_url else None,
            )
        return _clients[name]


def all_clients() -> dict[str, ResilientClient]:
    """The clients built so far, by dependency name."""
    return dict(_clients)


def reset_clients() -> None:
    """Forget every client and breaker (tests, and settings changes)."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


def dependency_get(
    name: str,
    base_url_setting: str,
    path: str,
    *,
    authorization: str | None,
    request_id: str,
    deadline: Deadline | None,
    params: Mapping[str, str] | None = None,
) -> Any | None:
    """GET ``path`` from dependency ``name`` on behalf of the current caller.

    The caller's token and the request id travel with the call; ``params``
    are sent as the query string. Without a deadline, the call gets a budget
    of its own (``DETALLE_BUDGET_SECONDS``).
    """
    headers = {"X-Request-ID": request_id}
    if authorization:
        headers["Authorization"] = authorization
    return get_client(name, base_url_setting).get_json(
        path,
        headers=headers,
        deadline=deadline or Deadline.after(settings.DETALLE_BUDGET_SECONDS),
        params=params,
    )


_executor: concurrent.futures.ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _get_executor() -> concurrent.futures.ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=settings.DEP_MAX_CONCURRENT_CALLS,
                thread_name_prefix="sap-dep",
            )
        return _executor


def run_concurrently(
    calls: dict[str, Callable[[], Any]], deadline: Deadline
) -> dict[str, Any]:
    """Run zero-argument callables at the same time and collect their results.

    Each result is the callable's return value, or a
    :class:`DependencyUnavailable` when it raised one, failed unexpectedly, or
    was still running at the deadline. Nothing raised by a dependency call
    escapes: a failing dependency degrades its part of the answer only.
    """
    executor = _get_executor()
    futures = {
        key: executor.submit(contextvars.copy_context().run, func)
        for key, func in calls.items()
    }
    concurrent.futures.wait(
        futures.values(), timeout=deadline.remaining() + DEADLINE_GRACE_SECONDS
    )
    results: dict[str, Any] = {}
    for key, future in futures.items():
        if not future.done():
            safe_log(
                logger,
                logging.WARNING,
                "%s still running at the deadline",
                key,
                extra={"dependency": key, "outcome": "budget_exhausted"},
            )
            results[key] = DependencyUnavailable(key, "budget_exhausted")
            continue
        exc = future.exception()
        if exc is None:
            results[key] = future.result()
        elif isinstance(exc, DependencyUnavailable):
            results[key] = exc
        else:
            safe_log(
                logger,
                logging.ERROR,
                "unexpected error calling %s",
                key,
                exc_info=exc,
                extra={"dependency": key, "outcome": "error"},
            )
            results[key] = DependencyUnavailable(key, "error")
    return results
