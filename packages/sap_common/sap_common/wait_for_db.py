"""Container start-up: wait for the database, migrate, then run the server.

Every service image uses this module as its entrypoint::

    python -m sap_common.wait_for_db --migrate -- gunicorn ...

It retries a connection to the service's own database until it answers or
``DB_WAIT_SECONDS`` (60 by default) have passed. Past that it logs why and
exits with status 1, so the orchestrator sees a failed start instead of a
server that answers 503 forever. With ``--migrate`` it then applies the
migrations while holding a PostgreSQL advisory lock, so that replicas
starting together do not race to create the same tables. Finally it replaces
itself with the command after ``--`` (the server keeps the process id).

``DJANGO_SETTINGS_MODULE`` names the service's settings, and the service's
directory must be the working directory.
"""

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable

# Named, not __name__: run with -m, this module is "__main__".
logger = logging.getLogger("sap_common.wait_for_db")

# Any constant works: each service has a database of its own, and all the
# replicas of one service must simply agree on it.
MIGRATION_LOCK_ID = 7_364_021


def wait_until_ready(
    check: Callable[[], None],
    errors: tuple[type[BaseException], ...],
    *,
    timeout: float,
    interval: float,
    on_retry: Callable[[int, float, BaseException], None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Call ``check`` until it stops raising one of ``errors``.

    Return True once it succeeds, or False when ``timeout`` seconds have
    passed. ``on_retry(attempt, seconds_left, error)`` follows each failure,
    the last one included.
    """
    deadline = clock() + timeout
    attempt = 0
    while True:
        attempt += 1
        try:
            check()
        except errors as error:
            left = max(deadline - clock(), 0.0)
            on_retry(attempt, left, error)
            if left == 0:
                return False
            sleep(min(interval, left))
        else:
            return True


def database_label(settings_dict: dict) -> str:
    """``host:port/name`` of a database, for logs; never the password."""
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or "-"
    return f"{host}:{port}/{settings_dict.get('NAME')}"


def migrate(connection) -> None:
    """Apply pending migrations, one replica at a time on PostgreSQL."""
    from django.core.management import call_command

    if connection.vendor != "postgresql":
        call_command("migrate", interactive=False, verbosity=1)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
        try:
            call_command("migrate", interactive=False, verbosity=1)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Read the options and the command to run once the database answers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--timeout",
        type=float,
        default=float(os.environ.get("DB_WAIT_SECONDS", "60")),
        help="seconds to keep trying before giving up (env DB_WAIT_SECONDS)",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=2.0,
        help="seconds between two connection attempts",
    )
    parser.add_argument(
        "--migrate", action="store_true", help="apply migrations once ready"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)

    import django

    django.setup()
    from django.db import OperationalError, connection

    label = database_label(connection.settings_dict)
    failures: list[BaseException] = []

    def log_retry(attempt: int, seconds_left: float, error: BaseException) -> None:
        failures.append(error)
        logger.info(
            "waiting for database %s (attempt %d, %.0f s left)",
            label,
            attempt,
            seconds_left,
            extra={"dependency": "database", "attempt": attempt},
        )

    ready = wait_until_ready(
        connection.ensure_connection,
        (OperationalError,),
        timeout=args.timeout,
        interval=args.interval,
        on_retry=log_retry,
    )
    if not ready:
        # The driver's message says why (refused, unknown host, bad password)
        # and carries no password.
        logger.error(
            "database %s did not answer within %.0f s; giving up: %s",
            label,
            args.timeout,
            " ".join(str(failures[-1]).split()),
            extra={"dependency": "database"},
        )
        return 1
    logger.info("database %s is ready", label, extra={"dependency": "database"})
    if args.migrate:
        migrate(connection)
    connection.close()
    if args.command:
        os.execvp(args.command[0], args.command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
