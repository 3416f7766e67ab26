"""Fixtures of the cross-service tests: the real stack, a user, timings.

Every end-to-end test runs once per back end of ``harness.Stack``:

- ``local`` (the default): local processes, started once per session. It
  needs nginx, redis-server and PostgreSQL; without one of them the tests
  are skipped with the reason, except under CI (``CI=true``), where they
  must run and so fail instead.
- ``compose``: the services of docker-compose.yml. It runs wherever a Docker
  engine answers, and is skipped with that reason elsewhere.

``SAP_E2E_BACKEND`` narrows the choice (``local``, ``compose`` or
``local,compose``); a back end named there must run, so a named ``compose``
without an engine fails under CI instead of skipping.

A test that needs the services' own ports on this host (a stand-in server,
a connection counter) is marked ``local_only`` with the reason, and skipped
on the compose back end.

What the scenarios measure (``timings``) is written to
``var/e2e-timings.json`` and shown at the end of the run.
"""

import contextlib
import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg2
import pytest
from harness import (
    PROGRAMS,
    ROOT,
    ComposeStack,
    LocalStack,
    Stack,
    docker_engine_answers,
    find_nginx,
    find_redis_server,
)

DEFAULT_PG_SERVER = "postgres://postgres@127.0.0.1:5432"
BACKENDS = ("local", "compose")
BACKEND_VARIABLE = "SAP_E2E_BACKEND"
TIMINGS_FILE = ROOT / "var" / "e2e-timings.json"
LOGS_DIR = ROOT / "var" / "e2e-logs"
TIMINGS = pytest.StashKey[dict]()


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str):
    """Skip on a developer machine; fail under CI, where everything must run."""
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: end-to-end tests must run)", pytrace=False)
    pytest.skip(reason)


def _selected_backends() -> list[str] | None:
    """The back ends named by ``SAP_E2E_BACKEND``, or None when it is unset."""
    value = os.environ.get(BACKEND_VARIABLE, "")
    names = [name.strip() for name in value.split(",") if name.strip()]
    return names or None


def _pg_server() -> str:
    # ops/test.sh exports the server it found ("" when there is none).
    return os.environ.get("SAP_TEST_PG_SERVER", DEFAULT_PG_SERVER)


def pytest_configure(config):
    unknown = set(_selected_backends() or ()) - set(BACKENDS)
    if unknown:
        raise pytest.UsageError(
            f"{BACKEND_VARIABLE}: unknown back end {', '.join(sorted(unknown))}; "
            f"use {' or '.join(BACKENDS)}, or both separated by a comma"
        )
    config.stash[TIMINGS] = {}


def pytest_runtest_setup(item):
    """Skip a ``local_only`` test on the compose back end, saying why."""
    marker = item.get_closest_marker("local_only")
    callspec = getattr(item, "callspec", None)
    if marker and callspec and callspec.params.get("backend") == "compose":
        pytest.skip(f"local back end only: {marker.args[0]}")


@pytest.fixture(scope="session")
def nginx() -> str:
    """The nginx binary."""
    path = find_nginx()
    if path is None:
        _unavailable("nginx is not installed (ops/bootstrap.sh installs it)")
    return path


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    """The back end of this parametrisation, if it is selected and can run."""
    name = request.param
    selected = _selected_backends()
    if selected is not None and name not in selected:
        pytest.skip(
            f"the {name} back end is not selected "
            f"({BACKEND_VARIABLE}={','.join(selected)})"
        )
    if name == "compose" and not docker_engine_answers():
        reason = "no Docker engine answers (`docker info` failed)"
        if selected is None:
            # Not asked for by name: a machine without an engine simply
            # cannot run this back end, CI included.
            pytest.skip(f"compose back end: {reason}")
        _unavailable(f"{BACKEND_VARIABLE} selects compose, but {reason}")
    return name


