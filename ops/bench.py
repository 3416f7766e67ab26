"""Benchmark proyectos' detalle through nginx, on a stack of its own.

Usage (``make bench``)::

    .venv/bin/python ops/bench.py [--requests N] [--clients C] [--seconds T]
                                  [--open-requests M] [--policy production|test]

It starts the real stack as the end-to-end tests do (``tests/harness.py``):
the four services under gunicorn, nginx, a Redis, fresh PostgreSQL databases
``sap_bench_*``, all on free loopback ports. It creates one proyecto with
its empresa and programación through the gateway, warms every worker up,
then measures ``GET /proyectos/detalle/<id>/``:

1. healthy: N requests one after another; then C clients sending back to
   back for T seconds (throughput);
2. empresas killed (SIGKILL): the first request, the requests until the
   breaker opens, then M requests with it open and C clients back to back
   for T seconds; then the time from restarting empresas to a full detalle;
3. programación paused (SIGSTOP): the same, with SIGCONT to end it.

``--policy production`` (the default) keeps proyectos' own retry and breaker
settings, so the first requests after a failure take seconds, as they would
in production; ``--policy test`` uses the end-to-end tests' short ones.
Progress goes to stderr; the table, which is the program's output, to
stdout. Everything it started is stopped, whatever happens.
"""

import argparse
import contextlib
import logging
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import sap_api  # noqa: E402
from harness import (  # noqa: E402
    PROYECTOS_TEST_ENV,
    LocalStack,
    StackError,
    find_nginx,
    find_redis_server,
    wait_until,
)
from latency import run_load, summarise  # noqa: E402

logger = logging.getLogger("bench")

DEFAULT_PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# Far above any detalle's budget: a request that takes this long is a fault.
REQUEST_TIMEOUT = 60.0
WARM_UP_SECONDS = 3.0
# A breaker opens after BREAKER_FAIL_MAX failed attempts, at most a few
# detalles; more than this means it never will.
MAX_REQUESTS_UNTIL_OPEN = 10
# After a dependency is back: the reset timeout, then one trial call.
RECOVERY_MARGIN = 60.0


class Table:
    """Rows of latency figures, written as one aligned table."""

    HEADER = ("detalle", "n", "p50 ms", "p95 ms", "p99 ms", "max ms", "")

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(self, scenario: str, seconds: list[float], note: str = "") -> None:
        """A row for ``seconds``, one entry per request."""
        stats = summarise(seconds)
        figures = [
            f"{stats[key] * 1000:.1f}" for key in ("p50_s", "p95_s", "p99_s", "max_s")
        ]
        self.rows.append((scenario, str(stats["n"]), *figures, note))

    def add_single(self, scenario: str, seconds: float, note: str = "") -> None:
        """A row for one measured duration."""
        self.rows.append((scenario, "1", "", "", "", f"{seconds * 1000:.1f}", note))

    def render(self) -> str:
        widths = [
            max(len(row[i]) for row in (self.HEADER, *self.rows))
            for i in range(len(self.HEADER))
        ]
        lines = []
        for row in (self.HEADER, *self.rows):
            cells = [row[0].ljust(widths[0])]
            cells += [
                cell.rjust(width)
                for cell, width in zip(row[1:-1], widths[1:-1], strict=True)
            ]
            cells.append(row[-1])
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines) + "\n"


def _sign_in(client: httpx.Client) -> dict[str, str]:
    """Register a user for this run and return its bearer header."""
    username = f"bench_{uuid.uuid4().hex[:8]}"
    password = f"Clave-{uuid.uuid4().hex}"
    credentials = {"username": username, "password": password}
    registro = client.post(
        "/auth/register/",
        json={**credentials, "email": f"{username}@example.com"},
    )
    registro.raise_for_status()
    token = client.post("/auth/token/", json=credentials)
    token.raise_for_status()
    return {"Authorization": f"Bearer {token.json()['access']}"}


