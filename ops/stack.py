"""Run SAP on this host under supervisor: what `make up`, `down`, `stop`... do.

Usage (with the project's virtualenv, after ``ops/bootstrap.sh``)::

    python ops/stack.py up | down | status | restart [NAME]
    python ops/stack.py stop NAME | start NAME | logs [NAME]

NAME is one of auth, empresas, proyectos, programacion or gateway.

Configuration comes from the environment, then the repository's ``.env``,
then the defaults below (all listed in ``.env.example``). ``make up`` runs
each service's migrations against its own database (SQLite beside the
service unless ``<SERVICE>_DATABASE_URL`` names another), renders the nginx
template, starts supervisord with ``ops/supervisord.conf`` and returns once
the gateway and every service answer, or fails with the log that explains
why. Runtime state stays in ``var/``.
"""

import argparse
import contextlib
import grp
import hashlib
import json
import logging
import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import environ

logger = logging.getLogger("stack")

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
VENV = ROOT / ".venv"
SUPERVISOR_CONF = ROOT / "ops" / "supervisord.conf"
FINGERPRINT = VAR / "run" / "stack.fingerprint"
# The settings the running stack was started with, so that `make status`,
# `stop` and `start` address it even when the shell that started it had
# other variables (SAP_GATEWAY_PORT=8010 make up).
RUNNING_SETTINGS = VAR / "run" / "stack-settings.json"

SERVICES = ("auth", "empresas", "proyectos", "programacion")
PROGRAMS = (*SERVICES, "gateway")
DEFAULT_PORTS = {
    "gateway": 8000,
    "auth": 8001,
    "empresas": 8002,
    "proyectos": 8003,
    "programacion": 8004,
}
# Two sync workers per service suit the two cores a developer machine or a
# small VM has; proyectos waits on I/O, so its threads carry the concurrency.
DEFAULT_WORKERS = 2
DEFAULT_PROYECTOS_THREADS = 8
# Longer than proyectos' detalle budget (10 s), shorter than an operator's
# patience: a worker silent this long is stuck and gets replaced.
DEFAULT_GUNICORN_TIMEOUT = 30
# Migrations and the first import of four Django projects on a slow disk.
DEFAULT_UP_TIMEOUT = 90
PROBE_TIMEOUT = 2.0
POLL_INTERVAL = 0.5
LOG_TAIL_LINES = 30


class StackError(Exception):
    """A step failed; the message tells the operator what to do next."""


def load_environment() -> dict[str, str]:
    """The environment for supervisord, its programs and the migrations.

    Real environment variables win over ``.env``, which wins over defaults.
    """
    environ.Env.read_env(ROOT / ".env", overwrite=False)
    env = dict(os.environ)

    def default(name: str, value) -> str:
        if not env.get(name):
            env[name] = str(value)
        return env[name]

    env["SAP_ROOT"] = str(ROOT)
    env["SAP_VAR"] = str(VAR)
    env["SAP_VENV"] = str(VENV)
    default("SAP_NGINX", shutil.which("nginx") or "/usr/sbin/nginx")
    host = default("SAP_BIND_HOST", "127.0.0.1")
    default("SAP_GUNICORN_TIMEOUT", DEFAULT_GUNICORN_TIMEOUT)
    default("SAP_PROYECTOS_THREADS", DEFAULT_PROYECTOS_THREADS)
    default("SAP_GATEWAY_PORT", DEFAULT_PORTS["gateway"])
    for service in SERVICES:
        upper = service.upper()
        port = default(f"SAP_{upper}_PORT", DEFAULT_PORTS[service])
        default(f"SAP_{upper}_WORKERS", DEFAULT_WORKERS)
        env[f"SAP_{upper}_UPSTREAM"] = f"{host}:{port}"
        sqlite = ROOT / f"service_{service}" / "db.sqlite3"
        env[f"SAP_{upper}_DATABASE_URL"] = env.get(f"{upper}_DATABASE_URL") or (
            f"sqlite:///{sqlite}"
        )
    # The services call each other directly, not through the gateway:
    # proyectos calls empresas and programacion, programacion calls proyectos.
    for service in ("empresas", "proyectos", "programacion"):
        port = env[f"SAP_{service.upper()}_PORT"]
        default(f"{service.upper()}_URL", f"http://{host}:{port}")
    env["SAP_NGINX_RUNTIME_DIR"] = str(VAR / "nginx")
    default("SAP_NGINX_USER", nginx_worker_user(VAR / "nginx"))
    return env


def nginx_worker_user(runtime: Path) -> str:
    """Whom nginx's workers run as: nobody under root, else the caller.

    nginx ignores the ``user`` directive when it is not started by root. The
    workers write request and response bodies too large for memory under
    ``runtime``; when nobody cannot reach it (a checkout in root's home,
    mode 0700), they run as the checkout's owner instead.
    """
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    if _traversable_by_others(runtime):
        account = pwd.getpwnam("nobody")
    else:
        account = pwd.getpwuid(ROOT.stat().st_uid)
    return f"{account.pw_name} {grp.getgrgid(account.pw_gid).gr_name}"


