"""WSGI entry point of service_proyectos, served by gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "service_proyectos.settings")

application = get_wsgi_application()
