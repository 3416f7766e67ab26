"""Service C's client for Service B (proyectos): a proyecto's marco.

B is the source of truth for a proyecto's ``monto_total``, dates and
``estado``. C reads them here before a write whose rules need them, and for
a summary requested without them.

Each read is a single attempt, with no retries and no circuit breaker. It
validates a write (or answers a read) while a user waits: when B does not
answer in time the user gets a 503 at once and can simply try again, which
is clearer than holding the request, and its database transaction, open
through a series of retries. The retry and breaker policy for calls between
services lives in B, the service whose job is calling the others; C does not
keep a second copy of it.

One pooled ``httpx.Client`` serves every call of a process. It is built on
first use, so each worker forked by gunicorn builds its own instead of
sharing sockets inherited from the parent, and a lock makes sure concurrent
first calls build only one. The URL and timeouts are read from settings at
call time.
"""

import logging
import threading
import time

import httpx
from django.conf import settings

from app_c.indicadores import Marco
from app_c.serializers import MarcoSerializer
from sap_common.request_id import HEADER as REQUEST_ID_HEADER
from sap_common.request_id import get_request_id

__all__ = ["ProyectoNoEncontrado", "ProyectosNoDisponible", "proyecto_marco_obtener"]

logger = logging.getLogger(__name__)

DEPENDENCY = "proyectos"

_client: httpx.Client | None = None
_client_lock = threading.Lock()


class ProyectoNoEncontrado(Exception):
    """B answered that the proyecto does not exist."""


class ProyectosNoDisponible(Exception):
    """B gave no usable answer in time.

    ``reason`` is ``transport`` (no connection, or a timeout),
    ``http_<status>`` (an answer other than 200 or 404) or ``bad_response``
    (a 200 whose body is not a proyecto). It is for logs, never for clients.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(f"{DEPENDENCY} unavailable: {reason}")
        self.reason = reason


def _timeout() -> httpx.Timeout:
    # The read timeout also bounds writing the request and waiting for a
    # connection from the pool.
    return httpx.Timeout(
        settings.PROYECTOS_READ_TIMEOUT, connect=settings.PROYECTOS_CONNECT_TIMEOUT
    )


def http_client() -> httpx.Client:
    """The process's pooled client for B, built on first use."""
    global _client
    if _client is None:
        with _client_lock:
            if _client is None:
                _client = httpx.Client(timeout=_timeout())
    return _client


def close_http_client() -> None:
    """Close the pooled client; the next call builds a new one."""
    global _client
    with _client_lock:
        if _client is not None:
            _client.close()
            _client = None


def _log(level: int, message: str, proyecto_id: int, started: float, **extra):
    logger.log(
        level,
        message,
        DEPENDENCY,
        extra={
            "dependency": DEPENDENCY,
            "attempt": 1,
            "proyecto_id": proyecto_id,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            **extra,
        },
    )


def proyecto_marco_obtener(proyecto_id: int, *, authorization: str) -> Marco:
    """Read proyecto ``proyecto_id``'s marco from B: ``GET /proyectos/<id>/``.

    Forwards the caller's ``Authorization`` header (B checks the same
    tokens) and the request id. Raises ``ProyectoNoEncontrado`` when B
    answers 404 and ``ProyectosNoDisponible`` for anything else that is not
    a valid proyecto: no connection, a timeout, another status, a body that
    does not read as a marco.
    """
    url = f"{settings.PROYECTOS_URL.rstrip('/')}/proyectos/{int(proyecto_id)}/"
    headers = {REQUEST_ID_HEADER: get_request_id()}
    if authorization:
        headers["Authorization"] = authorization
    started = time.perf_counter()

    try:
        response = http_client().get(url, headers=headers, timeout=_timeout())
    except httpx.HTTPError as exc:
        _log(
            logging.WARNING,
            "%s did not answer",
            proyecto_id,
            started,
            error=type(exc).__name__,
        )
        raise ProyectosNoDisponible("transport") from exc

    status_code = response.status_code
    if status_code == httpx.codes.NOT_FOUND:
        _log(logging.INFO, "%s has no such proyecto", proyecto_id, started, status=404)
        raise ProyectoNoEncontrado()
    if status_code != httpx.codes.OK:
        _log(
            logging.WARNING,
            "%s answered an error",
            proyecto_id,
            started,
            status=status_code,
        )
        raise ProyectosNoDisponible(f"http_{status_code}")

    try:
        body = response.json()
    except ValueError:
        body = None
    parsed = MarcoSerializer(data=body)
    if not parsed.is_valid():
        # Field names only: the values are B's data, not something to log.
        _log(
            logging.ERROR,
            "%s answered a body that is not a proyecto",
            proyecto_id,
            started,
            status=status_code,
            invalid_fields=sorted(parsed.errors),
        )
        raise ProyectosNoDisponible("bad_response")

    _log(logging.INFO, "%s answered", proyecto_id, started, status=status_code)
    return Marco(**parsed.validated_data)
