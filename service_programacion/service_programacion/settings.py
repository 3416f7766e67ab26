"""Settings of service_programacion: plans and progress of each proyecto."""

from pathlib import Path

import environ

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
