"""Chaos on the real stack: proyectos' detalle while empresas, programación or
Redis fail.

proyectos runs two workers that share their breakers through Redis, with the
short test policy of ``PROYECTOS_TEST_ENV``: 3 attempts per call (2 retries),
a breaker that opens after 3 failed attempts and allows one trial after 4 s,
attempts of at most 1 s, and a 4 s budget per detalle.

Every test starts from a healthy stack with both breakers closed and leaves
it so (``healthy_stack``), so they run alone or in any order, each within a
bounded time. Tests that put a stand-in server or a connection counter on
empresas' port need that port on this host, so they run on the local back
end only (``local_only``).

proyectos keeps a copy of each good answer in Redis. A proyecto's empresa
is kept from the moment the proyecto is created (proyectos checks it then);
its programación from its first detalle.
"""

import concurrent.futures
import time

import httpx
import pytest
import sap_api
from harness import PROGRAMS, PROYECTOS_TEST_ENV, wait_until
from latency import percentile, run_load, summarise
from standin import Answer, ConnectionCounter, StandIn

pytestmark = pytest.mark.e2e

BUDGET = float(PROYECTOS_TEST_ENV["DETALLE_BUDGET_SECONDS"])
RESET_TIMEOUT = float(PROYECTOS_TEST_ENV["BREAKER_RESET_TIMEOUT"])
# One call to a dependency: the first attempt and its retries.
ATTEMPTS = int(PROYECTOS_TEST_ENV["DEP_RETRIES"]) + 1
# A detalle served while a breaker is open touches no network on that side.
FAST = 0.1
OPEN_DETALLES = 50
LOAD_CLIENTS = 20
LOAD_SECONDS = 10.0
# Each client sends one detalle a second, on a fixed schedule. A detalle
# costs about 27 ms of CPU over all the processes even with the breaker open
# (proyectos, programación, the load itself), so two cores serve about 60 a
# second: clients sending back to back would measure the queue at that
# ceiling, not the breaker (ops/bench.py measures it). At 20 a second the
# machine keeps room for the CPU a virtual machine's host takes now and then.
LOAD_INTERVAL = 1.0
LOAD_P99 = 0.2
# Slack on the budget for the gateway hop and a busy two-core machine.
PAUSED_SLACK = 0.5
# A Retry-After longer than the budget is not waited for: the answer comes
# at once, well inside the budget.
NOT_WAITED = 0.5
# From a restart to a full detalle: the reset timeout, the service's start,
# one trial call, and proyectos going back to Redis after an outage.
RECOVERY_DEADLINE = RESET_TIMEOUT + 30
# Detalles sent while a trial call is held: all must be refused at once.
DURING_TRIAL = 6
# Consecutive fast detalles that show every worker's breaker is open.
FAST_STREAK = 20
MAX_DETALLES_REDIS_DOWN = 80
WARM_UP_BURSTS = 4
WARM_UP_CLIENTS = 8

STAND_IN_ONLY_HERE = (
    "a stand-in server takes empresas' port, which only local processes share"
)


@pytest.fixture(scope="module")
def proyecto(gateway, credenciales):
    """A proyecto with its programación; its empresa as created, in ``empresa``."""
    empresa = sap_api.empresa_crear(gateway, credenciales)
    creado = sap_api.proyecto_crear(gateway, credenciales, empresa["id"])
    sap_api.programacion_crear(gateway, credenciales, creado["id"])
    creado["empresa"] = empresa
    return creado


@pytest.fixture(scope="module")
def warm_workers(stack, credenciales, proyecto):
    """Have every proyectos worker serve detalles before anything is measured.

    A worker builds its HTTP clients on its first detalle (tens of ms each),
    and nginx keeps sending one client's requests down the same kept-alive
    connection, so one worker may see its first detalle in the middle of a
    measurement. Bursts of concurrent detalles open several connections,
    which the workers share between them.
    """
    for _ in range(WARM_UP_BURSTS):
        _concurrent_detalles(stack, credenciales, proyecto["id"], WARM_UP_CLIENTS)


@pytest.fixture
def nuevo_proyecto(gateway, credenciales):
    """Factory: a proyecto whose detalle nobody has asked for (no programación
    copy yet)."""

    def crear() -> dict:
        empresa = sap_api.empresa_crear(gateway, credenciales)
        creado = sap_api.proyecto_crear(gateway, credenciales, empresa["id"])
        sap_api.programacion_crear(gateway, credenciales, creado["id"])
        return creado

    return crear


