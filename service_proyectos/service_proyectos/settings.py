"""Settings of service_proyectos (Service B): public investment projects.

B verifies tokens but never issues them, and it is the only service that
calls others: A (empresas) to check a project's company and C (programacion)
for its schedule. The resilience block at the end bounds those calls.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
# A local .env (written by `make up`) fills in what the environment lacks.
environ.Env.read_env(BASE_DIR.parent / ".env", overwrite=False)

from sap_common.logging import build_logging_config  # noqa: E402
from sap_common.settings import *  # noqa: E402,F403
from sap_common.settings import (  # noqa: E402
    COMMON_APPS,
    LIST_FILTER_BACKENDS,
    LOG_FORMAT,
    LOG_LEVEL,
    REST_FRAMEWORK,
    database_settings,
    env,
    jwt_settings,
    spectacular_settings,
)

SERVICE_NAME = "proyectos"

INSTALLED_APPS = [
    *COMMON_APPS,
    "django_filters",
    "app_b",
]
ROOT_URLCONF = "service_proyectos.urls"
WSGI_APPLICATION = "service_proyectos.wsgi.application"
DATABASES = database_settings(BASE_DIR)

STATIC_URL = f"/{SERVICE_NAME}/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Public key only: B verifies the tokens auth signs and cannot mint its own.
SIMPLE_JWT = jwt_settings()

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_FILTER_BACKENDS": LIST_FILTER_BACKENDS,
}

SPECTACULAR_SETTINGS = spectacular_settings(
    "SAP · Proyectos",
    "Proyectos de inversión pública: registro, consulta y detalle consolidado "
    "con la empresa ejecutora y la programación financiera.",
)
# Several outputs have an "estado"; the proyecto's keeps the plain enum name.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {"EstadoEnum": "app_b.models.Estado"}
LOGGING = build_logging_config(SERVICE_NAME, LOG_LEVEL, LOG_FORMAT)

# Resilience of the calls to A and C. The clients read these at call time.
# Where A (empresas) answers; the gateway is not in the path between services.
EMPRESAS_URL = env.str("EMPRESAS_URL", default="http://127.0.0.1:8002")
# Where C (programacion) answers.
PROGRAMACION_URL = env.str("PROGRAMACION_URL", default="http://127.0.0.1:8004")
# A peer on the same network accepts a connection in milliseconds; 1 s means down.
DEP_CONNECT_TIMEOUT = env.float("DEP_CONNECT_TIMEOUT", default=1.0)
# A and C answer from one indexed query; 3 s without a byte means they are stuck.
DEP_READ_TIMEOUT = env.float("DEP_READ_TIMEOUT", default=3.0)
# Retries after the first attempt: rides out a restart without piling up load.
DEP_RETRIES = env.int("DEP_RETRIES", default=3)
# First wait between attempts, doubled each time, so a struggling peer recovers.
DEP_RETRY_WAIT_INITIAL = env.float("DEP_RETRY_WAIT_INITIAL", default=1.0)
# Ceiling of the doubling wait, so a retry never waits longer than a user would.
DEP_RETRY_WAIT_MAX = env.float("DEP_RETRY_WAIT_MAX", default=8.0)
# Random fraction added to each wait, so workers do not retry in lockstep.
DEP_RETRY_JITTER = env.float("DEP_RETRY_JITTER", default=0.5)
# Consecutive failures that open a dependency's breaker and stop calling it.
BREAKER_FAIL_MAX = env.int("BREAKER_FAIL_MAX", default=4)
# Seconds an open breaker waits before letting one trial call through.
BREAKER_RESET_TIMEOUT = env.float("BREAKER_RESET_TIMEOUT", default=30.0)
# Whole time the detalle may spend on A and C before answering with what it has.
DETALLE_BUDGET_SECONDS = env.float("DETALLE_BUDGET_SECONDS", default=10.0)
# Kept-alive connections per dependency, matching the worker threads that use them.
DEP_POOL_SIZE = env.int("DEP_POOL_SIZE", default=20)
# Threads for calls made at the same time; caps the load B puts on A and C.
DEP_MAX_CONCURRENT_CALLS = env.int("DEP_MAX_CONCURRENT_CALLS", default=32)
# How long a kept answer of A or C may stand in for them; a day outlasts a night.
LKG_TTL_SECONDS = env.int("LKG_TTL_SECONDS", default=86400)
