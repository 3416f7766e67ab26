"""Unit tests of the retry, breaker and budget policy in ``app_b.clients``.

HTTP is mocked with respx. Time is a fake: sleeping advances it, nothing
really waits.
"""

import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from app_b import clients
from app_b.breaker_storage import LocalStorage
from app_b.clients import (
    Breaker,
    Deadline,
    DependencyUnavailable,
    Policy,
    ResilientClient,
    parse_retry_after,
    run_concurrently,
)

BASE = "http://empresas.test"
PATH = "/empresas/7/"
EMPRESA = {"id": 7, "razon_social": "Constructora Andina SRL"}
HEADERS = {"Authorization": "Bearer abc", "X-Request-ID": "req-1"}

POLICY = Policy(
    connect_timeout=1.0,
    read_timeout=3.0,
    retries=3,
    wait_initial=1.0,
    wait_max=8.0,
    jitter=0.5,
    fail_max=4,
    reset_timeout=30.0,
    pool_size=4,
)


class FakeTime:
    """A monotonic and a wall clock that move only when told to, or on sleep."""

    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall_start = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
        self.sleeps: list[float] = []
        self.on_sleep = None

    def monotonic(self) -> float:
        return self.mono

    def wall(self) -> datetime:
        return self.wall_start + timedelta(seconds=self.mono - 1000.0)

    def advance(self, seconds: float) -> None:
        self.mono += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)
        if self.on_sleep:
            self.on_sleep()


class InterleavedStorage(LocalStorage):
    """Runs ``before_claim`` once, inside the next claim of the trial slot."""

    before_claim = None

    def claim_trial(self, ttl_seconds: float) -> bool:
        hook, self.before_claim = self.before_claim, None
        if hook is not None:
            hook()
        return super().claim_trial(ttl_seconds)


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def mock_http():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def make_client(fake_time, name="empresas", base=BASE, rand=0.0, **policy):
    return ResilientClient(
        name,
        base,
        Policy(**{**POLICY.__dict__, **policy}),
        sleep=fake_time.sleep,
        clock=fake_time.monotonic,
        wall_clock=fake_time.wall,
        rand=lambda: rand,
    )


def budget(fake_time, seconds=60.0):
    return Deadline.after(seconds, clock=fake_time.monotonic)


def get(client, fake_time, path=PATH, seconds=60.0):
    return client.get_json(path, headers=HEADERS, deadline=budget(fake_time, seconds))


def open_breaker(client, fake_time, route):
    route.mock(return_value=httpx.Response(503))
    with pytest.raises(DependencyUnavailable):
        get(client, fake_time)
    assert client.breaker.state == "open"
    fake_time.sleeps.clear()