def _sequential(client, headers, proyecto_id: int, count: int) -> list[float]:
    """Seconds of ``count`` detalles one after another; each must be a 200."""
    seconds = []
    for _ in range(count):
        response, elapsed = sap_api.detalle(client, headers, proyecto_id)
        if response.status_code != httpx.codes.OK:
            raise StackError(f"detalle answered {response.status_code}")
        seconds.append(elapsed)
    return seconds


def _concurrent(table: Table, label: str, base_url: str, path: str, headers, args):
    """A row for ``args.clients`` clients sending back to back for a while."""
    samples = run_load(
        base_url,
        path,
        headers,
        clients=args.clients,
        seconds=args.seconds,
        timeout=REQUEST_TIMEOUT,
    )
    errors = sum(1 for s in samples if s.status != httpx.codes.OK)
    span = max(s.started + s.seconds for s in samples) - samples[0].started
    table.add(
        f"{label}, {args.clients} clients x {args.seconds:.0f} s",
        [s.seconds for s in samples],
        f"{len(samples) / span:.1f} detalles/s, {errors} not 200",
    )


def _failure_phase(
    table: Table,
    label: str,
    *,
    client: httpx.Client,
    headers: dict[str, str],
    proyecto_id: int,
    dependency: str,
    fail: Callable[[], None],
    recover: Callable[[], None],
    open_requests: int,
    reset_timeout: float,
    concurrent: Callable[[str], None],
) -> None:
    """Measure the detalle from a dependency's failure to its recovery."""
    logger.info("%s: failing %s", label, dependency)
    fail()
    first = _sequential(client, headers, proyecto_id, 1)[0]
    table.add_single(f"{label}: first request", first)
    until_open = []
    while sap_api.breaker_estado(client, headers, dependency) != "ABIERTO":
        if len(until_open) >= MAX_REQUESTS_UNTIL_OPEN:
            raise StackError(f"the breaker for {dependency} never opened")
        until_open += _sequential(client, headers, proyecto_id, 1)
    if until_open:
        table.add(f"{label}: until the breaker opened", until_open)
    table.add(
        f"{label}: breaker open",
        _sequential(client, headers, proyecto_id, open_requests),
    )
    # Still well inside the reset timeout: the breaker stays open throughout.
    concurrent(f"{label}: breaker open")
    logger.info("%s: recovering %s", label, dependency)
    recover()
    started = time.monotonic()
    wait_until(
        lambda: sap_api.is_full(
            sap_api.detalle(client, headers, proyecto_id)[0].json()
        ),
        reset_timeout + RECOVERY_MARGIN,
        "a full detalle",
        interval=0.2,
    )
    table.add_single(
        f"{label}: back, to a full detalle",
        time.monotonic() - started,
        "reset timeout, then one trial call",
    )


