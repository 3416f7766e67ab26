"""Settings of service_programacion: plans and progress of each proyecto."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
# A local .env (written by `make up`) fills in what the environment lacks.
environ.Env.read_env(BASE_DIR.parent / ".env", overwrite=False)

from sap_common.logging import build_logging_config  # noqa: E402
from sap_common.settings import *  # noqa: E402,F403
from sap_common.settings import (  # noqa: E402
    COMMON_APPS,
    LOG_FORMAT,
    LOG_LEVEL,
    database_settings,
    env,
    jwt_settings,
    spectacular_settings,
)

SERVICE_NAME = "programacion"

INSTALLED_APPS = [*COMMON_APPS, "django_filters", "app_c"]
ROOT_URLCONF = "service_programacion.urls"
WSGI_APPLICATION = "service_programacion.wsgi.application"
DATABASES = database_settings(BASE_DIR)

STATIC_URL = f"/{SERVICE_NAME}/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Verifies tokens with the public key only: this service never issues them.
SIMPLE_JWT = jwt_settings()

SPECTACULAR_SETTINGS = spectacular_settings(
    "SAP · Programación y seguimiento",
    "Programación mensual (con sus reprogramaciones) y seguimiento del avance "
    "físico y financiero de cada proyecto.",
)
LOGGING = build_logging_config(SERVICE_NAME, LOG_LEVEL, LOG_FORMAT)

# Service B (proyectos) owns each proyecto's monto_total, dates and estado; C
# reads them there before a write and for a summary asked without them. One
# attempt per read (see app_c/client_proyectos.py); read at call time.
# Where B answers; the gateway is not in the path between services.
PROYECTOS_URL = env.str("PROYECTOS_URL", default="http://127.0.0.1:8003")
# A peer on the same network accepts a connection in milliseconds; 1 s means down.
PROYECTOS_CONNECT_TIMEOUT = env.float("PROYECTOS_CONNECT_TIMEOUT", default=1.0)
# B reads a proyecto with one indexed query; 3 s without a byte means it is stuck.
PROYECTOS_READ_TIMEOUT = env.float("PROYECTOS_READ_TIMEOUT", default=3.0)

# Semáforo of a proyecto by its SPI (earned over planned value).
# Up to 5 % behind the plan is within the usual tolerance: still green.
SEMAFORO_VERDE_MIN = env.float("SEMAFORO_VERDE_MIN", default=0.95)
# From 5 % to 15 % behind is a warning (amber); further behind is red.
SEMAFORO_AMARILLO_MIN = env.float("SEMAFORO_AMARILLO_MIN", default=0.85)
if not 0 <= SEMAFORO_AMARILLO_MIN <= SEMAFORO_VERDE_MIN:
    raise ImproperlyConfigured(
        "SEMAFORO_AMARILLO_MIN must lie between 0 and SEMAFORO_VERDE_MIN."
    )
