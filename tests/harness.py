"""The real SAP stack for cross-service tests: one interface, two back ends.

:class:`Stack` is everything a test may do to SAP. Its programs are the four
services, the gateway and the Redis through which proyectos' workers share
their breakers (``PROGRAMS``):

- ``start(name)``, ``stop(name)`` (graceful), ``restart(name)``,
  ``kill(name)`` (SIGKILL), ``pause(name)`` (frozen: its port still accepts,
  nothing answers) and ``resume(name)``;
- ``gateway_url(path)``, ``port(name)``, ``wait_ready(name)``;
- ``log_text(name)``, ``log_tail(name)`` and ``wait_for_log(name, text)``;
- ``close()``, which ends everything it started, whatever happened.

Two back ends implement it, and the tests run unchanged on either:

- :class:`LocalStack`, what ``make test`` uses: local processes on free
  loopback ports (gunicorn for each service, nginx rendered from the same
  ``nginx/nginx.conf`` template as ``make up``, a redis-server), each service
  with a fresh PostgreSQL database. The test process shares their loopback
  ports, so a test may put its own server on a dead service's port.
- :class:`ComposeStack`: the services of ``docker-compose.yml`` under a
  project of their own, driven with ``docker compose start``, ``stop``,
  ``kill``, ``pause`` and ``unpause``. Only the gateway is published.

Both run proyectos with ``PROYECTOS_WORKERS`` workers and the shortened
resilience settings of ``PROYECTOS_TEST_ENV``.
"""

from __future__ import annotations

import abc
import atexit
import concurrent.futures
import ctypes
import grp
import json
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
import redis
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "ops"))

from render_nginx import render  # noqa: E402

SERVICES = ("auth", "empresas", "proyectos", "programacion")
GATEWAY = "gateway"
REDIS = "redis"
PROGRAMS = (REDIS, *SERVICES, GATEWAY)

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

# Two workers, as in production: the breakers are shared through Redis, so a
# scenario gives the same answers whichever worker serves it.
PROYECTOS_WORKERS = 2
PROYECTOS_THREADS = 8
# proyectos' resilience, shortened so that a test sees breakers open and
# close in seconds; production's defaults wait much longer on purpose.
# The reset timeout leaves room for 50 detalles while a breaker is open; the
# read timeout for a trial call that a test holds on purpose.
PROYECTOS_TEST_ENV = {
    "BREAKER_FAIL_MAX": "3",
    "BREAKER_RESET_TIMEOUT": "4",
    "DEP_RETRIES": "2",
    "DEP_RETRY_WAIT_INITIAL": "0.05",
    "DEP_RETRY_WAIT_MAX": "0.2",
    "DEP_RETRY_JITTER": "0.1",
    "DEP_CONNECT_TIMEOUT": "0.5",
    "DEP_READ_TIMEOUT": "1.0",
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


def http_ok(url: str) -> bool:
    """True when a GET of ``url`` answers 200."""
    try:
        response = httpx.get(url, timeout=PROBE_TIMEOUT)
    except httpx.HTTPError:
        return False
    return response.status_code == httpx.codes.OK


def find_nginx() -> str | None:
    """The nginx binary, or None."""
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def find_redis_server() -> str | None:
    """The redis-server binary, or None."""
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )


