"""proyectos' detalle when empresas or programación fails, on the real stack.

Every test starts from a healthy stack with both breakers closed and leaves
it so (the ``healthy_stack`` fixture), so they can run alone or in any order.
The stack runs proyectos with short test timings (``PROYECTOS_TEST_ENV``):
breakers open after 3 failed attempts and allow a trial after 2 s, each
attempt waits at most 0.5 s, and a detalle has a 4 s budget.

proyectos keeps a copy of every good answer (in its memory: the tests run it
without Redis) and shows it, marked as such, when a service cannot answer.
With no copy the missing part reads "No disponible temporalmente": the tests
get there with fresh proyectos, and by restarting proyectos, which empties
its copies.
"""

import socket
import time

import httpx
import pytest
import sap_api
from harness import PROYECTOS_TEST_ENV, wait_until

pytestmark = pytest.mark.e2e

BUDGET = float(PROYECTOS_TEST_ENV["DETALLE_BUDGET_SECONDS"])
RESET_TIMEOUT = float(PROYECTOS_TEST_ENV["BREAKER_RESET_TIMEOUT"])
# Slack for the gateway hop and a busy two-core CI machine.
SLACK = 1.0
# An open breaker answers without touching the network: well under one
# attempt's read timeout (0.5 s).
FAST = float(PROYECTOS_TEST_ENV["DEP_READ_TIMEOUT"])
DETALLES_WHILE_OPEN = 10
# From a restart to a full detalle: the reset timeout, the service's start,
# and one trial call.
RECOVERY_DEADLINE = RESET_TIMEOUT + 30


@pytest.fixture
def nuevo_proyecto(gateway, credenciales):
    """Factory: a proyecto with its own empresa and a programación with
    seguimiento, whose detalle nobody has asked for yet."""

    def crear() -> dict:
        empresa = sap_api.empresa_crear(gateway, credenciales)
        proyecto = sap_api.proyecto_crear(gateway, credenciales, empresa["id"])
        sap_api.programacion_crear(gateway, credenciales, proyecto["id"])
        return proyecto

    return crear


@pytest.fixture(scope="module")
def proyecto(gateway, credenciales):
    """A proyecto whose detalle the tests ask while healthy (so it has copies)."""
    empresa = sap_api.empresa_crear(gateway, credenciales)
    creado = sap_api.proyecto_crear(gateway, credenciales, empresa["id"])
    sap_api.programacion_crear(gateway, credenciales, creado["id"])
    return creado


def _wait_for_full_detalle(gateway, credenciales, proyecto_id, timeout):
    """Poll the detalle until it is complete; return (body, seconds waited)."""
    started = time.monotonic()

    def full():
        response, _ = sap_api.detalle(gateway, credenciales, proyecto_id)
        body = response.json()
        return body if response.status_code == 200 and sap_api.is_full(body) else None

    body = wait_until(full, timeout, "a full detalle", interval=0.1)
    return body, time.monotonic() - started


@pytest.fixture
def healthy_stack(stack, gateway, credenciales, proyecto):
    """Start from, and return to, every service up and both breakers closed."""
    _wait_for_full_detalle(gateway, credenciales, proyecto["id"], RECOVERY_DEADLINE)
    yield stack
    stack.start("empresas")
    if stack.processes["programacion"].paused:
        stack.resume("programacion")
    _wait_for_full_detalle(gateway, credenciales, proyecto["id"], RECOVERY_DEADLINE)


def _kill_empresas(stack, gateway, credenciales, proyecto_id, timings):
    """Kill empresas, ask one detalle, and wait until the breaker is open.

    Returns that detalle, how long it took, and when the kill happened
    (monotonic clock).
    """
    stack.kill("empresas")
    killed_at = time.monotonic()
    first, first_s = sap_api.detalle(gateway, credenciales, proyecto_id)
    timings["first_detalle_after_kill_s"] = first_s

    wait_until(
        lambda: sap_api.breaker_estado(gateway, credenciales, "empresas") == "ABIERTO",
        BUDGET,
        "proyectos' breaker for empresas to open",
    )
    return first, first_s, killed_at


def test_killed_empresas_degrades_the_detalle_only_on_empresa(
    healthy_stack,
    gateway,
    credenciales,
    proyecto,
    nuevo_proyecto,
    timings,
    record_property,
):
    fresco = nuevo_proyecto()
    # proyectos checked the empresa when the proyecto was created and kept
    # that answer; a restart empties its in-memory copies.
    healthy_stack.restart("proyectos")
    sap_api.detalle(gateway, credenciales, proyecto["id"])
    healthy, healthy_s = sap_api.detalle(gateway, credenciales, proyecto["id"])
    assert sap_api.is_full(healthy.json())
    timings["healthy_detalle_s"] = healthy_s
    record_property("healthy_detalle_s", round(healthy_s, 3))

    first, first_s, _ = _kill_empresas(
        healthy_stack, gateway, credenciales, fresco["id"], timings
    )
    record_property("first_detalle_after_kill_s", round(first_s, 3))

    assert first.status_code == httpx.codes.OK, first.text
    body = first.json()
    assert body["empresa"] == sap_api.NO_DISPONIBLE
    assert body["frescura"]["empresa"]["estado"] == sap_api.SIN_COPIA
    assert body["mensaje"]
    assert body["proyecto"]["id"] == fresco["id"]
    assert body["programacion"]["proyecto_id"] == fresco["id"]
    assert body["programacion"]["version_vigente"] == 1
    assert body["frescura"]["programacion"]["estado"] == sap_api.ACTUAL
    assert first_s < BUDGET + SLACK


