from datetime import date

import pytest
from django.db import IntegrityError

from app_c.models import ProgramacionMensual, ProgramacionVersion, Seguimiento

pytestmark = pytest.mark.django_db

# Writes that skip the API (a shell, a script, a future endpoint) meet the
# same limits in the database itself.
FUERA_DE_RANGO = [
    {"anio": 1999},
    {"anio": 2101},
    {"mes": 0},
    {"mes": 13},
    {"porcentaje": "-0.01"},
    {"porcentaje": "100.01"},
    {"monto": "-0.01"},
]


def _valores(anio=2026, mes=1, porcentaje="10", monto="1"):
    return anio, mes, porcentaje, monto


@pytest.fixture
def version():
    return ProgramacionVersion.objects.create(proyecto_id=1, numero=1, creado_por="x")


@pytest.mark.parametrize("cambio", FUERA_DE_RANGO)
def test_database_refuses_a_planned_month_out_of_range(version, cambio):
    anio, mes, porcentaje, monto = _valores(**cambio)

    with pytest.raises(IntegrityError):
        ProgramacionMensual.objects.create(
            version=version,
            anio=anio,
            mes=mes,
            avance_fisico_programado=porcentaje,
            monto_programado=monto,
        )


@pytest.mark.parametrize("cambio", FUERA_DE_RANGO)
def test_database_refuses_a_reported_month_out_of_range(cambio):
    anio, mes, porcentaje, monto = _valores(**cambio)

    with pytest.raises(IntegrityError):
        Seguimiento.objects.create(
            proyecto_id=1,
            anio=anio,
            mes=mes,
            avance_fisico_real=porcentaje,
            monto_ejecutado=monto,
            fecha_corte=date(2026, 1, 31),
            registrado_por="x",
        )


def test_database_refuses_a_second_version_with_the_same_number(version):
    with pytest.raises(IntegrityError):
        ProgramacionVersion.objects.create(proyecto_id=1, numero=1, creado_por="y")


def test_database_refuses_the_same_month_twice_in_a_version(version):
    ProgramacionMensual.objects.create(
        version=version,
        anio=2026,
        mes=1,
        avance_fisico_programado=1,
        monto_programado=1,
    )

    with pytest.raises(IntegrityError):
        ProgramacionMensual.objects.create(
            version=version,
            anio=2026,
            mes=1,
            avance_fisico_programado=1,
            monto_programado=1,
        )


def test_database_refuses_two_reports_of_one_month():
    datos = {
        "proyecto_id": 1,
        "anio": 2026,
        "mes": 1,
        "avance_fisico_real": 1,
        "monto_ejecutado": 1,
        "fecha_corte": date(2026, 1, 31),
        "registrado_por": "x",
    }
    Seguimiento.objects.create(**datos)

    with pytest.raises(IntegrityError):
        Seguimiento.objects.create(**datos)
