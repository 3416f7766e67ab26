"""Request ids: accepted from the gateway, generated when absent, logged everywhere.

nginx sets ``X-Request-ID`` on every request. Each service keeps it in a
context variable so that log records and outgoing calls to other services can
carry it without passing it through every function.
"""

import contextvars
import logging
import re
import time
import uuid

logger = logging.getLogger(__name__)

HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"
# Anything else from the outside could inject text into logs or headers.
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_current: contextvars.ContextVar[str] = contextvars.ContextVar(
    "sap_request_id", default="-"
)


def get_request_id() -> str:
    """Return the id of the request being served, or ``"-"`` outside one."""
    return _current.get()


def _accept_or_generate(value: str | None) -> str:
    if value and _VALID.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Bind the request id for the duration of a request and log its outcome.

    The outcome line carries method, path, status and duration in ``extra``;
    5xx answers are logged as errors and 4xx as warnings.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _accept_or_generate(request.META.get(_META_KEY))
        request.request_id = request_id
        token = _current.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            self._log_outcome(request, response.status_code, started)
            return response
        finally:
            _current.reset(token)

    @staticmethod
    def _log_outcome(request, status_code: int, started: float) -> None:
        if status_code >= 500:
            level = logging.ERROR
        elif status_code >= 400:
            level = logging.WARNING
        else:
            level = logging.INFO
        logger.log(
            level,
            "%s %s -> %s",
            request.method,
            request.path,
            status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
