"""URLs of service_programacion: everything lives under /programacion/."""

from django.urls import include, path

from sap_common.urls import (  # noqa: F401  (Django reads the handlers by name)
    handler400,
    handler403,
    handler404,
    handler500,
    service_urls,
)

urlpatterns = [
    path("programacion/", include("app_c.urls")),
    *service_urls("programacion"),
]
