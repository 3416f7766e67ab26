"""gunicorn server hooks that every SAP service runs with: one /metrics a service.

Each gunicorn worker is a process of its own, with counters of its own, so a
scrape of ``/metrics`` would report whichever worker happened to answer.
prometheus_client's multiprocess mode adds the workers up through files in
``PROMETHEUS_MULTIPROC_DIR``. These hooks give each gunicorn master an empty
directory before it forks, retire the files of workers that exit, and remove
the directory they made when the master stops.

Load them with ``gunicorn --config python:sap_common.gunicorn_hooks`` or by
importing them into a gunicorn configuration file. An operator who sets
``PROMETHEUS_MULTIPROC_DIR`` must give every service a directory of its own;
its stale files are removed at start.

The module also sets gunicorn's request size limits (``limit_request_*``)
to match the gateway's.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

__all__ = [
    "MULTIPROC_VARIABLE",
    "child_exit",
    "limit_request_field_size",
    "limit_request_fields",
    "limit_request_line",
    "on_exit",
    "on_starting",
]

logger = logging.getLogger(__name__)

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# Counters are written on every request: keep them in memory where possible.
SHARED_MEMORY = Path("/dev/shm")

# Request size limits above what the gateway lets through (nginx's
# large_client_header_buffers 4 4k): gunicorn would answer a longer request
# line or more than 100 headers with an English HTML page of its own.
limit_request_line = 8190
# nginx's 16 KB of headers hold at most some 3,300 lines of "a:b".
limit_request_fields = 3300
limit_request_field_size = 8190

# The directory this master created, and so removes when it exits.
_created: Path | None = None


def on_starting(server) -> None:
    """Point the workers at an empty metrics directory, before the first fork."""
    global _created
    configured = os.environ.get(MULTIPROC_VARIABLE)
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        # Files of an earlier run would add its counts to this one's.
        for stale in path.glob("*.db"):
            stale.unlink(missing_ok=True)
        return
    parent = SHARED_MEMORY if os.access(SHARED_MEMORY, os.W_OK) else None
    _created = Path(tempfile.mkdtemp(prefix="sap-metrics-", dir=parent))
    # Workers are forked from this process and import Django only then
    # (no preload), so they all read the same directory.
    os.environ[MULTIPROC_VARIABLE] = str(_created)
    logger.info("worker metrics in %s", _created, extra={"path": str(_created)})


def child_exit(server, worker) -> None:
    """Drop a dead worker's live gauges; its counters still count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    """Remove the directory :func:`on_starting` created."""
    if _created is not None:
        shutil.rmtree(_created, ignore_errors=True)
