import pytest
from rest_framework import status

from app_c.tests.conftest import mes_programado

pytestmark = pytest.mark.django_db

MODELOS = ["programacionversion", "seguimiento"]


@pytest.mark.parametrize(
    ("modelo", "autor"),
    [("programacionversion", "planificadora"), ("seguimiento", "supervisor")],
)
def test_staff_can_browse_the_data(
    admin_client, crear_version, registrar_seguimiento, modelo, autor
):
    crear_version([mes_programado()])
    registrar_seguimiento()

    respuesta = admin_client.get(f"/programacion/admin/app_c/{modelo}/")

    assert respuesta.status_code == status.HTTP_200_OK
    assert autor in respuesta.content.decode()


def test_a_version_page_shows_its_months(admin_client, crear_version):
    version = crear_version([mes_programado(mes=9, avance="12.34")])

    respuesta = admin_client.get(
        f"/programacion/admin/app_c/programacionversion/{version.pk}/change/"
    )

    assert respuesta.status_code == status.HTTP_200_OK
    assert "12,34" in respuesta.content.decode()


@pytest.mark.parametrize("modelo", MODELOS)
def test_the_admin_cannot_write_around_the_rules(admin_client, modelo):
    respuesta = admin_client.get(f"/programacion/admin/app_c/{modelo}/add/")

    assert respuesta.status_code == status.HTTP_403_FORBIDDEN