def _local_stack(nginx: str, workdir: Path) -> LocalStack:
    redis_server = find_redis_server()
    if redis_server is None:
        _unavailable(
            "redis-server is not installed (apt-get install redis-server): "
            "proyectos' two workers share their breakers through it"
        )
    pg_server = _pg_server()
    if not pg_server:
        _unavailable("no PostgreSQL server reachable for the end-to-end tests")
    try:
        psycopg2.connect(f"{pg_server}/postgres", connect_timeout=3).close()
    except psycopg2.OperationalError:
        where = urlsplit(pg_server)
        _unavailable(f"PostgreSQL at {where.hostname}:{where.port} is unreachable")
    return LocalStack(workdir, pg_server, nginx=nginx, redis_server=redis_server)


@pytest.fixture(scope="session")
def stack(backend, request):
    """SAP on the selected back end, started once for the session."""
    if backend == "local":
        nginx_path = request.getfixturevalue("nginx")
    # nginx's workers run as nobody under root and must reach their buffers.
    workdir = Path(tempfile.mkdtemp(prefix=f"sap-e2e-{backend}-"))
    workdir.chmod(0o755)
    try:
        if backend == "local":
            running: Stack = _local_stack(nginx_path, workdir)
        else:
            running = ComposeStack(workdir)
        try:
            running.prepare()
            running.start_all()
            yield running
        finally:
            running.close()
            # Kept for a post-mortem of the last run. A copy that fails must
            # not hide the error that ended the session.
            logs = LOGS_DIR / backend
            shutil.rmtree(logs, ignore_errors=True)
            with contextlib.suppress(OSError):
                shutil.copytree(workdir / "logs", logs)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def gateway(stack):
    """An HTTP client on the gateway; no service is reached any other way."""
    with httpx.Client(base_url=stack.gateway_url(""), timeout=30.0) as client:
        yield client


@pytest.fixture(scope="session")
def credenciales(gateway):
    """Register a fresh user through the gateway and return its bearer header."""
    username = f"e2e_{uuid.uuid4().hex[:10]}"
    password = f"Clave-{uuid.uuid4().hex}"
    registro = gateway.post(
        "/auth/register/",
        json={
            "username": username,
            "password": password,
            "email": f"{username}@example.com",
        },
    )
    assert registro.status_code == httpx.codes.CREATED, registro.text
    token = gateway.post(
        "/auth/token/", json={"username": username, "password": password}
    )
    assert token.status_code == httpx.codes.OK, token.text
    return {"Authorization": f"Bearer {token.json()['access']}"}


@pytest.fixture
def timings(request, stack, record_property):
    """Record what a scenario measured: ``timings("scenario", name=value...)``.

    Seconds are named ``*_s``; other values are counts. They go to
    var/e2e-timings.json, the run's summary and the JUnit report.
    """
    measured = request.config.stash[TIMINGS]

    def record(scenario: str, **values: float) -> None:
        rounded = {
            key: round(value, 4) if isinstance(value, float) else value
            for key, value in values.items()
        }
        measured.setdefault(stack.backend, {}).setdefault(scenario, {}).update(rounded)
        for key, value in rounded.items():
            record_property(f"{scenario}.{key}", value)

    return record


def pytest_sessionfinish(session):
    measured = session.config.stash.get(TIMINGS, None)
    if measured:
        TIMINGS_FILE.parent.mkdir(parents=True, exist_ok=True)
        TIMINGS_FILE.write_text(json.dumps(measured, indent=2, sort_keys=True) + "\n")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Show what the chaos scenarios measured, without print()."""
    measured = config.stash.get(TIMINGS, None)
    if not measured:
        return
    terminalreporter.section("chaos timings (*_s in seconds, others are counts)")
    for backend, scenarios in sorted(measured.items()):
        for scenario, values in sorted(scenarios.items()):
            shown = "  ".join(
                f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}"
                for key, value in sorted(values.items())
            )
            terminalreporter.write_line(f"[{backend}] {scenario}: {shown}")
    terminalreporter.write_line(f"(also in {TIMINGS_FILE.relative_to(ROOT)})")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the end of every program's log to a failed end-to-end test."""
    report = yield
    running = item.funcargs.get("stack") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(running, Stack):
        tails = "\n".join(running.log_tail(name) for name in PROGRAMS)
        report.sections.append(("service logs", tails))
    return report