def run(args, stack: LocalStack) -> str:
    """Start ``stack``, measure, and return the table with its heading."""
    logger.info("starting the stack (migrations on fresh databases)...")
    stack.prepare()
    stack.start_all()
    table = Table()
    with httpx.Client(base_url=stack.gateway_url(""), timeout=REQUEST_TIMEOUT) as api:
        headers = _sign_in(api)
        empresa = sap_api.empresa_crear(api, headers)
        proyecto = sap_api.proyecto_crear(api, headers, empresa["id"])
        sap_api.programacion_crear(api, headers, proyecto["id"])
        proyecto_id = proyecto["id"]
        path = f"/proyectos/detalle/{proyecto_id}/"
        policy = sap_api.resiliencia(api, headers)["empresas"]["politica"]

        # Concurrent clients open several upstream connections, so every
        # worker builds its clients before anything is measured.
        logger.info("warming up for %.0f s...", WARM_UP_SECONDS)
        run_load(
            stack.gateway_url(""),
            path,
            headers,
            clients=args.clients,
            seconds=WARM_UP_SECONDS,
        )

        logger.info("healthy: %d sequential detalles...", args.requests)
        table.add(
            "healthy, sequential", _sequential(api, headers, proyecto_id, args.requests)
        )

        def concurrent(label: str) -> None:
            logger.info(
                "%s: %d clients for %.0f s...", label, args.clients, args.seconds
            )
            _concurrent(table, label, stack.gateway_url(""), path, headers, args)

        concurrent("healthy")

        reset_timeout = float(policy["reset_timeout_s"])
        common = {
            "client": api,
            "headers": headers,
            "proyecto_id": proyecto_id,
            "open_requests": args.open_requests,
            "reset_timeout": reset_timeout,
            "concurrent": concurrent,
        }
        _failure_phase(
            table,
            "empresas killed",
            dependency="empresas",
            fail=lambda: stack.kill("empresas"),
            recover=lambda: stack.start("empresas"),
            **common,
        )
        _failure_phase(
            table,
            "programación paused",
            dependency="programacion",
            fail=lambda: stack.pause("programacion"),
            recover=lambda: stack.resume("programacion"),
            **common,
        )

    heading = (
        f"SAP detalle benchmark: GET /proyectos/detalle/<id>/ through nginx on "
        f"127.0.0.1, {os.cpu_count()} CPUs\n"
        f"proyectos: {stack.proyectos_workers} gthread workers, breakers shared "
        f"through Redis; policy {args.policy}: {policy['reintentos']} retries, "
        f"attempts of {policy['timeout_lectura_s']} s, breaker opens after "
        f"{policy['fallos_para_abrir']} failures for {reset_timeout:g} s, "
        f"budget {policy['presupuesto_detalle_s']} s\n\n"
    )
    return heading + table.render()


def main(argv=None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="bench: %(message)s", stream=sys.stderr
    )
    # One line per request would bury the progress lines.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="sequential, healthy")
    parser.add_argument("--clients", type=int, default=20, help="concurrent, healthy")
    parser.add_argument("--seconds", type=float, default=10.0, help="of concurrency")
    parser.add_argument(
        "--open-requests", type=int, default=100, help="while a breaker is open"
    )
    parser.add_argument(
        "--policy", choices=("production", "test"), default="production"
    )
    args = parser.parse_args(argv)
    bounds = {
        "requests": 10_000,
        "clients": 200,
        "seconds": 300,
        "open_requests": 10_000,
    }
    for name, bound in bounds.items():
        if not 1 <= getattr(args, name) <= bound:
            parser.error(f"--{name.replace('_', '-')} must be between 1 and {bound}")

    nginx, redis_server = find_nginx(), find_redis_server()
    if nginx is None or redis_server is None:
        logger.error(
            "the benchmark needs nginx and redis-server (ops/bootstrap.sh, apt)"
        )
        return 1
    pg_server = os.environ.get("SAP_TEST_PG_SERVER") or DEFAULT_PG_SERVER
    workdir = Path(tempfile.mkdtemp(prefix="sap-bench-"))
    # nginx's workers run as nobody under root and must reach their buffers.
    workdir.chmod(0o755)
    stack = LocalStack(
        workdir,
        pg_server,
        nginx=nginx,
        redis_server=redis_server,
        proyectos_env={} if args.policy == "production" else PROYECTOS_TEST_ENV,
        database_prefix="sap_bench",
    )
    try:
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdout.write(run(args, stack))
            return 0
        return 130
    except (StackError, httpx.HTTPError, psycopg2.Error) as exc:
        logger.error("%s", exc)
        kept = ROOT / "var" / "bench-logs"
        shutil.rmtree(kept, ignore_errors=True)
        with contextlib.suppress(OSError):
            shutil.copytree(workdir / "logs", kept)
            logger.error("the programs' logs are in %s", kept.relative_to(ROOT))
        return 1
    finally:
        stack.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
