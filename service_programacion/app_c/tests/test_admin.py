import pytest
from rest_framework import status

pytestmark = pytest.mark.django_db

MODELOS = ["programacionversion", "seguimiento"]


@pytest.mark.parametrize("modelo", MODELOS)
def test_staff_can_browse_the_data(admin_client, crear_version, modelo):
    crear_version(
        [{"anio": 2026, "mes": 1, "avance_fisico_programado": 1, "monto_programado": 1}]
    )

    respuesta = admin_client.get(f"/programacion/admin/app_c/{modelo}/")

    assert respuesta.status_code == status.HTTP_200_OK


@pytest.mark.parametrize("modelo", MODELOS)
def test_the_admin_cannot_write_around_the_rules(admin_client, modelo):
    respuesta = admin_client.get(f"/programacion/admin/app_c/{modelo}/add/")

    assert respuesta.status_code == status.HTTP_403_FORBIDDEN
