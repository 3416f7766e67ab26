import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """Throttle counters live in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def usuario(django_user_model):
    return django_user_model.objects.create_user(
        username="tecnico1", email="tecnico1@example.org", password="Clave-Segura-2026"
    )


@pytest.fixture
def tokens(api_client, usuario):
    respuesta = api_client.post(
        "/auth/token/",
        {"username": "tecnico1", "password": "Clave-Segura-2026"},
        format="json",
    )
    assert respuesta.status_code == 200
    return respuesta.json()