class TestRetries:
    def test_retries_a_503_then_returns_the_answer(self, fake_time, mock_http):
        route = mock_http.get(PATH).mock(
            side_effect=[
                httpx.Response(503),
                httpx.Response(503),
                httpx.Response(200, json=EMPRESA),
            ]
        )
        client = make_client(fake_time)

        assert get(client, fake_time) == EMPRESA
        assert route.call_count == 3
        assert client.breaker.failures == 0

    @pytest.mark.parametrize(
        "error",
        [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")],
        ids=["connect-error", "read-timeout"],
    )
    def test_retries_a_network_failure_then_returns_the_answer(
        self, fake_time, mock_http, error
    ):
        route = mock_http.get(PATH).mock(
            side_effect=[error, httpx.Response(200, json=EMPRESA)]
        )
        client = make_client(fake_time)

        assert get(client, fake_time) == EMPRESA
        assert route.call_count == 2

    @pytest.mark.parametrize("status", [500, 502, 504])
    def test_every_transient_status_is_retried(self, fake_time, mock_http, status):
        route = mock_http.get(PATH).mock(
            side_effect=[httpx.Response(status), httpx.Response(200, json=EMPRESA)]
        )

        assert get(make_client(fake_time), fake_time) == EMPRESA
        assert route.call_count == 2

    def test_a_404_is_an_answer_not_retried_and_not_counted(self, fake_time, mock_http):
        route = mock_http.get(PATH).mock(
            side_effect=[
                httpx.Response(503),
                httpx.Response(503),
                httpx.Response(404),
            ]
        )
        client = make_client(fake_time)

        assert get(client, fake_time) is None
        assert route.call_count == 3
        # The two 503s stay counted: a 404 neither fails nor resets.
        assert client.breaker.failures == 2

    @pytest.mark.parametrize("status", [400, 401, 403, 422])
    def test_other_4xx_are_not_retried(self, fake_time, mock_http, status):
        route = mock_http.get(PATH).mock(return_value=httpx.Response(status))
        client = make_client(fake_time)

        with pytest.raises(DependencyUnavailable) as raised:
            get(client, fake_time)

        assert raised.value.reason == f"http_{status}"
        assert route.call_count == 1
        assert fake_time.sleeps == []
        assert client.breaker.failures == 0

    @pytest.mark.parametrize(
        ("rand", "expected"),
        [(0.0, [1.0, 2.0, 4.0]), (1.0, [1.5, 3.0, 6.0]), (0.5, [1.25, 2.5, 5.0])],
    )
    def test_waits_grow_exponentially_with_jitter(
        self, fake_time, mock_http, rand, expected
    ):
        mock_http.get(PATH).mock(return_value=httpx.Response(503))
        client = make_client(fake_time, rand=rand)

        with pytest.raises(DependencyUnavailable) as raised:
            get(client, fake_time)

        # The fourth failure opened the breaker, so no fourth wait follows.
        assert raised.value.reason == "breaker_open"
        assert fake_time.sleeps == pytest.approx(expected)

    def test_jitter_survives_the_cap(self, fake_time, mock_http):
        mock_http.get(PATH).mock(return_value=httpx.Response(503))
        client = make_client(fake_time, rand=1.0, wait_max=2.0, fail_max=10)

        with pytest.raises(DependencyUnavailable):
            get(client, fake_time)

        assert fake_time.sleeps == pytest.approx([1.5, 3.0, 3.0])

    def test_gives_up_after_three_retries(self, fake_time, mock_http):
        route = mock_http.get(PATH).mock(return_value=httpx.Response(503))

        with pytest.raises(DependencyUnavailable) as raised:
            get(make_client(fake_time, fail_max=10), fake_time)

        assert raised.value.reason == "retries_exhausted"
        assert route.call_count == 4

    def test_forwards_the_callers_token_and_request_id(self, fake_time, mock_http):
        route = mock_http.get(PATH).mock(return_value=httpx.Response(200, json={}))

        get(make_client(fake_time), fake_time)

        request = route.calls.last.request
        assert request.headers["Authorization"] == "Bearer abc"
        assert request.headers["X-Request-ID"] == "req-1"

    def test_a_2xx_that_is_not_json_counts_as_a_failure(self, fake_time, mock_http):
        route = mock_http.get(PATH).mock(return_value=httpx.Response(200, text="<h"))
        client = make_client(fake_time)

        with pytest.raises(DependencyUnavailable) as raised:
            get(client, fake_time)

        assert raised.value.reason == "bad_response"
        assert route.call_count == 1
        assert client.breaker.failures == 1


class TestBreaker:
    def test_four_failed_attempts_of_one_request_open_it(self, fake_time, mock_http):
        route = mock_http.get(PATH)
        client = make_client(fake_time)

        open_breaker(client, fake_time, route)

        assert route.call_count == 4

    def test_open_breaker_fails_fast_without_network(self, fake_time, mock_http):
        route = mock_http.get(PATH)
        client = make_client(fake_time)
        open_breaker(client, fake_time, route)
        route.reset()

        with pytest.raises(DependencyUnavailable) as raised:
            get(client, fake_time)

        assert raised.value.reason == "breaker_open"
        assert route.call_count == 0
        assert fake_time.sleeps == []

    def test_half_open_trial_success_closes_it(self, fake_time, mock_http):
        route = mock_http.get(PATH)
        client = make_client(fake_time)
        open_breaker(client, fake_time, route)
        route.reset()
        route.mock(return_value=httpx.Response(200, json=EMPRESA))
        fake_time.advance(30.0)

        assert get(client, fake_time) == EMPRESA
        assert route.call_count == 1
        assert client.breaker.state == "closed"
        assert client.breaker.failures == 0

    def test_half_open_trial_failure_reopens_it_without_retrying(
        self, fake_time, mock_http
    ):
        route = mock_http.get(PATH)
        client = make_client(fake_time)
        open_breaker(client, fake_time, route)
        route.reset()
        fake_time.advance(30.0)

        with pytest.raises(DependencyUnavailable) as raised:
            get(client, fake_time)

        assert route.call_count == 1
        assert raised.value.reason == "breaker_open"
        assert client.breaker.state == "open"
        assert fake_time.sleeps == []
        # Open again for a whole reset timeout from the failed trial.
        fake_time.advance(29.0)
        with pytest.raises(DependencyUnavailable):
            get(client, fake_time)
        assert route.call_count == 1

    def test_stays_open_until_the_reset_timeout(self, fake_time, mock_http):
        route = mock_http.get(PATH)
        client = make_client(fake_time)
        open_breaker(client, fake_time, route)
        route.reset()
        fake_time.advance(29.9)

        with pytest.raises(DependencyUnavailable):
            get(client, fake_time)

        assert route.call_count == 0

    def test_a_404_answering_the_trial_closes_it(self, fake_time, mock_http):
        route = mock_http.get(PATH)
        client = make_client(fake_time)
        open_breaker(client, fake_time, route)
        route.mock(return_value=httpx.Response(404))
        fake_time.advance(30.0)

        assert get(client, fake_time) is None
        assert client.breaker.state == "closed"

    def test_only_one_trial_at_a_time(self, fake_time):
        breaker = Breaker("empresas", 1, 30.0, clock=fake_time.wall)
        breaker.record_failure(False, RuntimeError())
        fake_time.advance(30.0)

        assert breaker.admit() is True
        with pytest.raises(clients._BreakerOpen):
            breaker.admit()
        breaker.end_trial(True)
        assert breaker.admit() is True

    def test_a_trial_that_just_failed_does_not_let_a_second_one_start(self, fake_time):
        storage = InterleavedStorage()
        breaker = Breaker("empresas", 1, 30.0, clock=fake_time.wall, storage=storage)
        breaker.record_failure(False, RuntimeError())
        fake_time.advance(30.0)
        assert breaker.admit() is True

        def first_trial_fails():
            breaker.record_failure(True, RuntimeError())
            breaker.end_trial(True)

        # The second call saw "half-open"; the first trial fails and frees its
        # slot just before the second claims it.
        storage.before_claim = first_trial_fails
        with pytest.raises(clients._BreakerOpen):
            breaker.admit()

        assert breaker.state == "open"
        assert storage.claim_trial(1.0) is True  # the slot was given back

    def test_a_success_resets_the_consecutive_count(self, fake_time, mock_http):
        mock_http.get(PATH).mock(
            side_effect=[
                httpx.Response(503),
                httpx.Response(503),
                httpx.Response(503),
                httpx.Response(200, json=EMPRESA),
                httpx.Response(503),
            ]
        )
        client = make_client(fake_time, retries=0)

        for _ in range(3):
            with pytest.raises(DependencyUnavailable):
                get(client, fake_time)
        get(client, fake_time)
        with pytest.raises(DependencyUnavailable):
            get(client, fake_time)

        assert client.breaker.state == "closed"
        assert client.breaker.failures == 1

    def test_an_attempt_in_flight_that_meets_an_open_breaker_stops_retrying(
        self, fake_time, mock_http
    ):
        route = mock_http.get(PATH).mock(return_value=httpx.Response(503))
        client = make_client(fake_time)

        def other_requests_fail_meanwhile():
            for _ in range(3):
                client.breaker.record_failure(False, RuntimeError())

        fake_time.on_sleep = other_requests_fail_meanwhile

        with pytest.raises(DependencyUnavailable) as raised:
            get(client, fake_time)

        assert raised.value.reason == "breaker_open"
        assert route.call_count == 1
        assert len(fake_time.sleeps) == 1

    def test_one_dependency_open_does_not_affect_the_other(self, fake_time, mock_http):
        empresas = make_client(fake_time)
        programacion = make_client(fake_time, name="programacion")
        open_breaker(empresas, fake_time, mock_http.get(PATH))
        c_route = mock_http.get("/programacion/3/").mock(
            return_value=httpx.Response(200, json={"proyecto_id": 3})
        )

        assert get(programacion, fake_time, "/programacion/3/") == {"proyecto_id": 3}
        assert c_route.call_count == 1
        assert programacion.breaker.state == "closed"
        assert empresas.breaker.state == "open"

    def test_state_changes_are_logged_with_the_dependency(
        self, fake_time, mock_http, caplog
    ):
        route = mock_http.get(PATH)
        client = make_client(fake_time)
        caplog.set_level("INFO", logger="app_b.clients")

        open_breaker(client, fake_time, route)
        route.mock(return_value=httpx.Response(200, json=EMPRESA))
        fake_time.advance(30.0)
        get(client, fake_time)

        changes = [r for r in caplog.records if hasattr(r, "to_state")]
        assert [(r.levelname, r.to_state) for r in changes] == [
            ("WARNING", "open"),
            ("INFO", "half-open"),
            ("INFO", "closed"),
        ]
        assert {r.dependency for r in changes} == {"empresas"}


class TestConcurrency:
    def test_concurrent_calls_do_not_queue_behind_the_breaker(self, fake_time):
        first_inside = threading.Event()
        release_first = threading.Event()
        seen = []

        def handler(request):
            seen.append(request.url.path)
            if request.url.path == "/empresas/1/":
                first_inside.set()
                release_first.wait(timeout=5)
            return httpx.Response(200, json={"path": request.url.path})

        with respx.mock(base_url=BASE) as router:
            router.route(method="GET").mock(side_effect=handler)
            client = make_client(fake_time)
            slow = threading.Thread(
                target=get, args=(client, fake_time, "/empresas/1/")
            )
            slow.start()
            assert first_inside.wait(timeout=5)

            # The first call is still inside its HTTP request; a second one
            # through the same breaker must complete regardless.
            answer = get(client, fake_time, "/empresas/2/")

            release_first.set()
            slow.join(timeout=5)

        assert answer == {"path": "/empresas/2/"}
        assert seen == ["/empresas/1/", "/empresas/2/"]

    def test_backoff_sleeps_outside_the_breaker_lock(self, fake_time, mock_http):
        mock_http.get(PATH).mock(
            side_effect=[httpx.Response(503), httpx.Response(200, json=EMPRESA)]
        )
        client = make_client(fake_time)
        finished = []

        def record_from_another_thread():
            other = threading.Thread(
                target=lambda: finished.append(client.breaker.record_success(False))
            )
            other.start()
            other.join(timeout=5)

        fake_time.on_sleep = record_from_another_thread

        assert get(client, fake_time) == EMPRESA
        assert finished == [None]


class TestBudget:
    def test_an_attempt_is_not_started_when_the_budget_is_spent(
        self, fake_time, mock_http
    ):
        route = mock_http.get(PATH).mock(return_value=httpx.Response(200, json={}))
        deadline = budget(fake_time, 1.0)
        fake_time.advance(1.0)

        with pytest.raises(DependencyUnavailable) as raised:
            make_client(fake_time).get_json(PATH, headers=HEADERS, deadline=deadline)

        assert raised.value.reason == "budget_exhausted"
        assert route.call_count == 0

    def test_a_wait_that_would_end_past_the_budget_is_not_started(
        self, fake_time, mock_http
    ):
        route = mock_http.get(PATH).mock(return_value=httpx.Response(503))

        with pytest.raises(DependencyUnavailable) as raised:
            get(make_client(fake_time), fake_time, seconds=3.5)

        # 1 s fits, then 2 s would end at 3 s + an attempt: fits; 4 s doesn't.
        assert fake_time.sleeps == pytest.approx([1.0, 2.0])
        assert route.call_count == 3
        assert raised.value.reason == "budget_exhausted"

    def test_attempt_timeouts_are_clipped_to_the_budget(self, fake_time, mock_http):
        route = mock_http.get(PATH).mock(return_value=httpx.Response(200, json={}))

        get(make_client(fake_time), fake_time, seconds=0.4)

        timeout = route.calls.last.request.extensions["timeout"]
        assert timeout["read"] == pytest.approx(0.4)
        assert timeout["connect"] == pytest.approx(0.4)

    def test_retry_after_that_fits_the_budget_is_honoured(self, fake_time, mock_http):
        mock_http.get(PATH).mock(
            side_effect=[
                httpx.Response(503, headers={"Retry-After": "1"}),
                httpx.Response(200, json=EMPRESA),
            ]
        )

        assert get(make_client(fake_time, rand=1.0), fake_time) == EMPRESA
        assert fake_time.sleeps == [1.0]

    def test_retry_after_past_the_budget_is_not_waited_for(self, fake_time, mock_http):
        route = mock_http.get(PATH).mock(
            return_value=httpx.Response(503, headers={"Retry-After": "120"})
        )

        with pytest.raises(DependencyUnavailable) as raised:
            get(make_client(fake_time), fake_time, seconds=10.0)

        assert fake_time.sleeps == []
        assert route.call_count == 1
        assert raised.value.reason == "budget_exhausted"

    def test_a_429_without_retry_after_is_not_retried_nor_counted(
        self, fake_time, mock_http
    ):
        route = mock_http.get(PATH).mock(return_value=httpx.Response(429))
        client = make_client(fake_time)

        with pytest.raises(DependencyUnavailable) as raised:
            get(client, fake_time)

        assert raised.value.reason == "http_429"
        assert route.call_count == 1
        assert client.breaker.failures == 0


class TestRetryAfterParsing:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("3", 3.0),
            (" 0 ", 0.0),
            ("Thu, 03 Dec 2026 12:00:05 GMT", 5.0),
            ("Thu, 03 Dec 2026 11:00:00 GMT", 0.0),
            ("pronto", None),
            ("", None),
            (None, None),
        ],
    )
    def test_reads_seconds_or_an_http_date(self, fake_time, value, expected):
        assert parse_retry_after(value, fake_time.wall) == expected