def _wait_for_full_detalle(gateway, credenciales, proyecto_id, timeout):
    """Poll the detalle until it is complete; return (body, seconds waited)."""
    started = time.monotonic()

    def full():
        response, _ = sap_api.detalle(gateway, credenciales, proyecto_id)
        body = response.json()
        ok = response.status_code == httpx.codes.OK and sap_api.is_full(body)
        return body if ok else None

    body = wait_until(full, timeout, "a full detalle", interval=0.1)
    return body, time.monotonic() - started


def _wait_for_breaker(gateway, credenciales, dependency, estado, timeout):
    """Poll /proyectos/resiliencia/ until ``dependency``'s breaker is ``estado``.

    Returns that dependency's report.
    """

    def reached():
        report = sap_api.resiliencia(gateway, credenciales)[dependency]
        return report if report["estado"] == estado else None

    return wait_until(reached, timeout, f"the breaker for {dependency} {estado}")


@pytest.fixture
def healthy_stack(stack, gateway, credenciales, proyecto, warm_workers):
    """Start from, and return to, every program up and both breakers closed."""
    _wait_for_full_detalle(gateway, credenciales, proyecto["id"], RECOVERY_DEADLINE)
    yield stack
    for name in PROGRAMS:
        if stack.is_paused(name):
            stack.resume(name)
        if not stack.is_running(name):
            stack.start(name)
    _wait_for_full_detalle(gateway, credenciales, proyecto["id"], RECOVERY_DEADLINE)


@pytest.fixture
def empresas_stand_in(healthy_stack):
    """Factory: kill empresas and serve its port with a StandIn instead.

    Closed before ``healthy_stack`` brings the real empresas back.
    """
    started = []

    def take_over(default: Answer) -> StandIn:
        healthy_stack.kill("empresas")
        stand_in = StandIn(healthy_stack.port("empresas"), default)
        started.append(stand_in)
        return stand_in

    yield take_over
    for stand_in in started:
        stand_in.close()


def _concurrent_detalles(stack, credenciales, proyecto_id, count):
    """``count`` detalles at once, each on its own connection; the responses."""

    def one(_):
        with httpx.Client(base_url=stack.gateway_url(""), timeout=30.0) as client:
            response, _ = sap_api.detalle(client, credenciales, proyecto_id)
            return response

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count), timeout=30))


def _kill_empresas_until_open(stack, gateway, credenciales, proyecto_id):
    """Kill empresas, ask one detalle, wait until the breaker reports open.

    Returns that detalle, its seconds, and the monotonic time at which the
    breaker will allow its trial call.
    """
    stack.kill("empresas")
    first, first_s = sap_api.detalle(gateway, credenciales, proyecto_id)
    report = _wait_for_breaker(gateway, credenciales, "empresas", "ABIERTO", BUDGET)
    # Reported to a tenth of a second: take the earlier end.
    trial_due = time.monotonic() + report["segundos_para_prueba"] - 0.1
    return first, first_s, trial_due


def _detalles_while_open(gateway, credenciales, proyecto_id, count):
    """``count`` detalles in a row, each a 200 without a live empresa; seconds."""
    seconds = []
    for _ in range(count):
        response, elapsed = sap_api.detalle(gateway, credenciales, proyecto_id)
        assert response.status_code == httpx.codes.OK, response.text
        assert sap_api.frescura(response.json(), "empresa") != sap_api.ACTUAL
        seconds.append(elapsed)
    return seconds