def docker_engine_answers() -> bool:
    """True when ``docker info`` reaches a Docker engine."""
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        result = subprocess.run(
            [docker, "info"], capture_output=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def nginx_worker_user() -> str:
    """``nobody`` and its group under root; the caller otherwise (nginx ignores it)."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    nobody = pwd.getpwnam("nobody")
    return f"nobody {grp.getgrgid(nobody.pw_gid).gr_name}"


def _die_with_parent() -> None:
    """In the child: ask the kernel for SIGTERM if the test process dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def ready_path(name: str) -> str:
    """The gateway path that answers 200 once ``name`` serves."""
    return "/health/" if name == GATEWAY else f"/{name}/ready/"


class Stack(abc.ABC):
    """What a test may do to SAP, whichever back end runs it."""

    #: ``local`` or ``compose``, for test ids, skips and recorded timings.
    backend: str
    proyectos_workers: int = PROYECTOS_WORKERS

    @abc.abstractmethod
    def start_all(self) -> None:
        """Start every program and wait until each one answers."""

    @abc.abstractmethod
    def start(self, name: str, *, wait: bool = True) -> None:
        """Start ``name`` if it is not running; by default wait until it answers."""

    @abc.abstractmethod
    def stop(self, name: str) -> None:
        """Stop ``name`` gracefully."""

    @abc.abstractmethod
    def kill(self, name: str) -> None:
        """End ``name`` at once with SIGKILL, as a crash would."""

    @abc.abstractmethod
    def pause(self, name: str) -> None:
        """Freeze ``name``: connections to it are accepted, nothing answers."""

    @abc.abstractmethod
    def resume(self, name: str) -> None:
        """Let a paused ``name`` run again."""

    @abc.abstractmethod
    def is_paused(self, name: str) -> bool:
        """True while ``name`` is paused by this stack."""

    @abc.abstractmethod
    def is_running(self, name: str) -> bool:
        """True while ``name`` runs (paused counts as running)."""

    @abc.abstractmethod
    def wait_ready(self, name: str, timeout: float = START_TIMEOUT) -> None:
        """Wait until ``name`` serves; raise StackError with its log otherwise."""

    @abc.abstractmethod
    def gateway_url(self, path: str) -> str:
        """A URL on the gateway, as the test process reaches it."""

    @abc.abstractmethod
    def port(self, name: str) -> int:
        """The port on this host where ``name`` listens."""

    @abc.abstractmethod
    def log_text(self, name: str) -> str:
        """Everything ``name`` has logged so far."""

    @abc.abstractmethod
    def close(self) -> None:
        """End everything this stack started; safe to call twice."""

    def restart(self, name: str) -> None:
        """Stop ``name`` gracefully, start it again, wait until it answers."""
        self.stop(name)
        self.start(name)

    def log_tail(self, name: str, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines of ``name``'s log, headed by its name."""
        tail = "\n".join(self.log_text(name).splitlines()[-lines:])
        return f"--- {name} ({self.backend}) ---\n{tail}"

    def wait_for_log(
        self, name: str, text: str, *, after: int = 0, timeout: float = 10.0
    ) -> None:
        """Wait until ``text`` appears in ``name``'s log past offset ``after``."""
        wait_until(
            lambda: text in self.log_text(name)[after:],
            timeout,
            f"{text!r} in the log of {name}",
            interval=0.2,
        )


@dataclass
class Process:
    """How to run one program of a LocalStack, and the running process if any."""

    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    probe: Callable[[], bool]
    probe_what: str
    log_path: Path
    stop_signal: int = signal.SIGTERM
    popen: subprocess.Popen | None = field(default=None, repr=False)
    paused: bool = False


class LocalStack(Stack):
    """SAP as local processes: gunicorn, nginx, redis-server, PostgreSQL databases.

    ``service_env`` adds variables to every service's environment and
    ``proyectos_env`` to proyectos' alone (by default the shortened
    resilience settings, ``PROYECTOS_TEST_ENV``; ``{}`` keeps production's).
    Every service gets this stack's Redis as ``REDIS_URL``, as under Compose.

    Each process leads its own process group, so a signal reaches gunicorn's
    and nginx's workers too; the kernel ends the group leaders if the test
    run itself is killed (``PR_SET_PDEATHSIG``).
    """

    backend = "local"

    def __init__(
        self,
        workdir: Path,
        pg_server: str,
        *,
        nginx: str,
        redis_server: str,
        service_env: Mapping[str, str] | None = None,
        proyectos_env: Mapping[str, str] | None = None,
        proyectos_workers: int = PROYECTOS_WORKERS,
        service_workers: int = 2,
        database_prefix: str = "sap_e2e",
    ) -> None:
        self.workdir = workdir
        self.pg_server = pg_server.rstrip("/")
        self.nginx = nginx
        self.redis_server = redis_server
        self.database_prefix = database_prefix
        self.proyectos_workers = proyectos_workers
        self.service_workers = service_workers
        self.ports = dict(zip(PROGRAMS, free_ports(len(PROGRAMS)), strict=True))
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

    @property
    def redis_url(self) -> str:
        """Where this stack's Redis listens."""
        return f"redis://127.0.0.1:{self.ports[REDIS]}/0"

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
                "REDIS_URL": self.redis_url,
                **self._service_env,
            }
        )
        return env

    def prepare(self) -> None:
        """Create databases, migrate them, render the gateway's config."""
        self.create_databases()
        base = self._base_env()
        self._prepare_redis(base)
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        for service in SERVICES:
            env = {
                **base,
                "DATABASE_URL": self.database_url(service),
                # Inside workdir: a master the tests SIGKILL cannot clean up
                # a directory of its own making, and this one goes with workdir.
                "PROMETHEUS_MULTIPROC_DIR": str(self.workdir / "metrics" / service),
            }
            workers = self.service_workers
            argv = [
                gunicorn,
                f"service_{service}.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.ports[service]}",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--no-control-socket",
                "--config",
                "python:sap_common.gunicorn_hooks",
            ]
            if service == "proyectos":
                env.update(self._proyectos_env)
                workers = self.proyectos_workers
                argv += ["--worker-class", "gthread"]
                argv += ["--threads", str(PROYECTOS_THREADS)]
            argv += ["--workers", str(workers)]
            url = self.service_url(service, ready_path(service))
            self.processes[service] = Process(
                name=service,
                argv=argv,
                cwd=ROOT / f"service_{service}",
                env=env,
                probe=lambda url=url: http_ok(url),
                probe_what=url,
                log_path=self.workdir / "logs" / f"{service}.log",
            )
        self._migrate()
        self._prepare_gateway(base)

    def _prepare_redis(self, base_env: dict[str, str]) -> None:
        data = self.workdir / "redis"
        data.mkdir(exist_ok=True)
        port = self.ports[REDIS]
        self.processes[REDIS] = Process(
            name=REDIS,
            # Nothing is persisted: a restarted Redis is empty, as under Compose.
            argv=[
                self.redis_server,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(data),
            ],
            cwd=data,
            env=base_env,
            probe=lambda: self._redis_answers(port),
            probe_what=f"PING on 127.0.0.1:{port}",
            log_path=self.workdir / "logs" / "redis.log",
        )

    @staticmethod
    def _redis_answers(port: int) -> bool:
        client = redis.Redis(
            port=port,
            socket_timeout=PROBE_TIMEOUT,
            socket_connect_timeout=PROBE_TIMEOUT,
        )
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

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
        url = self.gateway_url(ready_path(GATEWAY))
        self.processes[GATEWAY] = Process(
            name=GATEWAY,
            argv=[*argv, "-g", "daemon off;"],
            cwd=runtime,
            env=base_env,
            probe=lambda: http_ok(url),
            probe_what=url,
            log_path=self.workdir / "logs" / "gateway.log",
            # nginx's graceful stop; SIGTERM would drop requests in flight.
            stop_signal=signal.SIGQUIT,
        )

    # -- addresses --------------------------------------------------------

    def port(self, name: str) -> int:
        return self.ports[name]

    def service_url(self, name: str, path: str) -> str:
        """A URL on the service itself, bypassing the gateway."""
        return f"http://127.0.0.1:{self.ports[name]}{path}"

    def gateway_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[GATEWAY]}{path}"

    # -- the interface tests use -----------------------------------------

    def start_all(self) -> None:
        for name in PROGRAMS:
            self.start(name, wait=False)
        for name in PROGRAMS:
            self.wait_ready(name)

    def start(self, name: str, *, wait: bool = True) -> None:
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
        process = self.processes[name]

        def ready() -> bool:
            if process.popen is None or process.popen.poll() is not None:
                raise StackError(
                    f"{name} exited while starting:\n{self.log_tail(name)}"
                )
            return process.probe()

        try:
            wait_until(ready, timeout, f"{name} to answer {process.probe_what}")
        except StackError as exc:
            raise StackError(f"{exc}\n{self.log_tail(name)}") from exc

    def kill(self, name: str) -> None:
        self._signal_and_reap(name, signal.SIGKILL, timeout=STOP_TIMEOUT)

    def stop(self, name: str) -> None:
        """Stop ``name`` gracefully; SIGKILL it if it takes too long."""
        try:
            self._signal_and_reap(
                name, self.processes[name].stop_signal, timeout=STOP_TIMEOUT
            )
        except StackError:
            self.kill(name)

    def pause(self, name: str) -> None:
        """Freeze ``name`` with SIGSTOP: its port still accepts, nothing answers."""
        self._signal_group(name, signal.SIGSTOP)
        self.processes[name].paused = True

    def resume(self, name: str) -> None:
        """Let a paused ``name`` run again (SIGCONT)."""
        self._signal_group(name, signal.SIGCONT)
        self.processes[name].paused = False

    def is_paused(self, name: str) -> bool:
        return self.processes[name].paused

    def is_running(self, name: str) -> bool:
        popen = self.processes[name].popen
        return popen is not None and popen.poll() is None

    def log_text(self, name: str) -> str:
        path = self.processes[name].log_path
        return path.read_text(errors="replace") if path.exists() else ""

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


