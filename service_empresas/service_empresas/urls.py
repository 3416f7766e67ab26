"""URLs of service_empresas: everything lives under /empresas/."""

from django.urls import include, path

from sap_common.urls import (  # noqa: F401  (Django reads the handlers by name)
    handler400,
    handler403,
    handler404,
    handler500,
    service_urls,
)

urlpatterns = [
    # Ids are digits only, so /empresas/health/ and friends never clash with them.
    path("empresas/", include("app_a.urls")),
    *service_urls("empresas"),
]
