"""Fixtures of the cross-service tests: the real stack, a user, timings.

The stack is started once per session (see ``harness.LocalStack``). Without
nginx or PostgreSQL the end-to-end tests are skipped with the reason, except
under CI (``CI=true``), where they must run and so fail instead.
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
from harness import ROOT, SERVICES, LocalStack, find_nginx

DEFAULT_PG_SERVER = "postgres://postgres@127.0.0.1:5432"
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


def _pg_server() -> str:
    # ops/test.sh exports the server it found ("" when there is none).
    return os.environ.get("SAP_TEST_PG_SERVER", DEFAULT_PG_SERVER)


@pytest.fixture(scope="session")
def nginx() -> str:
    """The nginx binary."""
    path = find_nginx()
    if path is None:
        _unavailable("nginx is not installed (ops/bootstrap.sh installs it)")
    return path


@pytest.fixture(scope="session")
def stack(nginx):
    """The four services and the gateway, started once for the session."""
    pg_server = _pg_server()
    if not pg_server:
        _unavailable("no PostgreSQL server reachable for the end-to-end tests")
    try:
        psycopg2.connect(f"{pg_server}/postgres", connect_timeout=3).close()
    except psycopg2.OperationalError:
        where = urlsplit(pg_server)
        _unavailable(f"PostgreSQL at {where.hostname}:{where.port} is unreachable")

    # nginx's workers run as nobody under root and must reach their buffers.
    workdir = Path(tempfile.mkdtemp(prefix="sap-e2e-"))
    workdir.chmod(0o755)
    local = LocalStack(
        workdir,
        pg_server,
        nginx=nginx,
        # Breakers in proyectos' memory, not in a Redis that a `make up`
        # stack or an earlier run may share: one worker keeps them exact.
        service_env={"REDIS_URL": ""},
    )
    try:
        local.prepare()
        local.start_all()
        yield local
    finally:
        local.close()
        # Kept for a post-mortem of the last run; the work dir goes. A copy
        # that fails must not hide the error that ended the session.
        shutil.rmtree(LOGS_DIR, ignore_errors=True)
        with contextlib.suppress(OSError):
            shutil.copytree(workdir / "logs", LOGS_DIR)
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


@pytest.fixture(scope="session")
def timings(request):
    """Seconds measured by the tests, by name; written to var/e2e-timings.json."""
    measured: dict[str, float | list[float]] = {}
    request.config.stash[TIMINGS] = measured
    yield measured
    if measured:
        TIMINGS_FILE.parent.mkdir(parents=True, exist_ok=True)
        TIMINGS_FILE.write_text(json.dumps(measured, indent=2, sort_keys=True) + "\n")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Show what the resilience tests measured, without print()."""
    measured = config.stash.get(TIMINGS, None)
    if not measured:
        return
    terminalreporter.section("detalle timings (seconds)")
    for name, value in sorted(measured.items()):
        if isinstance(value, list):
            shown = ", ".join(f"{v:.3f}" for v in value)
            terminalreporter.write_line(f"{name}: [{shown}] (max {max(value):.3f})")
        else:
            terminalreporter.write_line(f"{name}: {value:.3f}")
    terminalreporter.write_line(f"(also in {TIMINGS_FILE.relative_to(ROOT)})")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the end of every service's log to a failed end-to-end test."""
    report = yield
    local = item.funcargs.get("stack") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(local, LocalStack):
        tails = "\n".join(local.log_tail(name) for name in (*SERVICES, "gateway"))
        report.sections.append(("service logs", tails))
    return report
