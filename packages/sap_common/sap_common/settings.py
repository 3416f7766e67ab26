"""Settings shared by the four services, all read from the environment.

A service's ``settings.py`` loads its ``.env`` file (if any), star-imports
this module, then names what is its own: ``SERVICE_NAME``, its apps, its
database and its URLs. See ``.env.example`` at the top of the repository for
every variable.

With ``DJANGO_DEBUG`` off (the default), a missing secret or key stops
start-up with an ``ImproperlyConfigured`` error that names the variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def required(name: str, dev_default: str | None = None) -> str:
    """Return a variable that production must set; development may default it."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG and dev_default is not None:
        return dev_default
    raise ImproperlyConfigured(
        f"The environment variable {name} is required "
        "(see .env.example; `make up` generates a development value)."
    )


def read_key(name: str) -> str:
    """Read a PEM key from ``NAME`` (inline) or from the file ``NAME_FILE``.

    Inline values may carry literal ``\\n`` sequences, as env files often do.
    """
    inline = env.str(name, default="")
    if inline:
        return inline.replace("\\n", "\n")
    path = env.str(f"{name}_FILE", default="")
    if not path:
        raise ImproperlyConfigured(
            f"Neither {name} nor {name}_FILE is set: the service cannot "
            f"{'sign' if 'PRIVATE' in name else 'verify'} tokens "
            "(run `make keys`, or see .env.example)."
        )
    try:
        return Path(path).read_text()
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read.") from exc


def jwt_settings(*, issues_tokens: bool = False) -> dict:
    """simplejwt settings: RS256, one issuer, one audience.

    Only the auth service holds the private key. The others get the public
    key alone, so they can verify tokens but never mint them.
    """
    return {
        "ALGORITHM": "RS256",
        "SIGNING_KEY": read_key("JWT_PRIVATE_KEY") if issues_tokens else None,
        "VERIFYING_KEY": read_key("JWT_PUBLIC_KEY"),
        "ISSUER": env.str("JWT_ISSUER", default="sap-auth"),
        "AUDIENCE": env.str("JWT_AUDIENCE", default="sap"),
        "ACCESS_TOKEN_LIFETIME": timedelta(
            minutes=env.int("JWT_ACCESS_MINUTES", default=15)
        ),
        "REFRESH_TOKEN_LIFETIME": timedelta(
            hours=env.int("JWT_REFRESH_HOURS", default=24)
        ),
        # Small clock drift between hosts must not reject fresh tokens.
        "LEEWAY": env.int("JWT_LEEWAY_SECONDS", default=10),
        "AUTH_HEADER_TYPES": ("Bearer",),
        "USER_ID_CLAIM": "user_id",
    }


def spectacular_settings(title: str, description: str) -> dict:
    """drf-spectacular settings; the schema and docs need no token."""
    return {
        "TITLE": title,
        "DESCRIPTION": description,
        "VERSION": "1.0.0",
        "SERVE_INCLUDE_SCHEMA": False,
        "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
        "SERVE_AUTHENTICATION": [],
        "COMPONENT_SPLIT_REQUEST": True,
        # Every path starts with the service's prefix; keep it in operation ids
        # and tags instead of collapsing everything into "root".
        "SCHEMA_PATH_PREFIX": "",
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
    }


def cache_settings(redis_url: str) -> dict:
    """Redis when ``redis_url`` is set (shared by every worker), else local memory."""
    if redis_url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                # A slow Redis must cost a request milliseconds, not seconds.
                "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
            }
        }
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


# SQLite's wait for another writer's lock before it answers "database is
# locked"; a request holds it for milliseconds.
SQLITE_BUSY_TIMEOUT_SECONDS = 20


def database_settings(base_dir: Path) -> dict:
    """``DATABASE_URL`` when set, otherwise a SQLite file beside the service."""
    default = env.db("DATABASE_URL", default=f"sqlite:///{base_dir / 'db.sqlite3'}")
    default["ATOMIC_REQUESTS"] = True
    default["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    default["CONN_HEALTH_CHECKS"] = True
    if default["ENGINE"] == "django.db.backends.sqlite3":
        # Several gunicorn workers write to one file. A deferred transaction
        # that reads, then writes, can only fail when another worker holds
        # the write lock; IMMEDIATE takes the lock at BEGIN, so writers queue
        # for it instead. WAL lets readers go on meanwhile.
        default.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )
    return {"default": default}


SECRET_KEY = required("DJANGO_SECRET_KEY", dev_default="dev-only-insecure-key")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
# On Kubernetes, Prometheus reaches each pod by its own IP, given here by the
# downward API; an address nobody can know in advance cannot be listed above.
POD_IP = env.str("POD_IP", default="")
if POD_IP:
    ALLOWED_HOSTS.append(POD_IP)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# nginx terminates the client connection and says how it was reached.
USE_X_FORWARDED_HOST = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

COMMON_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    # Every service verifies tokens (only auth issues them); listed for the
    # Spanish messages of its authentication errors.
    "rest_framework_simplejwt",
    # Swagger UI's files served by the service itself: the docs work on a
    # network with no way out to a CDN.
    "drf_spectacular_sidecar",
    "django_prometheus",
    # Its system checks refuse keys that are set but unusable.
    "sap_common",
]

MIDDLEWARE = [
    # Outermost, so request latency includes every other middleware.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "sap_common.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# Shared state across workers and replicas (cache, breaker state); optional.
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = cache_settings(REDIS_URL)

# For the services that list and filter; auth has no lists.
LIST_FILTER_BACKENDS = [
    "django_filters.rest_framework.DjangoFilterBackend",
    "rest_framework.filters.SearchFilter",
    "rest_framework.filters.OrderingFilter",
]

# Always Spanish, whatever a client's Accept-Language asks: the platform's
# users and its error contract speak it (no LocaleMiddleware).
LANGUAGE_CODE = "es"
TIME_ZONE = env.str("TIME_ZONE", default="America/La_Paz")
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="json")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Verify the signature and claims only: no user lookup, no call to auth.
        "rest_framework_simplejwt.authentication.JWTStatelessUserAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # No OPTIONS self-description: it would show the views' English
    # docstrings; the OpenAPI schema (/<service>/schema/) describes the API.
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["sap_common.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=20),
    "EXCEPTION_HANDLER": "sap_common.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
