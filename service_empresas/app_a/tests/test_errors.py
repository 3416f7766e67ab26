"""The shared error handler (``sap_common.errors``) as a request meets it.

It lives in the internal package; empresas is the service that exercises it
here, with a real table to write to.
"""

import pytest
from django.db import transaction
from rest_framework import exceptions, status
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from app_a.models import Empresa

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("error", "esperado"),
    [
        (exceptions.ValidationError({"nit": ["No válido."]}), 400),
        (exceptions.NotFound(), 404),
        (RuntimeError("fallo inesperado"), 500),
    ],
)
def test_a_request_that_fails_after_writing_leaves_nothing_written(
    crear_empresa, error, esperado
):
    class EscribeYFalla(APIView):
        authentication_classes = []
        permission_classes = []

        def post(self, request):
            crear_empresa()
            raise error

    solicitud = APIRequestFactory().post("/empresas/", {}, format="json")

    # What ATOMIC_REQUESTS does around every view of this service.
    with transaction.atomic():
        respuesta = EscribeYFalla.as_view()(solicitud)

    assert respuesta.status_code == esperado
    assert not Empresa.objects.exists()


def test_an_unexpected_error_reaches_the_client_without_its_text():
    class Falla(APIView):
        authentication_classes = []
        permission_classes = []

        def get(self, request):
            raise RuntimeError("psycopg: server at db-empresas:5432 closed")

    respuesta = Falla.as_view()(APIRequestFactory().get("/empresas/"))

    assert respuesta.status_code == status.HTTP_500_INTERNAL_SERVER_ERROR
    respuesta.render()
    assert b"db-empresas" not in respuesta.content
    assert b"psycopg" not in respuesta.content
    assert respuesta.data["codigo"] == "error_interno"


@pytest.mark.parametrize("cuerpo", [[1, 2], "texto", 7])
def test_a_body_that_is_not_an_object_is_named_in_json_terms(auth_client, cuerpo):
    respuesta = auth_client.post("/empresas/", cuerpo, format="json")

    assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
    assert respuesta.json()["errores"] == {
        "non_field_errors": ["Se esperaba un objeto JSON."]
    }


def test_a_body_past_the_upload_limit_is_a_413_not_a_500(auth_client, settings):
    # The gateway refuses such a body first; this is the service reached
    # directly (by another container or pod).
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    cuerpo = {"razon_social": "x" * 2048}

    respuesta = auth_client.post("/empresas/", cuerpo, format="json")

    assert respuesta.status_code == status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    assert respuesta.json()["codigo"] == "solicitud_demasiado_grande"
    assert not Empresa.objects.exists()


def test_options_points_nowhere_but_the_schema(auth_client):
    respuesta = auth_client.options("/empresas/")

    assert respuesta.status_code == status.HTTP_405_METHOD_NOT_ALLOWED
    assert respuesta.json()["codigo"] == "metodo_no_permitido"
    assert "List" not in respuesta.content.decode()
