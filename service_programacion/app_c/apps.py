from django.apps import AppConfig


class AppCConfig(AppConfig):
    name = "app_c"
    verbose_name = "Programación y seguimiento"
