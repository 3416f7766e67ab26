"""URLs of service_proyectos: everything lives under /proyectos/."""

from django.urls import include, path

from sap_common.urls import (  # noqa: F401  (Django reads the handlers by name)
    handler400,
    handler403,
    handler404,
    handler500,
    service_urls,
)

urlpatterns = [
    path("proyectos/", include("app_b.urls")),
    *service_urls("proyectos"),
]
