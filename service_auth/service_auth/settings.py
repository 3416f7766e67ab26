"""Settings of service_auth, the only service that issues tokens."""

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
    REST_FRAMEWORK,
    database_settings,
    env,
    jwt_settings,
    spectacular_settings,
)

SERVICE_NAME = "auth"

INSTALLED_APPS = [*COMMON_APPS, "auth_app"]
ROOT_URLCONF = "service_auth.urls"
WSGI_APPLICATION = "service_auth.wsgi.application"
DATABASES = database_settings(BASE_DIR)

STATIC_URL = f"/{SERVICE_NAME}/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

SIMPLE_JWT = {
    **jwt_settings(issues_tokens=True),
    "TOKEN_OBTAIN_SERIALIZER": "auth_app.serializers.TokenConUsuarioSerializer",
    # Users live here, so the last login is worth keeping.
    "UPDATE_LAST_LOGIN": True,
}

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    # Unlike the other services, auth owns the users and can look them up.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ],
    "DEFAULT_THROTTLE_RATES": {
        # Slows down password guessing and mass registration from one address.
        "credenciales": env.str("AUTH_THROTTLE_RATE", default="30/min"),
    },
    # The client's address is the one the gateway appended to X-Forwarded-For;
    # whatever a client wrote there itself comes before it and is ignored.
    "NUM_PROXIES": env.int("AUTH_TRUSTED_PROXIES", default=1),
}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SPECTACULAR_SETTINGS = spectacular_settings(
    "SAP · Autenticación",
    "Registro de usuarios y emisión de tokens JWT (RS256) para la plataforma SAP.",
)
LOGGING = build_logging_config(SERVICE_NAME, LOG_LEVEL, LOG_FORMAT)
