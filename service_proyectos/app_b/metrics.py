"""Prometheus counters for B's calls to its dependencies.

Every update goes through :func:`record`, which swallows its own errors: a
broken metrics backend must never change what a retry or a breaker does.
With ``PROMETHEUS_MULTIPROC_DIR`` set, gunicorn's workers add up in /metrics.
"""

from prometheus_client import Counter, Gauge

ATTEMPTS = Counter(
    "sap_dependency_attempts_total",
    "HTTP attempts sent to a dependency.",
    ["dependency"],
)
RETRIES = Counter(
    "sap_dependency_retries_total",
    "Attempts that were retries of a failed one.",
    ["dependency"],
)
FAILURES = Counter(
    "sap_dependency_failures_total",
    "Failed attempts, by kind: timeout, connection, 5xx, bad_response.",
    ["dependency", "kind"],
)
FAST_FAILURES = Counter(
    "sap_dependency_fast_failures_total",
    "Calls refused at once because the breaker was open.",
    ["dependency"],
)
FALLBACKS = Counter(
    "sap_dependency_fallbacks_total",
    "Degraded answers, by what was served: kept (last-known-good) or none.",
    ["dependency", "served"],
)
BREAKER_STATE = Gauge(
    "sap_breaker_state",
    "Breaker state: 0 closed, 1 half-open, 2 open.",
    ["dependency"],
    multiprocess_mode="livemax",
)

STATE_VALUES = {"closed": 0, "half-open": 1, "open": 2}


def record(metric, *labels: str, value: float = 1.0, set_to: float | None = None):
    """Increment (or set) ``metric`` for ``labels``; never raise."""
    try:
        child = metric.labels(*labels)
        if set_to is not None:
            child.set(set_to)
        else:
            child.inc(value)
    except Exception:  # noqa: BLE001 - metrics must not break the calling code
        return