class TestRunConcurrently:
    def test_runs_the_calls_at_the_same_time(self, settings):
        settings.DEP_MAX_CONCURRENT_CALLS = 4
        both_running = threading.Barrier(2, timeout=5)

        def call(value):
            def run():
                both_running.wait()
                return value

            return run

        results = run_concurrently(
            {"empresa": call("A"), "programacion": call("C")}, Deadline.after(5.0)
        )

        assert results == {"empresa": "A", "programacion": "C"}

    def test_failures_become_unavailable_parts(self, settings):
        settings.DEP_MAX_CONCURRENT_CALLS = 4

        def unavailable():
            raise DependencyUnavailable("empresas", "breaker_open")

        def broken():
            raise KeyError("internal detail")

        results = run_concurrently(
            {"empresa": unavailable, "programacion": broken, "ok": lambda: 1},
            Deadline.after(5.0),
        )

        assert results["empresa"].reason == "breaker_open"
        assert results["programacion"].reason == "error"
        assert results["ok"] == 1

    def test_a_call_still_running_at_the_deadline_is_unavailable(self, settings):
        settings.DEP_MAX_CONCURRENT_CALLS = 4
        release = threading.Event()
        expired = Deadline(expires_at=0.0, clock=lambda: 1.0)

        results = run_concurrently(
            {"empresa": lambda: release.wait(timeout=5), "ok": lambda: 1}, expired
        )
        release.set()

        assert results["empresa"].reason == "budget_exhausted"


