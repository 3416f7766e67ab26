"""gunicorn settings shared by the four service images, read from the environment.

Each image sets ``PORT`` and its own worker defaults; Compose and Kubernetes
may override any of them without rebuilding.
"""

import os

# One /metrics for all of a service's workers (prometheus_client multiprocess).
# Request size limits matched to the gateway's, for the same reason.
from sap_common.gunicorn_hooks import (  # noqa: F401
    child_exit,
    limit_request_field_size,
    limit_request_fields,
    limit_request_line,
    on_exit,
    on_starting,
)

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"

# sync suits services that mostly wait on their own database; proyectos sets
# gthread, because its detalle waits on two other services over the network.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Threads per worker; only the gthread worker uses more than one.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))

# Above the slowest legitimate answer (the detalle's 10 s budget), below the
# gateway's 30 s read timeout for /proyectos/.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "25"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
# Longer than nginx keeps an idle upstream connection, so that the gateway,
# not gunicorn, closes it and never sends a request on a dying socket.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))

# Recycling workers bounds the damage of a slow memory leak; the jitter keeps
# them from restarting all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200

# Heartbeat files on tmpfs: a container's overlay disk can stall the workers.
worker_tmp_dir = "/dev/shm"

# The request-id middleware already logs every request as JSON.
accesslog = None
errorlog = "-"
