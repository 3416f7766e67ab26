"""The real SAP stack for cross-service tests, run as local processes.

:class:`LocalStack` starts the four services under gunicorn and the nginx
gateway (rendered from the same ``nginx/nginx.conf`` template as ``make up``)
on free loopback ports, each service with a fresh PostgreSQL database. Tests
drive it through one small interface, so a Docker Compose back end can
implement the same methods:

- ``start(name)``, ``stop(name)`` (graceful), ``restart(name)``,
  ``kill(name)`` (SIGKILL), ``pause(name)`` (SIGSTOP) and ``resume(name)``
  (SIGCONT);
- ``gateway_url(path)``, ``port(name)``, ``wait_ready(name)``;
- ``log_text(name)`` and ``wait_for_log(name, text)``;
- ``close()``, which ends every process it started, whatever happened.

Each process leads its own process group, so a signal reaches gunicorn's
workers and nginx's workers too; the kernel ends the group leaders if the
test run itself is killed (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import atexit
import concurrent.futures
import ctypes
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "ops"))

from render_nginx import render  # noqa: E402

SERVICES = ("auth", "empresas", "proyectos", "programacion")
GATEWAY = "gateway"
NAMES = (*SERVICES, GATEWAY)

# Starting four Django projects and migrating empty databases on two cores.
START_TIMEOUT = 60.0
# Another session using the same databases (a second `make test` on this
# host) holds the lock for about a minute; wait for it rather than break it.
LOCK_TIMEOUT = 300.0
# pg_advisory_lock key: "SAPE2E" in ASCII, the same for every session.
SESSION_LOCK_KEY = 0x534150453245
STOP_TIMEOUT = 15.0
POLL_INTERVAL = 0.05
PROBE_TIMEOUT = 1.0
LOG_TAIL_LINES = 25
_PR_SET_PDEATHSIG = 1

# proyectos' resilience, shortened so that a test sees breakers open and
# close in seconds; production's defaults wait much longer on purpose.
PROYECTOS_TEST_ENV = {
    "BREAKER_FAIL_MAX": "3",
    "BREAKER_RESET_TIMEOUT": "2",
    "DEP_RETRIES": "2",
    "DEP_RETRY_WAIT_INITIAL": "0.05",
    "DEP_RETRY_WAIT_MAX": "0.2",
    "DEP_RETRY_JITTER": "0.1",
    "DEP_CONNECT_TIMEOUT": "0.5",
    "DEP_READ_TIMEOUT": "0.5",
    "DETALLE_BUDGET_SECONDS": "4",
}


class StackError(RuntimeError):
    """The stack could not do what a test asked; the message says why."""


def free_ports(count: int) -> list[int]:
    """``count`` distinct loopback ports that nothing listens on right now."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def wait_until(
    condition: Callable[[], object], timeout: float, what: str, interval=POLL_INTERVAL
):
    """Poll ``condition`` until it returns something truthy; raise at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise StackError(f"timed out after {timeout:.1f} s waiting for {what}")
        time.sleep(interval)


def _die_with_parent() -> None:
    """In the child: ask the kernel for SIGTERM if the test process dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def nginx_worker_user() -> str:
    """``nobody`` and its group under root; the caller otherwise (nginx ignores it)."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    nobody = pwd.getpwnam("nobody")
    return f"nobody {grp.getgrgid(nobody.pw_gid).gr_name}"


@dataclass
class Process:
    """How to run one program of the stack, and the running process if any."""

    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    ready_url: str
    log_path: Path
    popen: subprocess.Popen | None = field(default=None, repr=False)
    paused: bool = False


class LocalStack:
    """SAP as local processes: four gunicorn masters, nginx, PostgreSQL databases.

    ``service_env`` adds variables to every service's environment and
    ``proyectos_env`` to proyectos' alone (by default its resilience settings
    shortened for tests, ``PROYECTOS_TEST_ENV``). proyectos runs one worker
    by default: without Redis each worker has its own breakers and copies,
    and a test must know which one answers.
    """

    def __init__(
        self,
        workdir: Path,
        pg_server: str,
        *,
        nginx: str,
        service_env: Mapping[str, str] | None = None,
        proyectos_env: Mapping[str, str] | None = None,
        proyectos_workers: int = 1,
        database_prefix: str = "sap_e2e",
    ) -> None:
        self.workdir = workdir
        self.pg_server = pg_server.rstrip("/")
        self.nginx = nginx
        self.database_prefix = database_prefix
        self.proyectos_workers = proyectos_workers
        self.ports = dict(zip(NAMES, free_ports(len(NAMES)), strict=True))
        self.processes: dict[str, Process] = {}
        self._service_env = dict(service_env or {})
        self._proyectos_env = dict(
            PROYECTOS_TEST_ENV if proyectos_env is None else proyectos_env
        )
        self._databases_created: list[str] = []
        self._lock_connection = None
        self._closed = False
        (workdir / "logs").mkdir(parents=True, exist_ok=True)
        atexit.register(self.close)

    # -- setting up -------------------------------------------------------

    def database_name(self, service: str) -> str:
        """This stack's database for ``service``."""
        return f"{self.database_prefix}_{service}"

    def database_url(self, service: str, database: str | None = None) -> str:
        """A URL on the test server for ``database`` (default: the service's)."""
        parts = urlsplit(self.pg_server)
        name = database or self.database_name(service)
        return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))

    def _admin_connection(self):
        connection = psycopg2.connect(
            self.database_url("", "postgres"), connect_timeout=5
        )
        connection.autocommit = True
        return connection

    def _lock_session(self) -> None:
        """Hold a server-wide lock so that two sessions never share databases.

        The lock lives as long as this connection, which ``close()`` closes;
        a crashed session releases it with its connection.
        """
        self._lock_connection = self._admin_connection()

        def acquired() -> bool:
            with self._lock_connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [SESSION_LOCK_KEY])
                return cursor.fetchone()[0]

        wait_until(
            acquired,
            LOCK_TIMEOUT,
            "another end-to-end session on this PostgreSQL server to end",
            interval=0.5,
        )

    def create_databases(self) -> None:
        """Drop and create one empty database per service."""
        self._lock_session()
        connection = self._admin_connection()
        try:
            with connection.cursor() as cursor:
                for service in SERVICES:
                    name = sql.Identifier(self.database_name(service))
                    cursor.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name)
                    )
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
                    self._databases_created.append(self.database_name(service))
        finally:
            connection.close()

    def drop_databases(self) -> None:
        """Drop the databases this stack created."""
        if not self._databases_created:
            return
        connection = self._admin_connection()
        try:
            with connection.cursor() as cursor:
                for database in self._databases_created:
                    cursor.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(database)
                        )
                    )
        finally:
            connection.close()
        self._databases_created.clear()

    def _keys(self) -> dict[str, str]:
        from sap_common.keys import PRIVATE_NAME, PUBLIC_NAME, generate_key_pair

        directory = self.workdir / "keys"
        generate_key_pair(directory)
        return {
            "JWT_PRIVATE_KEY_FILE": str(directory / PRIVATE_NAME),
            "JWT_PUBLIC_KEY_FILE": str(directory / PUBLIC_NAME),
        }

    def _base_env(self) -> dict[str, str]:
        # The repository's .env never overrides what is set here: settings
        # read it without overwriting, and every variable that matters is set.
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.endswith("DATABASE_URL") and not key.startswith("PYTEST")
        }
        env.update(
            {
                "DJANGO_SECRET_KEY": "e2e-" + os.urandom(16).hex(),
                "DJANGO_DEBUG": "false",
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DJANGO_SECURE_COOKIES": "false",
                "LOG_FORMAT": "json",
                "LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1",
                # No collectstatic here: the APIs under test serve no files.
                "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
                **self._keys(),
                # The services call each other directly, not through nginx.
                "EMPRESAS_URL": self.service_url("empresas", ""),
                "PROYECTOS_URL": self.service_url("proyectos", ""),
                "PROGRAMACION_URL": self.service_url("programacion", ""),
                **self._service_env,
            }
        )
        return env

    def prepare(self) -> None:
        """Create databases, migrate them, render the gateway's config."""
        self.create_databases()
        base = self._base_env()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        for service in SERVICES:
            env = {**base, "DATABASE_URL": self.database_url(service)}
            argv = [
                gunicorn,
                f"service_{service}.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.ports[service]}",
                "--workers",
                "1",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--no-control-socket",
            ]
            if service == "proyectos":
                env.update(self._proyectos_env)
                argv[argv.index("--workers") + 1] = str(self.proyectos_workers)
                argv += ["--worker-class", "gthread", "--threads", "8"]
            self.processes[service] = Process(
                name=service,
                argv=argv,
                cwd=ROOT / f"service_{service}",
                env=env,
                ready_url=self.service_url(service, f"/{service}/ready/"),
                log_path=self.workdir / "logs" / f"{service}.log",
            )
        self._migrate()
        self._prepare_gateway(base)

    def _migrate(self) -> None:
        def migrate(service: str) -> None:
            process = self.processes[service]
            result = subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput"],
                cwd=process.cwd,
                env=process.env,
                capture_output=True,
                text=True,
                timeout=START_TIMEOUT,
                check=False,
            )
            if result.returncode != 0:
                output = (result.stdout + result.stderr)[-3000:]
                raise StackError(f"migrating {service} failed:\n{output}")

        # Four independent databases: migrate them side by side.
        with concurrent.futures.ThreadPoolExecutor(len(SERVICES)) as pool:
            for future in [pool.submit(migrate, service) for service in SERVICES]:
                future.result()

    def _prepare_gateway(self, base_env: dict[str, str]) -> None:
        runtime = self.workdir / "nginx"
        runtime.mkdir(exist_ok=True)
        values = {
            "SAP_GATEWAY_PORT": str(self.ports[GATEWAY]),
            "SAP_NGINX_USER": nginx_worker_user(),
            "SAP_NGINX_RUNTIME_DIR": str(runtime),
        }
        for service in SERVICES:
            values[f"SAP_{service.upper()}_UPSTREAM"] = (
                f"127.0.0.1:{self.ports[service]}"
            )
        config = runtime / "nginx.conf"
        config.write_text(render(values))
        argv = [self.nginx, "-p", str(runtime), "-c", str(config)]
        check = subprocess.run(
            [*argv, "-t", "-q"], capture_output=True, text=True, check=False
        )
        if check.returncode != 0:
            raise StackError(f"nginx -t rejected the rendered config:\n{check.stderr}")
        self.processes[GATEWAY] = Process(
            name=GATEWAY,
            argv=[*argv, "-g", "daemon off;"],
            cwd=runtime,
            env=base_env,
            ready_url=self.gateway_url("/health/"),
            log_path=self.workdir / "logs" / "gateway.log",
        )

    # -- addresses --------------------------------------------------------

    def port(self, name: str) -> int:
        """The loopback port ``name`` listens on."""
        return self.ports[name]

    def service_url(self, name: str, path: str) -> str:
        """A URL on the service itself, bypassing the gateway."""
        return f"http://127.0.0.1:{self.ports[name]}{path}"

    def gateway_url(self, path: str) -> str:
        """A URL on the gateway."""
        return f"http://127.0.0.1:{self.ports[GATEWAY]}{path}"

    # -- the interface tests use -----------------------------------------

    def start_all(self) -> None:
        """Start every program and wait until each one answers."""
        for name in NAMES:
            self.start(name, wait=False)
        for name in NAMES:
            self.wait_ready(name)

    def start(self, name: str, *, wait: bool = True) -> None:
        """Start ``name`` (if not running) and, by default, wait until it answers."""
        process = self.processes[name]
        if process.popen is not None and process.popen.poll() is None:
            return
        log = process.log_path.open("ab")
        try:
            process.popen = subprocess.Popen(
                process.argv,
                cwd=process.cwd,
                env=process.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        finally:
            log.close()
        process.paused = False
        if wait:
            self.wait_ready(name)

    def wait_ready(self, name: str, timeout: float = START_TIMEOUT) -> None:
        """Wait until ``name`` answers 200 on its readiness URL."""
        process = self.processes[name]

        def ready() -> bool:
            if process.popen is None or process.popen.poll() is not None:
                raise StackError(
                    f"{name} exited while starting:\n{self.log_tail(name)}"
                )
            try:
                response = httpx.get(process.ready_url, timeout=PROBE_TIMEOUT)
            except httpx.HTTPError:
                return False
            return response.status_code == httpx.codes.OK

        try:
            wait_until(ready, timeout, f"{name} to answer {process.ready_url}")
        except StackError as exc:
            raise StackError(f"{exc}\n{self.log_tail(name)}") from exc

    def kill(self, name: str) -> None:
        """SIGKILL the whole process group of ``name``, as a crash would."""
        self._signal_and_reap(name, signal.SIGKILL, timeout=STOP_TIMEOUT)

    def stop(self, name: str) -> None:
        """Stop ``name`` gracefully; SIGKILL it if it takes too long."""
        stop_signal = signal.SIGQUIT if name == GATEWAY else signal.SIGTERM
        try:
            self._signal_and_reap(name, stop_signal, timeout=STOP_TIMEOUT)
        except StackError:
            self.kill(name)

    def restart(self, name: str) -> None:
        """Stop ``name`` gracefully, start it again, wait until it answers."""
        self.stop(name)
        self.start(name)

    def pause(self, name: str) -> None:
        """Freeze ``name`` (SIGSTOP): its port still accepts, nothing answers."""
        self._signal_group(name, signal.SIGSTOP)
        self.processes[name].paused = True

    def resume(self, name: str) -> None:
        """Let a paused ``name`` run again (SIGCONT)."""
        self._signal_group(name, signal.SIGCONT)
        self.processes[name].paused = False

    def log_text(self, name: str) -> str:
        """Everything ``name`` has written to its log so far."""
        path = self.processes[name].log_path
        return path.read_text(errors="replace") if path.exists() else ""

    def log_tail(self, name: str, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines of ``name``'s log, headed by its name."""
        tail = "\n".join(self.log_text(name).splitlines()[-lines:])
        return f"--- {name} ({self.processes[name].log_path}) ---\n{tail}"

    def wait_for_log(
        self, name: str, text: str, *, after: int = 0, timeout: float = 10.0
    ) -> None:
        """Wait until ``text`` appears in ``name``'s log past offset ``after``."""
        wait_until(
            lambda: text in self.log_text(name)[after:],
            timeout,
            f"{text!r} in the log of {name}",
        )

    def close(self) -> None:
        """End every process (continuing paused ones first) and drop the databases."""
        if self._closed:
            return
        self._closed = True
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.popen is None:
                continue
            if process.popen.poll() is None:
                # A stopped process cannot act on SIGTERM; let it run first.
                self._signal_group(name, signal.SIGCONT, missing_ok=True)
                self.stop(name)
            # Workers whose master died may linger in the group: end them too.
            self._signal_group(name, signal.SIGKILL, missing_ok=True)
        try:
            self.drop_databases()
        finally:
            if self._lock_connection is not None:
                self._lock_connection.close()

    # -- signals ----------------------------------------------------------

    def _signal_group(self, name: str, sig: int, *, missing_ok: bool = False) -> None:
        popen = self.processes[name].popen
        if popen is None:
            if missing_ok:
                return
            raise StackError(f"{name} was never started")
        try:
            os.killpg(popen.pid, sig)
        except ProcessLookupError:
            if not missing_ok:
                raise

    def _signal_and_reap(self, name: str, sig: int, *, timeout: float) -> None:
        popen = self.processes[name].popen
        if popen is None or popen.poll() is not None:
            self._signal_group(name, signal.SIGKILL, missing_ok=True)
            return
        self._signal_group(name, sig, missing_ok=True)
        try:
            popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise StackError(
                f"{name} did not exit {timeout:.0f} s after {sig}"
            ) from exc
        # Wait for the group to empty, so the port is free when this returns.
        wait_until(
            lambda: not self._group_alive(popen.pid),
            timeout,
            f"the processes of {name} to exit",
        )
        self.processes[name].paused = False

    @staticmethod
    def _group_alive(pgid: int) -> bool:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True


def find_nginx() -> str | None:
    """The nginx binary, or None."""
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
