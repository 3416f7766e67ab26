"""Latency figures and a bounded load generator, for the chaos tests and ops/bench.py.

Percentiles use the nearest-rank method: p99 of 1000 samples is the 990th
smallest, a value that was actually measured.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

# No client keeps a load running forever, whatever ``seconds`` says.
MAX_REQUESTS_PER_CLIENT = 20_000


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0 < q <= 100) of ``values``, by nearest rank."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(values: Sequence[float]) -> dict[str, float]:
    """Count, p50, p95, p99 and max of ``values`` (seconds)."""
    return {
        "n": len(values),
        "p50_s": percentile(values, 50),
        "p95_s": percentile(values, 95),
        "p99_s": percentile(values, 99),
        "max_s": max(values),
    }


@dataclass(frozen=True)
class Sample:
    """One request of a load run: when it started (monotonic), how long, status.

    ``status`` is None when no HTTP answer came (a transport error).
    """

    started: float
    seconds: float
    status: int | None


def run_load(
    base_url: str,
    path: str,
    headers: dict[str, str],
    *,
    clients: int,
    seconds: float,
    interval: float = 0.0,
    timeout: float = 10.0,
) -> list[Sample]:
    """``clients`` threads GET ``path`` for ``seconds``; every sample.

    With ``interval`` 0 each client sends its next request as soon as the
    last one is answered. Otherwise each client sends one request every
    ``interval`` seconds on a fixed schedule (the clients staggered across
    the interval), whatever the answers take: a slow answer delays no later
    request's start time, so it cannot hide the queueing it causes. A client
    that falls behind its schedule sends at once.

    Each thread has its own connection pool, starts with the others and ends
    at the same deadline (or after ``MAX_REQUESTS_PER_CLIENT`` requests).
    """
    samples: list[Sample] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(index: int) -> None:
        mine = []
        with httpx.Client(base_url=base_url, timeout=timeout) as http:
            barrier.wait()
            begin = time.monotonic()
            deadline = begin + seconds
            for number in range(MAX_REQUESTS_PER_CLIENT):
                due = begin + interval * (number + index / clients)
                time.sleep(max(0.0, due - time.monotonic()))
                started = time.monotonic()
                if started >= deadline:
                    break
                try:
                    response = http.get(path, headers=headers)
                except httpx.HTTPError:
                    status = None
                else:
                    status = response.status_code
                mine.append(Sample(started, time.monotonic() - started, status))
        with lock:
            samples.extend(mine)

    threads = [
        threading.Thread(target=client, args=(index,), daemon=True)
        for index in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + timeout + 30)
    return sorted(samples, key=lambda sample: sample.started)
