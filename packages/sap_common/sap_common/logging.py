"""Logging set-up: one JSON object per line on stdout, with the request id.

Services build their ``LOGGING`` setting with :func:`build_logging_config`.
Fields that describe an event (dependency, attempt, status, duration) go in
``extra`` and come out as top-level JSON keys.
"""

import logging

from sap_common.request_id import get_request_id


class ContextFilter(logging.Filter):
    """Add the service name and the current request id to every record."""

    def __init__(self, service: str = "-") -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        if not hasattr(record, "request_id"):
            request_id = get_request_id()
            if request_id == "-":
                # Django logs a failed response ("Internal Server Error")
                # after every middleware has returned, the request-id one
                # included; the request it passes along still has the id.
                request = getattr(record, "request", None)
                request_id = getattr(request, "request_id", request_id)
            record.request_id = request_id
        return True


def build_logging_config(service: str, level: str = "INFO", fmt: str = "json"):
    """Return a ``dictConfig`` mapping for one service.

    ``fmt`` is ``json`` for machines (the default) or ``text`` for a person
    reading a terminal.
    """
    formatters = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(levelname)s %(name)s %(message)s",
            # ISO 8601 in UTC, like the gateway's log, so lines from every
            # process sort and join on one clock.
            "timestamp": "time",
            "rename_fields": {"levelname": "level"},
        },
        "text": {
            "format": "%(asctime)s %(levelname)s [%(service)s %(request_id)s] "
            "%(name)s: %(message)s",
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "sap_common.logging.ContextFilter", "service": service}
        },
        "formatters": {"selected": formatters[fmt]},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": ["context"],
                "formatter": "selected",
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # The request-id middleware logs every request once; keep only tracebacks.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
            # A forged Host is the client's mistake, answered 400 and logged
            # by the middleware; not an error with a traceback.
            "django.security.DisallowedHost": {"level": "CRITICAL"},
            # httpx logs every request at INFO; the clients log each attempt
            # themselves, with the fields that matter.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }


def safe_log(logger: logging.Logger, level: int, msg: str, *args, **kwargs) -> None:
    """Log, swallowing any error a handler, filter or formatter raises.

    For code whose course must not depend on logging, such as a circuit
    breaker deciding whether to open.
    """
    try:
        logger.log(level, msg, *args, **kwargs)
    except Exception:  # noqa: BLE001 - a broken log sink must not break callers
        return
