"""Settings of service_empresas (Service A), the registry of companies."""

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
    jwt_settings,
    spectacular_settings,
)

SERVICE_NAME = "empresas"

INSTALLED_APPS = [
    *COMMON_APPS,
    "django_filters",
    "app_a",
]
ROOT_URLCONF = "service_empresas.urls"
WSGI_APPLICATION = "service_empresas.wsgi.application"
DATABASES = database_settings(BASE_DIR)

STATIC_URL = f"/{SERVICE_NAME}/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Public key only: tokens are verified here, never minted.
SIMPLE_JWT = jwt_settings()

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_FILTER_BACKENDS": LIST_FILTER_BACKENDS,
}

SPECTACULAR_SETTINGS = spectacular_settings(
    "SAP · Empresas",
    "Registro de empresas (contratistas y consultoras) de la plataforma SAP.",
)
LOGGING = build_logging_config(SERVICE_NAME, LOG_LEVEL, LOG_FORMAT)