def test_killed_empresas_degrades_then_the_open_breaker_answers_fast(
    healthy_stack, gateway, credenciales, proyecto, timings
):
    sent = time.monotonic()
    first, first_s, _ = _kill_empresas_until_open(
        healthy_stack, gateway, credenciales, proyecto["id"]
    )
    seconds = _detalles_while_open(gateway, credenciales, proyecto["id"], OPEN_DETALLES)
    healthy_stack.start("empresas")
    _, recovery_s = _wait_for_full_detalle(
        gateway, credenciales, proyecto["id"], RECOVERY_DEADLINE
    )
    timings(
        "killed_empresas",
        first_detalle_s=first_s,
        open_breaker_detalles=len(seconds),
        open_breaker_p50_s=percentile(seconds, 50),
        open_breaker_max_s=max(seconds),
        full_detalle_after_restart_s=recovery_s,
    )

    assert first.status_code == httpx.codes.OK, first.text
    body = first.json()
    assert sap_api.frescura(body, "empresa") != sap_api.ACTUAL
    assert body["mensaje"]
    assert body["proyecto"]["id"] == proyecto["id"]
    assert sap_api.frescura(body, "programacion") == sap_api.ACTUAL
    assert first_s < BUDGET
    assert max(seconds) < FAST, seconds
    # The breaker held for its reset timeout although empresas was back.
    assert time.monotonic() - sent >= RESET_TIMEOUT


@pytest.mark.local_only(
    "a connection counter listens on empresas' port, which only local processes share"
)
def test_open_breaker_sends_no_connection_to_the_dead_port(
    healthy_stack, gateway, credenciales, proyecto, timings
):
    _, _, trial_due = _kill_empresas_until_open(
        healthy_stack, gateway, credenciales, proyecto["id"]
    )
    with ConnectionCounter(healthy_stack.port("empresas")) as counter:
        seconds = _detalles_while_open(
            gateway, credenciales, proyecto["id"], OPEN_DETALLES
        )
        finished = time.monotonic()
        accepted = counter.count()
    timings("killed_empresas", connections_to_dead_port=accepted)

    # Past the reset timeout one trial call rightly connects: the detalles
    # must all have been served before it was due.
    assert finished < trial_due, "the detalles outlasted the open breaker"
    assert accepted == 0
    assert max(seconds) < FAST, seconds


def test_paused_programacion_degrades_within_the_budget_and_recovers(
    healthy_stack, gateway, credenciales, nuevo_proyecto, timings
):
    fresco = nuevo_proyecto()

    healthy_stack.pause("programacion")
    sent = time.monotonic()
    response, elapsed = sap_api.detalle(gateway, credenciales, fresco["id"])
    _wait_for_breaker(gateway, credenciales, "programacion", "ABIERTO", BUDGET)
    healthy_stack.resume("programacion")
    body, recovery_s = _wait_for_full_detalle(
        gateway, credenciales, fresco["id"], RECOVERY_DEADLINE
    )
    timings(
        "paused_programacion",
        degraded_detalle_s=elapsed,
        full_detalle_after_resume_s=recovery_s,
    )

    assert response.status_code == httpx.codes.OK, response.text
    degraded = response.json()
    # Never answered before, so proyectos holds no copy of it.
    assert degraded["programacion"] == sap_api.NO_DISPONIBLE
    assert sap_api.frescura(degraded, "programacion") == sap_api.SIN_COPIA
    assert degraded["mensaje"]
    assert degraded["empresa"]["id"] == fresco["empresa_id"]
    assert elapsed < BUDGET + PAUSED_SLACK
    assert body["programacion"]["version_vigente"] == 1
    assert time.monotonic() - sent >= RESET_TIMEOUT