def _sample(name, **labels):
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


class TestMetrics:
    def test_counts_attempts_retries_and_failures_by_kind(self, fake_time, mock_http):
        mock_http.get(PATH).mock(
            side_effect=[
                httpx.ConnectError("refused"),
                httpx.ReadTimeout("slow"),
                httpx.Response(502),
                httpx.Response(200, json=EMPRESA),
            ]
        )
        dep = "metricas-a"
        before = {
            kind: _sample("sap_dependency_failures_total", dependency=dep, kind=kind)
            for kind in ("connection", "timeout", "5xx")
        }
        attempts = _sample("sap_dependency_attempts_total", dependency=dep)
        retries = _sample("sap_dependency_retries_total", dependency=dep)

        get(make_client(fake_time, name=dep), fake_time)

        assert _sample("sap_dependency_attempts_total", dependency=dep) == attempts + 4
        assert _sample("sap_dependency_retries_total", dependency=dep) == retries + 3
        for kind, value in before.items():
            assert _sample(
                "sap_dependency_failures_total", dependency=dep, kind=kind
            ) == (value + 1)

    def test_fast_failures_and_breaker_state_are_exported(self, fake_time, mock_http):
        dep = "metricas-b"
        client = make_client(fake_time, name=dep)
        open_breaker(client, fake_time, mock_http.get(PATH))
        fast = _sample("sap_dependency_fast_failures_total", dependency=dep)

        with pytest.raises(DependencyUnavailable):
            get(client, fake_time)

        assert _sample("sap_dependency_fast_failures_total", dependency=dep) == (
            fast + 1
        )
        assert _sample("sap_breaker_state", dependency=dep) == 2

    def test_broken_metrics_and_logging_do_not_change_the_breaker(
        self, fake_time, mock_http, monkeypatch
    ):
        import logging

        from app_b import metrics

        class BrokenHandler(logging.Handler):
            def emit(self, record):
                raise RuntimeError("log sink down")

        def broken_labels(*args, **kwargs):
            raise RuntimeError("metrics backend down")

        for metric in (metrics.ATTEMPTS, metrics.FAILURES, metrics.BREAKER_STATE):
            monkeypatch.setattr(metric, "labels", broken_labels)
        monkeypatch.setattr(logging, "raiseExceptions", False)
        handler = BrokenHandler()
        logging.getLogger("app_b").addHandler(handler)
        try:
            route = mock_http.get(PATH)
            client = make_client(fake_time)
            open_breaker(client, fake_time, route)
        finally:
            logging.getLogger("app_b").removeHandler(handler)

        assert route.call_count == 4
        assert client.breaker.state == "open"


class TestConstruction:
    @pytest.mark.parametrize(
        ("base", "verifies"),
        [("http://empresas:8002", False), ("https://empresas.gob.bo", True)],
    )
    def test_certificates_are_checked_only_for_https(self, fake_time, base, verifies):
        client = make_client(fake_time, base=base)
        pool = client._http._transport._pool

        assert (pool._ssl_context.verify_mode.name == "CERT_REQUIRED") is verifies
