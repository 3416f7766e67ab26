from django.apps import AppConfig


class AppBConfig(AppConfig):
    name = "app_b"
    verbose_name = "Proyectos"