def test_kept_copy_stands_in_for_a_killed_empresas(
    healthy_stack, gateway, credenciales, proyecto, timings
):
    healthy, _ = sap_api.detalle(gateway, credenciales, proyecto["id"])

    first, _, _ = _kill_empresas(
        healthy_stack, gateway, credenciales, proyecto["id"], timings
    )

    body = first.json()
    assert body["empresa"] == healthy.json()["empresa"]
    assert body["frescura"]["empresa"]["estado"] == sap_api.COPIA_GUARDADA
    assert body["frescura"]["empresa"]["obtenida_en"]
    assert "copia guardada" in body["mensaje"]
    assert body["programacion"] == healthy.json()["programacion"]


def test_open_breaker_sends_no_connection_to_empresas(
    healthy_stack, gateway, credenciales, proyecto, timings, record_property
):
    _kill_empresas(healthy_stack, gateway, credenciales, proyecto["id"], timings)
    opened_by = time.monotonic()
    # Stand in for empresas on its port: any call that got past the breaker
    # would connect here.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", healthy_stack.port("empresas")))
    listener.listen(64)
    listener.setblocking(False)
    seconds = []
    try:
        # Only while the breaker must still be open: after the reset timeout
        # it rightly lets one trial call through.
        while (
            len(seconds) < DETALLES_WHILE_OPEN
            and time.monotonic() - opened_by < RESET_TIMEOUT * 0.75
        ):
            response, elapsed = sap_api.detalle(gateway, credenciales, proyecto["id"])
            assert response.status_code == httpx.codes.OK
            frescura = response.json()["frescura"]["empresa"]["estado"]
            assert frescura != sap_api.ACTUAL
            seconds.append(elapsed)
        accepted = 0
        while True:
            try:
                connection, _ = listener.accept()
            except BlockingIOError:
                break
            connection.close()
            accepted += 1
    finally:
        listener.close()
    timings["detalles_breaker_open_s"] = seconds
    record_property("detalles_breaker_open_s", [round(s, 3) for s in seconds])

    assert len(seconds) >= 3, "too few detalles fitted before the reset timeout"
    assert accepted == 0
    assert max(seconds) < FAST


def test_empresas_back_gives_the_full_detalle_after_the_reset_timeout(
    healthy_stack, gateway, credenciales, proyecto, timings, record_property
):
    *_, killed_at = _kill_empresas(
        healthy_stack, gateway, credenciales, proyecto["id"], timings
    )

    healthy_stack.start("empresas")
    body, waited = _wait_for_full_detalle(
        gateway, credenciales, proyecto["id"], RECOVERY_DEADLINE
    )
    timings["full_detalle_after_restart_s"] = waited
    record_property("full_detalle_after_restart_s", round(waited, 3))

    assert body["empresa"]["id"] == proyecto["empresa_id"]
    # The breaker opened after the kill and held for its reset timeout even
    # though empresas was back sooner.
    assert time.monotonic() - killed_at >= RESET_TIMEOUT
    assert sap_api.breaker_estado(gateway, credenciales, "empresas") == "CERRADO"


def test_paused_programacion_degrades_within_the_budget_and_recovers(
    healthy_stack, gateway, credenciales, nuevo_proyecto, timings, record_property
):
    fresco = nuevo_proyecto()

    healthy_stack.pause("programacion")
    response, elapsed = sap_api.detalle(gateway, credenciales, fresco["id"])
    timings["detalle_programacion_paused_s"] = elapsed
    record_property("detalle_programacion_paused_s", round(elapsed, 3))

    assert response.status_code == httpx.codes.OK, response.text
    body = response.json()
    assert body["programacion"] == sap_api.NO_DISPONIBLE
    assert body["frescura"]["programacion"]["estado"] == sap_api.SIN_COPIA
    assert body["mensaje"]
    assert body["empresa"]["id"] == fresco["empresa_id"]
    assert elapsed < BUDGET + SLACK

    healthy_stack.resume("programacion")
    body, waited = _wait_for_full_detalle(
        gateway, credenciales, fresco["id"], RECOVERY_DEADLINE
    )
    timings["full_detalle_after_resume_s"] = waited
    assert body["programacion"]["version_vigente"] == 1