# The services of docker-compose.yml, by program name.
COMPOSE_SERVICES = {
    **{service: f"service_{service}" for service in SERVICES},
    GATEWAY: "gateway",
    REDIS: "redis",
}
COMPOSE_FILE = ROOT / "docker-compose.yml"
# Building four images the first time, then every health check passing.
COMPOSE_UP_TIMEOUT = 900
COMPOSE_COMMAND_TIMEOUT = 120

Runner = Callable[..., subprocess.CompletedProcess]


class ComposeStack(Stack):
    """SAP as the services of ``docker-compose.yml``, in a project of its own.

    An override file (written into ``workdir``) gives proyectos the test
    settings and ``PROYECTOS_WORKERS`` workers, and turns restart policies
    off so that a killed container stays down until a test starts it. The
    secrets Compose asks for are made up for the session and passed in its
    environment; the databases live in the project's volumes, removed by
    ``close()``. ``run`` executes each command (tests pass a fake one).
    """

    backend = "compose"

    def __init__(
        self,
        workdir: Path,
        *,
        project: str = "sap-e2e",
        proyectos_env: Mapping[str, str] | None = None,
        gateway_port: int | None = None,
        run: Runner = subprocess.run,
    ) -> None:
        self.workdir = workdir
        self.project = project
        self.gateway_port = gateway_port or free_ports(1)[0]
        self.override = workdir / "compose.override.yml"
        self._proyectos_env = dict(
            PROYECTOS_TEST_ENV if proyectos_env is None else proyectos_env
        )
        self._run = run
        self._paused: set[str] = set()
        self._env: dict[str, str] = {}
        self._closed = False
        (workdir / "logs").mkdir(parents=True, exist_ok=True)
        atexit.register(self.close)

    def compose_argv(self, *args: str) -> list[str]:
        """The full ``docker compose`` command line for ``args``."""
        return [
            "docker",
            "compose",
            "--project-directory",
            str(ROOT),
            "--project-name",
            self.project,
            "--file",
            str(COMPOSE_FILE),
            "--file",
            str(self.override),
            *args,
        ]

    def _compose(
        self, *args: str, check: bool = True, timeout: float = COMPOSE_COMMAND_TIMEOUT
    ) -> subprocess.CompletedProcess:
        argv = self.compose_argv(*args)
        result = self._run(
            argv,
            cwd=ROOT,
            env=self._env or None,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            output = (result.stdout + result.stderr)[-3000:]
            raise StackError(f"`{' '.join(args)}` failed:\n{output}")
        return result

    def override_config(self) -> dict:
        """What the override file changes in docker-compose.yml."""
        services = {compose: {"restart": "no"} for compose in COMPOSE_SERVICES.values()}
        services[COMPOSE_SERVICES["proyectos"]]["environment"] = {
            **self._proyectos_env,
            "GUNICORN_WORKERS": str(self.proyectos_workers),
            "GUNICORN_THREADS": str(PROYECTOS_THREADS),
        }
        return {"services": services}

    def prepare(self) -> None:
        """Write keys and the override file; clear what an earlier run left."""
        from sap_common.keys import generate_key_pair

        keys = self.workdir / "keys"
        generate_key_pair(keys)
        # JSON is YAML: Compose reads it as any other override file.
        self.override.write_text(json.dumps(self.override_config(), indent=2))
        secrets = {
            f"{service.upper()}_DB_PASSWORD": os.urandom(12).hex()
            for service in SERVICES
        }
        self._env = {
            **os.environ,
            **secrets,
            "DJANGO_SECRET_KEY": "e2e-" + os.urandom(16).hex(),
            "SAP_JWT_KEYS_DIR": str(keys),
            # auth reads the private key, which only its owner may read.
            "SAP_UID": str(os.getuid()),
            "SAP_GID": str(os.getgid()),
            "SAP_COMPOSE_PORT": str(self.gateway_port),
        }
        self._compose("down", "--volumes", "--remove-orphans", check=False)

    # -- addresses --------------------------------------------------------

    def port(self, name: str) -> int:
        if name != GATEWAY:
            raise StackError(f"Compose publishes the gateway's port only, not {name}'s")
        return self.gateway_port

    def gateway_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.gateway_port}{path}"

    # -- the interface tests use -----------------------------------------

    def start_all(self) -> None:
        self._compose(
            "up",
            "--detach",
            "--build",
            "--wait",
            "--wait-timeout",
            str(COMPOSE_UP_TIMEOUT),
            timeout=COMPOSE_UP_TIMEOUT + 60,
        )
        for name in PROGRAMS:
            self.wait_ready(name)

    def start(self, name: str, *, wait: bool = True) -> None:
        self._compose("start", COMPOSE_SERVICES[name])
        self._paused.discard(name)
        if name in SERVICES:
            # nginx resolves the services' names when it loads its config; a
            # container started again may have another address.
            self._compose("exec", "-T", "gateway", "nginx", "-s", "reload", check=False)
        if wait:
            self.wait_ready(name)

    def stop(self, name: str) -> None:
        self._compose(
            "stop", "--timeout", str(int(STOP_TIMEOUT)), COMPOSE_SERVICES[name]
        )
        self._paused.discard(name)

    def kill(self, name: str) -> None:
        self._compose("kill", "--signal", "SIGKILL", COMPOSE_SERVICES[name])
        self._paused.discard(name)

    def pause(self, name: str) -> None:
        self._compose("pause", COMPOSE_SERVICES[name])
        self._paused.add(name)

    def resume(self, name: str) -> None:
        self._compose("unpause", COMPOSE_SERVICES[name])
        self._paused.discard(name)

    def is_paused(self, name: str) -> bool:
        return name in self._paused

    def is_running(self, name: str) -> bool:
        result = self._compose("ps", "--status", "running", "--services")
        return COMPOSE_SERVICES[name] in result.stdout.split()

    def wait_ready(self, name: str, timeout: float = START_TIMEOUT) -> None:
        if name == REDIS:

            def ready() -> bool:
                result = self._compose(
                    "exec", "-T", "redis", "redis-cli", "ping", check=False
                )
                return result.returncode == 0 and "PONG" in result.stdout

        else:
            url = self.gateway_url(ready_path(name))

            def ready() -> bool:
                return http_ok(url)

        try:
            wait_until(ready, timeout, f"{name} to serve", interval=0.5)
        except StackError as exc:
            raise StackError(f"{exc}\n{self.log_tail(name)}") from exc

    def log_text(self, name: str) -> str:
        result = self._compose(
            "logs", "--no-color", "--no-log-prefix", COMPOSE_SERVICES[name], check=False
        )
        return result.stdout

    def close(self) -> None:
        """Keep each program's log in ``workdir/logs``, then remove the project."""
        if self._closed or not self._env:
            return
        self._closed = True
        # Compose cannot stop a paused container.
        for name in sorted(self._paused):
            self._compose("unpause", COMPOSE_SERVICES[name], check=False)
        self._paused.clear()
        for name in PROGRAMS:
            (self.workdir / "logs" / f"{name}.log").write_text(self.log_text(name))
        self._compose("down", "--volumes", "--remove-orphans", check=False)