@pytest.mark.local_only(STAND_IN_ONLY_HERE)
def test_empresas_503_is_retried_then_one_trial_call_lets_traffic_resume(
    healthy_stack, gateway, credenciales, proyecto, empresas_stand_in, timings
):
    stand_in = empresas_stand_in(Answer(httpx.codes.SERVICE_UNAVAILABLE))

    degraded, _ = sap_api.detalle(gateway, credenciales, proyecto["id"])
    attempts = stand_in.count
    report = _wait_for_breaker(gateway, credenciales, "empresas", "ABIERTO", BUDGET)
    trial_due = time.monotonic() + report["segundos_para_prueba"]
    while_open = _detalles_while_open(gateway, credenciales, proyecto["id"], 5)
    reached_while_open = stand_in.count - attempts

    # empresas recovers; hold the first call that reaches it, the trial,
    # while other detalles arrive.
    stand_in.default = Answer(httpx.codes.OK, proyecto["empresa"])
    stand_in.hold_next()
    time.sleep(max(0.0, trial_due - time.monotonic()) + 0.2)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        trial = pool.submit(
            _concurrent_detalles, healthy_stack, credenciales, proyecto["id"], 1
        )
        stand_in.wait_for(attempts + 1, timeout=BUDGET)
        during_trial = _concurrent_detalles(
            healthy_stack, credenciales, proyecto["id"], DURING_TRIAL
        )
        reached_during_trial = stand_in.count - attempts
        stand_in.release()
        (trial_response,) = trial.result(timeout=BUDGET + 5)
    estado_after_trial = sap_api.breaker_estado(gateway, credenciales, "empresas")
    after, _ = sap_api.detalle(gateway, credenciales, proyecto["id"])
    timings(
        "empresas_503",
        attempts_before_open=attempts,
        requests_while_open=reached_while_open,
        requests_during_trial=reached_during_trial,
    )

    assert degraded.status_code == httpx.codes.OK
    assert sap_api.frescura(degraded.json(), "empresa") != sap_api.ACTUAL
    assert attempts == ATTEMPTS
    assert max(while_open) < FAST
    assert reached_while_open == 0
    assert not stand_in.held_too_long, "the other detalles outlasted the hold"
    assert reached_during_trial == 1
    for response in during_trial:
        assert response.status_code == httpx.codes.OK
        assert sap_api.frescura(response.json(), "empresa") != sap_api.ACTUAL
    assert trial_response.status_code == httpx.codes.OK
    assert sap_api.is_full(trial_response.json())
    assert estado_after_trial == "CERRADO"
    assert sap_api.is_full(after.json())
    assert stand_in.count == attempts + 2


@pytest.mark.local_only(STAND_IN_ONLY_HERE)
def test_retry_after_within_the_budget_is_honoured(
    healthy_stack, gateway, credenciales, proyecto, empresas_stand_in, timings
):
    stand_in = empresas_stand_in(Answer(httpx.codes.OK, proyecto["empresa"]))
    stand_in.script(
        Answer(httpx.codes.SERVICE_UNAVAILABLE, headers={"Retry-After": "1"})
    )

    response, elapsed = sap_api.detalle(gateway, credenciales, proyecto["id"])
    arrivals = stand_in.arrivals
    timings(
        "retry_after",
        honoured_wait_s=arrivals[-1] - arrivals[0],
        honoured_detalle_s=elapsed,
    )

    assert len(arrivals) == 2
    assert arrivals[1] - arrivals[0] >= 1.0
    assert response.status_code == httpx.codes.OK
    body = response.json()
    assert sap_api.is_full(body)
    assert body["empresa"] == proyecto["empresa"]
    assert elapsed < BUDGET


@pytest.mark.local_only(STAND_IN_ONLY_HERE)
def test_retry_after_beyond_the_budget_is_not_waited_for(
    healthy_stack, gateway, credenciales, proyecto, empresas_stand_in, timings
):
    stand_in = empresas_stand_in(Answer(httpx.codes.OK, proyecto["empresa"]))
    stand_in.script(
        Answer(httpx.codes.SERVICE_UNAVAILABLE, headers={"Retry-After": "120"})
    )

    response, elapsed = sap_api.detalle(gateway, credenciales, proyecto["id"])
    timings("retry_after", ignored_detalle_s=elapsed)

    assert response.status_code == httpx.codes.OK
    assert sap_api.frescura(response.json(), "empresa") == sap_api.COPIA_GUARDADA
    assert elapsed < NOT_WAITED
    assert stand_in.count == 1


def test_load_while_empresas_is_down_gets_no_5xx_and_fast_answers(
    healthy_stack, gateway, credenciales, proyecto, timings
):
    healthy_stack.kill("empresas")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        load = pool.submit(
            run_load,
            healthy_stack.gateway_url(""),
            f"/proyectos/detalle/{proyecto['id']}/",
            credenciales,
            clients=LOAD_CLIENTS,
            seconds=LOAD_SECONDS,
            interval=LOAD_INTERVAL,
        )
        _wait_for_breaker(gateway, credenciales, "empresas", "ABIERTO", BUDGET)
        open_seen = time.monotonic()
        samples = load.result(timeout=LOAD_SECONDS + 60)
    after_open = [s.seconds for s in samples if s.started >= open_seen]
    statuses = {s.status for s in samples}
    server_errors = sum(1 for s in samples if s.status is None or s.status >= 500)
    stats = summarise(after_open)
    timings(
        "load_empresas_down",
        clients=LOAD_CLIENTS,
        offered_per_s=LOAD_CLIENTS / LOAD_INTERVAL,
        requests=len(samples),
        requests_after_open=stats["n"],
        server_errors=server_errors,
        p50_s=stats["p50_s"],
        p99_s=stats["p99_s"],
        max_s=stats["max_s"],
        max_before_open_s=max(s.seconds for s in samples if s.started < open_seen),
    )

    assert server_errors == 0
    assert statuses == {httpx.codes.OK}
    assert stats["p99_s"] < LOAD_P99, stats


