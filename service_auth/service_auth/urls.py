"""URLs of service_auth: everything lives under /auth/."""

from django.urls import include, path

from sap_common.urls import (  # noqa: F401  (Django reads the handlers by name)
    handler400,
    handler403,
    handler404,
    handler500,
    service_urls,
)

urlpatterns = [
    path("auth/", include("auth_app.urls")),
    *service_urls("auth"),
]
