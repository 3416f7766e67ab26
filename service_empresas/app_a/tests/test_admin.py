import pytest
from rest_framework import status

from app_a.models import Empresa

pytestmark = pytest.mark.django_db

CAMBIOS = "/empresas/admin/app_a/empresa/"


def test_changelist_searches_and_filters(admin_client, crear_empresa):
    crear_empresa(razon_social="Buscada", nit="123")
    crear_empresa(razon_social="Otra")

    respuesta = admin_client.get(CAMBIOS, {"q": "123", "estado__exact": "ACTIVA"})

    assert respuesta.status_code == status.HTTP_200_OK
    assert list(respuesta.context["cl"].result_list) == [Empresa.objects.get(nit="123")]


def test_adding_in_the_admin_records_the_admin_as_author(admin_client):
    respuesta = admin_client.post(
        f"{CAMBIOS}add/",
        {
            "nit": "456",
            "razon_social": "Desde el admin",
            "tipo": "OTRO",
            "estado": "ACTIVA",
        },
    )

    assert respuesta.status_code == status.HTTP_302_FOUND
    empresa = Empresa.objects.get(nit="456")
    assert empresa.creado_por == "admin"
    assert empresa.actualizado_por == "admin"


def test_admin_cannot_delete_an_empresa(admin_client, crear_empresa):
    empresa = crear_empresa()

    respuesta = admin_client.post(f"{CAMBIOS}{empresa.pk}/delete/", {"post": "yes"})

    assert respuesta.status_code == status.HTTP_403_FORBIDDEN
    assert Empresa.objects.filter(pk=empresa.pk).exists()


def test_admin_action_deactivates_instead(admin_client, crear_empresa):
    empresa = crear_empresa()

    admin_client.post(
        CAMBIOS, {"action": "desactivar", "_selected_action": [empresa.pk]}
    )

    empresa.refresh_from_db()
    assert empresa.estado == Empresa.Estado.INACTIVA
    assert empresa.actualizado_por == "admin"
