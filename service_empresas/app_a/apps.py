from django.apps import AppConfig


class EmpresasConfig(AppConfig):
    name = "app_a"
    verbose_name = "Empresas"
