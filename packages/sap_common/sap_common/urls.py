"""URL patterns every service exposes under its own prefix.

``/<prefix>/health/``, ``/<prefix>/ready/``, ``/<prefix>/schema/``,
``/<prefix>/docs/`` and ``/<prefix>/admin/``. The gateway routes by prefix and
does not rewrite paths, so a service answers the same paths directly and
behind nginx. ``/metrics`` sits outside every prefix, so the gateway never
exposes it: Prometheus scrapes each service on its own port.
"""

from django.contrib import admin
from django.db import transaction
from django.urls import path
from django_prometheus.exports import ExportToDjangoView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from sap_common.health import HealthView, ReadyView


def _outside_transactions(view):
    # ATOMIC_REQUESTS would open a transaction, and so need the database,
    # before these views run: liveness must not depend on it, and readiness
    # must answer 503 itself when the database is gone.
    return transaction.non_atomic_requests(view)


def service_urls(prefix: str) -> list:
    """Return the shared patterns for the service mounted at ``/<prefix>/``."""
    return [
        path(
            f"{prefix}/health/",
            _outside_transactions(HealthView.as_view(service_name=prefix)),
            name="health",
        ),
        path(
            f"{prefix}/ready/",
            _outside_transactions(ReadyView.as_view(service_name=prefix)),
            name="ready",
        ),
        path(
            f"{prefix}/schema/",
            _outside_transactions(SpectacularAPIView.as_view()),
            name="schema",
        ),
        path(
            f"{prefix}/docs/",
            _outside_transactions(SpectacularSwaggerView.as_view(url_name="schema")),
            name="docs",
        ),
        path(f"{prefix}/admin/", admin.site.urls),
        path("metrics", ExportToDjangoView, name="metrics"),
    ]


handler400 = "sap_common.errors.bad_request_view"
handler403 = "sap_common.errors.permission_denied_view"
handler404 = "sap_common.errors.not_found_view"
handler500 = "sap_common.errors.server_error_view"