def _traversable_by_others(path: Path) -> bool:
    """True if every existing folder down to ``path`` lets anyone pass."""
    for folder in [*reversed(path.parents), path]:
        if folder.exists() and not folder.stat().st_mode & stat.S_IXOTH:
            return False
    return True


def stack_settings(env: dict[str, str]) -> dict[str, str]:
    """What supervisord bakes in when it starts: SAP_* and the service URLs."""
    keys = sorted(k for k in env if k.startswith("SAP_"))
    keys += ["EMPRESAS_URL", "PROYECTOS_URL", "PROGRAMACION_URL"]
    return {k: env.get(k, "") for k in keys}


def fingerprint(env: dict[str, str]) -> str:
    """A digest of the stack's settings and of .env."""
    text = json.dumps(stack_settings(env), sort_keys=True)
    dotenv = ROOT / ".env"
    if dotenv.exists():
        text += "\n" + dotenv.read_text()
    return hashlib.sha256(text.encode()).hexdigest()


def describe_database(url: str) -> str:
    """A database URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = Path("/" + parts.path.lstrip("/"))
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        return f"SQLite {shown}"
    return f"{parts.scheme} {parts.hostname}:{parts.port or ''}{parts.path}"


def run(cmd: list[str], env: dict[str, str], cwd: Path = ROOT, **kwargs):
    """Run a command; raise StackError with its output when it fails."""
    result = subprocess.run(
        cmd, cwd=cwd, env=env, text=True, capture_output=True, check=False, **kwargs
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        shown = "\n".join(output[-LOG_TAIL_LINES:])
        raise StackError(f"`{' '.join(cmd)}` failed in {cwd}:\n{shown}")
    return result


def supervisorctl(env, *args: str, check: bool = True):
    """Run supervisorctl against this stack's supervisord."""
    cmd = [str(VENV / "bin" / "supervisorctl"), "-c", str(SUPERVISOR_CONF), *args]
    if check:
        return run(cmd, env)
    return subprocess.run(
        cmd, cwd=ROOT, env=env, text=True, capture_output=True, check=False
    )


def supervisord_running(env) -> bool:
    """True when this stack's supervisord answers on its socket."""
    if not (VAR / "run" / "supervisor.sock").exists():
        return False
    return supervisorctl(env, "pid", check=False).returncode == 0


def program_states(env) -> dict[str, str]:
    """Each program's supervisor state (RUNNING, STOPPED, FATAL...)."""
    result = supervisorctl(env, "status", check=False)
    states = {}
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] in PROGRAMS:
            states[fields[0]] = fields[1]
    return states


