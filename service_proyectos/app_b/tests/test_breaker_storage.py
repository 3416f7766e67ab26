"""Breaker state shared through a real Redis, and what happens when Redis dies.

Each test module run starts its own ``redis-server`` on a free loopback port,
so the machine's Redis is never touched. Without ``redis-server`` installed
these tests skip, saying so.
"""

import shutil
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
import redis

from app_b import clients
from app_b.breaker_storage import FailoverStorage, RedisStorage
from app_b.clients import Breaker

REDIS_SERVER = shutil.which("redis-server")

pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None, reason="redis-server is not installed on this machine"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisProcess:
    """A throwaway redis-server that can be stopped and started on one port."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        give_up = time.monotonic() + 10
        while time.monotonic() < give_up:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start within 10 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def redis_process():
    server = RedisProcess()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def running_redis(redis_process):
    if redis_process.process.poll() is not None:
        redis_process.start()
    redis.Redis.from_url(redis_process.url).flushall()
    return redis_process


class Clocks:
    def __init__(self) -> None:
        self.mono = 0.0
        self.start = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

    def monotonic(self) -> float:
        return self.mono

    def wall(self) -> datetime:
        return self.start + timedelta(seconds=self.mono)

    def advance(self, seconds: float) -> None:
        self.mono += seconds


@pytest.fixture
def clocks():
    return Clocks()


def worker_breaker(redis_url, clocks, name="empresas", fail_max=4):
    """The breaker one gunicorn worker of B would build."""
    client = redis.Redis.from_url(
        redis_url, socket_timeout=0.25, socket_connect_timeout=0.25
    )
    storage = FailoverStorage(
        RedisStorage(client, name), name, clock=clocks.monotonic, retry_seconds=5.0
    )
    return Breaker(name, fail_max, 30.0, clock=clocks.wall, storage=storage)


def fail(breaker, times=1):
    for _ in range(times):
        breaker.record_failure(False, RuntimeError("down"))


class TestSharedState:
    def test_failures_seen_by_different_workers_add_up(self, running_redis, clocks):
        worker_1 = worker_breaker(running_redis.url, clocks)
        worker_2 = worker_breaker(running_redis.url, clocks)

        fail(worker_1, 2)
        fail(worker_2, 2)

        assert worker_1.state == "open"
        with pytest.raises(clients._BreakerOpen):
            worker_1.admit()

    def test_one_worker_opening_it_stops_the_others_at_once(
        self, running_redis, clocks
    ):
        worker_1 = worker_breaker(running_redis.url, clocks)
        worker_2 = worker_breaker(running_redis.url, clocks)

        fail(worker_1, 4)

        with pytest.raises(clients._BreakerOpen):
            worker_2.admit()

    def test_each_dependency_has_its_own_namespace(self, running_redis, clocks):
        empresas = worker_breaker(running_redis.url, clocks, "empresas")
        programacion = worker_breaker(running_redis.url, clocks, "programacion")

        fail(empresas, 4)

        assert programacion.state == "closed"
        assert programacion.admit() is False

    def test_only_one_worker_gets_the_half_open_trial(self, running_redis, clocks):
        worker_1 = worker_breaker(running_redis.url, clocks)
        worker_2 = worker_breaker(running_redis.url, clocks)
        fail(worker_1, 4)
        clocks.advance(30.0)

        assert worker_1.admit() is True
        with pytest.raises(clients._BreakerOpen):
            worker_2.admit()

        worker_1.record_success(True)
        worker_1.end_trial(True)
        assert worker_2.state == "closed"
        assert worker_2.admit() is False

    def test_a_worker_catching_up_on_a_closing_keeps_the_shared_count(
        self, running_redis, clocks, caplog
    ):
        worker_1 = worker_breaker(running_redis.url, clocks)
        worker_2 = worker_breaker(running_redis.url, clocks)
        fail(worker_1, 4)
        clocks.advance(30.0)
        assert worker_2.admit() is True
        worker_2.record_success(True)
        worker_2.end_trial(True)
        fail(worker_2, 3)
        caplog.clear()

        # worker_1 still holds "open" from before; its failure is the fourth.
        fail(worker_1)

        assert worker_2.state == "open"
        # It logs the opening, not a closing it only heard about.
        assert [r.getMessage() for r in caplog.records] == [
            "breaker for empresas opened"
        ]


class TestRedisOutage:
    def test_an_open_breaker_stays_open_when_redis_dies(
        self, running_redis, clocks, caplog
    ):
        worker = worker_breaker(running_redis.url, clocks)
        fail(worker, 4)
        assert worker.state == "open"

        running_redis.stop()

        assert worker.state == "open"
        with pytest.raises(clients._BreakerOpen):
            worker.admit()
        assert any(
            getattr(r, "outcome", None) == "redis_fallback" for r in caplog.records
        )

    def test_without_redis_each_worker_counts_and_opens_on_its_own(
        self, running_redis, clocks
    ):
        running_redis.stop()
        worker = worker_breaker(running_redis.url, clocks)

        fail(worker, 4)

        assert worker.state == "open"
        with pytest.raises(clients._BreakerOpen):
            worker.admit()

    def test_back_to_shared_state_when_redis_returns(self, running_redis, clocks):
        worker_1 = worker_breaker(running_redis.url, clocks)
        running_redis.stop()
        fail(worker_1, 4)
        running_redis.start()
        redis.Redis.from_url(running_redis.url).flushall()

        clocks.advance(5.0)
        assert worker_1.state == "open"

        # The breaker this worker opened alone is now what every worker sees.
        worker_2 = worker_breaker(running_redis.url, clocks)
        assert worker_2.state == "open"
        with pytest.raises(clients._BreakerOpen):
            worker_2.admit()