def test_kept_empresa_stands_in_for_a_killed_empresas_with_its_age(
    healthy_stack, gateway, credenciales, proyecto, timings
):
    healthy, _ = sap_api.detalle(gateway, credenciales, proyecto["id"])

    healthy_stack.kill("empresas")
    response, elapsed = sap_api.detalle(gateway, credenciales, proyecto["id"])
    timings("kept_empresa", degraded_detalle_s=elapsed)

    assert sap_api.is_full(healthy.json())
    assert response.status_code == httpx.codes.OK
    body = response.json()
    assert body["empresa"] == healthy.json()["empresa"]
    frescura = body["frescura"]["empresa"]
    assert frescura["estado"] == sap_api.COPIA_GUARDADA
    assert frescura["antiguedad_segundos"] >= 0
    assert frescura["obtenida_en"]
    assert "copia guardada" in body["mensaje"]
    assert body["programacion"] == healthy.json()["programacion"]


def _shared_again(gateway, credenciales) -> bool:
    report = sap_api.resiliencia(gateway, credenciales)
    return all(parte["estado_compartido"] == "redis" for parte in report.values())


def test_detalle_and_breakers_keep_working_while_redis_is_down(
    healthy_stack, gateway, credenciales, proyecto, timings
):
    healthy_stack.stop("redis")
    without_redis, _ = sap_api.detalle(gateway, credenciales, proyecto["id"])
    compartido = sap_api.resiliencia(gateway, credenciales)["empresas"][
        "estado_compartido"
    ]

    healthy_stack.kill("empresas")
    # Concurrent detalles reach both workers, so each meets the failure with
    # its own breaker; sequential ones then show those breakers open.
    burst = _concurrent_detalles(
        healthy_stack, credenciales, proyecto["id"], WARM_UP_CLIENTS
    )
    seconds, bodies, streak = [], [response.json() for response in burst], 0
    while streak < FAST_STREAK and len(seconds) < MAX_DETALLES_REDIS_DOWN:
        response, elapsed = sap_api.detalle(gateway, credenciales, proyecto["id"])
        assert response.status_code == httpx.codes.OK, response.text
        seconds.append(elapsed)
        bodies.append(response.json())
        streak = streak + 1 if elapsed < FAST else 0
    slow = [s for s in seconds if s >= FAST]

    healthy_stack.start("redis")
    healthy_stack.start("empresas")
    _, recovery_s = _wait_for_full_detalle(
        gateway, credenciales, proyecto["id"], RECOVERY_DEADLINE
    )
    # Until every worker has gone back to Redis, poll a few answers in a row.
    wait_until(
        lambda: all(_shared_again(gateway, credenciales) for _ in range(6)),
        RECOVERY_DEADLINE,
        "every worker of proyectos to share its breakers through Redis again",
        interval=0.5,
    )
    timings(
        "redis_down",
        burst_max_s=max(r.elapsed.total_seconds() for r in burst),
        detalles=len(seconds),
        slow_detalles=len(slow),
        fast_p50_s=percentile(seconds[-FAST_STREAK:], 50),
        fast_max_s=max(seconds[-FAST_STREAK:]),
        full_detalle_after_restart_s=recovery_s,
    )

    assert sap_api.is_full(without_redis.json())
    assert compartido == "local_por_falla_de_redis"
    assert {response.status_code for response in burst} == {httpx.codes.OK}
    # Without Redis no copy can be read: the empresa is plainly missing.
    for body in bodies:
        assert sap_api.frescura(body, "empresa") == sap_api.SIN_COPIA
        assert sap_api.frescura(body, "programacion") == sap_api.ACTUAL
    # Each worker opened its own breaker (at most once each), then answered
    # fast.
    assert streak == FAST_STREAK, seconds
    assert len(slow) <= healthy_stack.proyectos_workers, seconds