def migrate(env: dict[str, str]) -> None:
    """Apply each service's migrations and collect its static files."""
    python = str(VENV / "bin" / "python")
    for service in SERVICES:
        directory = ROOT / f"service_{service}"
        if not (directory / "manage.py").exists():
            raise StackError(f"{directory.name}/manage.py is missing.")
        url = env[f"SAP_{service.upper()}_DATABASE_URL"]
        logger.info("%-13s migrating (%s)", service, describe_database(url))
        service_env = {**env, "DATABASE_URL": url}
        run([python, "manage.py", "migrate", "--noinput"], service_env, directory)
        run(
            [python, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            service_env,
            directory,
        )


def render_gateway(env: dict[str, str]) -> None:
    """Render nginx/nginx.conf into var/nginx and have nginx check it."""
    target = VAR / "nginx" / "nginx.conf"
    python = str(VENV / "bin" / "python")
    run([python, str(ROOT / "ops" / "render_nginx.py"), str(target)], env)
    nginx = env["SAP_NGINX"]
    if not Path(nginx).exists():
        raise StackError(
            f"nginx not found at {nginx}: run ops/bootstrap.sh, or install "
            "nginx and set SAP_NGINX to its path."
        )
    run([nginx, "-t", "-q", "-p", str(VAR / "nginx"), "-c", str(target)], env)


def probe(url: str) -> int | None:
    """The HTTP status of a GET, or None when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


def gateway_url(env, path: str) -> str:
    """An URL on the gateway, as a client on this host reaches it."""
    return f"http://127.0.0.1:{env['SAP_GATEWAY_PORT']}{path}"


def readiness_checks(env, names=PROGRAMS) -> dict[str, str]:
    """The URL that proves each program is serving, through the gateway."""
    checks = {}
    for name in names:
        path = "/health/" if name == "gateway" else f"/{name}/ready/"
        checks[name] = gateway_url(env, path)
    return checks


def log_tail(name: str, lines: int = LOG_TAIL_LINES) -> str:
    """The last lines of a program's log, for an error message."""
    path = VAR / "log" / f"{name}.log"
    if not path.exists():
        return f"(no {path.relative_to(ROOT)} yet)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def wait_ready(env, names=PROGRAMS) -> None:
    """Return once every program answers; raise with its log if one does not."""
    timeout = float(env.get("SAP_UP_TIMEOUT") or DEFAULT_UP_TIMEOUT)
    deadline = time.monotonic() + timeout
    checks = readiness_checks(env, names)
    pending = dict(checks)
    last: dict[str, int | None] = {}
    while pending:
        for name, url in list(pending.items()):
            last[name] = probe(url)
            if last[name] == 200:
                del pending[name]
        if not pending:
            return
        states = program_states(env)
        fatal = [name for name in pending if states.get(name) == "FATAL"]
        if fatal or time.monotonic() > deadline:
            failing = fatal or sorted(pending)
            raise StackError(not_ready_message(env, failing, last, timeout))
        time.sleep(POLL_INTERVAL)


def not_ready_message(env, failing, last, timeout) -> str:
    """Say which programs did not come up, with the end of their logs."""
    checks = readiness_checks(env, failing)
    lines = [f"SAP did not become ready within {timeout:.0f} s:"]
    for name in failing:
        status = last.get(name)
        answer = "no answer" if status is None else f"HTTP {status}"
        lines.append(f"  {name}: {checks[name]} -> {answer}")
    lines.append("")
    lines.append(supervisorctl(env, "status", check=False).stdout.rstrip())
    for name in failing:
        lines.append(f"\n--- last lines of var/log/{name}.log ---")
        lines.append(log_tail(name))
    lines.append("\nFollow every log with `make logs` (files in var/log/).")
    return "\n".join(lines)


def start_supervisord(env) -> None:
    """Start supervisord (it daemonizes) and wait for its socket."""
    for sub in ("run", "log", "nginx"):
        (VAR / sub).mkdir(parents=True, exist_ok=True)
    run([str(VENV / "bin" / "supervisord"), "-c", str(SUPERVISOR_CONF)], env)
    deadline = time.monotonic() + 15
    while not supervisord_running(env):
        if time.monotonic() > deadline:
            raise StackError(
                "supervisord did not start; see var/log/supervisord.log:\n"
                + log_tail("supervisord")
            )
        time.sleep(0.2)
    FINGERPRINT.write_text(fingerprint(env))
    RUNNING_SETTINGS.write_text(json.dumps(stack_settings(env), indent=2) + "\n")


def stop_supervisord(env) -> None:
    """Stop every program, then supervisord itself, and wait until it is gone."""
    pid_file = VAR / "run" / "supervisord.pid"
    pid = int(pid_file.read_text()) if pid_file.exists() else None
    supervisorctl(env, "shutdown", check=False)
    deadline = time.monotonic() + 60
    while pid is not None and process_alive(pid):
        if time.monotonic() > deadline:
            raise StackError(f"supervisord (pid {pid}) is still running after 60 s.")
        time.sleep(0.2)
    FINGERPRINT.unlink(missing_ok=True)
    RUNNING_SETTINGS.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """True while ``pid`` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def program_addresses(env) -> dict[str, tuple[str, int]]:
    """Where each program listens: the gateway on every address, the rest on one."""
    addresses = {"gateway": ("0.0.0.0", int(env["SAP_GATEWAY_PORT"]))}
    for service in SERVICES:
        port = int(env[f"SAP_{service.upper()}_PORT"])
        addresses[service] = (env["SAP_BIND_HOST"], port)
    return addresses


def check_ports_free(env) -> None:
    """Fail at once, naming the port, when another process holds one we need.

    Otherwise supervisor would restart the program that cannot bind until
    SAP_UP_TIMEOUT runs out, and the cause would sit in a log.
    """
    busy = []
    for name, (host, port) in program_addresses(env).items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe_socket:
            # The servers set SO_REUSEADDR too: a port in TIME_WAIT is free.
            probe_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe_socket.bind((host, port))
            except OSError as exc:
                busy.append(f"  {name}: {host}:{port} ({exc.strerror})")
    if busy:
        variables = "SAP_GATEWAY_PORT, SAP_<SERVICE>_PORT"
        raise StackError(
            "These ports are taken by another process:\n"
            + "\n".join(busy)
            + f"\nStop that process, or choose other ports ({variables}; "
            "see .env.example). Nothing was started."
        )


def cmd_up(env, _args) -> None:
    """Migrate, render the gateway, start or refresh everything, wait for it."""
    running = supervisord_running(env)
    if not running:
        check_ports_free(env)
    migrate(env)
    render_gateway(env)
    if running:
        recorded = FINGERPRINT.read_text() if FINGERPRINT.exists() else ""
        if recorded != fingerprint(env):
            logger.info("configuration changed: restarting supervisord")
            stop_supervisord(env)
            start_supervisord(env)
        else:
            # Already up: gunicorn and nginx reload code and config on HUP
            # without dropping requests; stopped programs are started again.
            for name, state in program_states(env).items():
                if state == "RUNNING":
                    supervisorctl(env, "signal", "HUP", name)
                else:
                    supervisorctl(env, "start", name, check=False)
            logger.info("already running: reloaded code and configuration")
    else:
        start_supervisord(env)
    logger.info("waiting for the gateway and the services to answer...")
    try:
        wait_ready(env)
    except StackError:
        if not running:
            # Leave nothing half-started behind a failed `make up`; the logs
            # in var/log/ stay for the post-mortem.
            stop_supervisord(env)
            logger.info("stopped what this `make up` had started.")
        raise
    port = env["SAP_GATEWAY_PORT"]
    logger.info("SAP is up: gateway on http://localhost:%s/", port)
    for service in SERVICES:
        logger.info("  http://localhost:%s/%s/docs/", port, service)
    logger.info("make status | make logs | make stop s=NAME | make down")


def cmd_down(env, _args) -> None:
    """Stop every program and supervisord."""
    if not supervisord_running(env):
        logger.info("SAP is not running.")
        return
    stop_supervisord(env)
    logger.info("SAP stopped.")


def require_running(env) -> None:
    """Fail with a hint when supervisord is not running."""
    if not supervisord_running(env):
        raise StackError("SAP is not running: start it with `make up`.")


def cmd_stop(env, args) -> None:
    """Stop one program, leaving the others running."""
    require_running(env)
    result = supervisorctl(env, "stop", args.name, check=False)
    logger.info("%s", result.stdout.strip())


def cmd_start(env, args) -> None:
    """Start one program and wait until it answers."""
    require_running(env)
    result = supervisorctl(env, "start", args.name, check=False)
    logger.info("%s", result.stdout.strip())
    wait_ready(env, [args.name])
    logger.info("%s is ready.", args.name)


def cmd_restart(env, args) -> None:
    """Restart one program, or all of them, and wait until they answer."""
    require_running(env)
    names = [args.name] if args.name else list(PROGRAMS)
    supervisorctl(env, "restart", *names)
    wait_ready(env, names)
    logger.info("restarted: %s", ", ".join(names))


def cmd_status(env, _args) -> int:
    """Supervisor's view of each program and whether it answers.

    Exits 3 only when SAP is not running at all; a stopped program is a state
    to show, not a failure of the command.
    """
    if not supervisord_running(env):
        logger.info("SAP is not running.")
        return 3
    result = supervisorctl(env, "status", check=False)
    logger.info("%s", result.stdout.rstrip())
    logger.info("")
    for name, url in readiness_checks(env).items():
        status = probe(url)
        answer = "no answer" if status is None else f"HTTP {status}"
        logger.info("%-13s %-45s %s", name, url, answer)
    return 0


def cmd_logs(env, args) -> None:
    """Follow the logs of one program or of all of them."""
    names = [args.name] if args.name else list(PROGRAMS)
    files = [str(VAR / "log" / f"{name}.log") for name in names]
    tail = shutil.which("tail") or "/usr/bin/tail"
    os.execv(tail, [tail, "-n", "20", "-F", *files])


COMMANDS = {
    "up": cmd_up,
    "down": cmd_down,
    "stop": cmd_stop,
    "start": cmd_start,
    "restart": cmd_restart,
    "status": cmd_status,
    "logs": cmd_logs,
}


class OperatorHandler(logging.StreamHandler):
    """Messages for the operator on stdout.

    When the reader goes away (``make status | head``), the rest of the
    output is discarded and the command still finishes what it was doing.
    """

    def handleError(self, record) -> None:  # noqa: N802 - logging's name
        if isinstance(sys.exc_info()[1], BrokenPipeError):
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())
            return
        super().handleError(record)


def main(argv=None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(message)s", handlers=[OperatorHandler(sys.stdout)]
    )
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument("name", nargs="?", choices=PROGRAMS)
    args = parser.parse_args(argv)
    if args.command in ("stop", "start") and not args.name:
        parser.error(f"`{args.command}` needs a program: {', '.join(PROGRAMS)}")
    env = load_environment()
    if args.command != "up" and RUNNING_SETTINGS.exists():
        env.update(json.loads(RUNNING_SETTINGS.read_text()))
    try:
        with contextlib.suppress(KeyboardInterrupt):
            return COMMANDS[args.command](env, args) or 0
    except StackError as exc:
        logger.error("%s", exc)
        return 1
    return 130


if __name__ == "__main__":
    sys.exit(main())
