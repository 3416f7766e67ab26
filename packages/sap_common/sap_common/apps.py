"""sap_common as a Django app, so that its system checks are registered."""

from django.apps import AppConfig


class SapCommonConfig(AppConfig):
    name = "sap_common"
    verbose_name = "SAP (shared)"

    def ready(self) -> None:
        # Registering the checks is the import's side effect.
        from sap_common import checks  # noqa: F401
