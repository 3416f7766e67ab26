from datetime import date
from decimal import Decimal

import pytest

from app_c.services import programacion_version_crear, seguimiento_registrar

pytest_plugins = ["sap_common.testing"]

PROYECTO_ID = 15


def mes_programado(anio=2026, mes=1, avance="10.00", monto="1000.00"):
    """One month as the API and the services take it."""
    return {
        "anio": anio,
        "mes": mes,
        "avance_fisico_programado": Decimal(avance),
        "monto_programado": Decimal(monto),
    }


@pytest.fixture
def proyecto_id():
    return PROYECTO_ID


@pytest.fixture
def crear_version(proyecto_id):
    """Factory: store a version through the service, as the API would."""

    def crear(meses, motivo="", proyecto=None, creado_por="planificadora"):
        return programacion_version_crear(
            proyecto_id=proyecto or proyecto_id,
            meses=meses,
            motivo=motivo,
            creado_por=creado_por,
        )

    return crear


@pytest.fixture
def registrar_seguimiento(proyecto_id):
    """Factory: record one month of seguimiento through the service."""

    def registrar(mes=1, avance="10.00", monto="1000.00", anio=2026, proyecto=None):
        return seguimiento_registrar(
            proyecto_id=proyecto or proyecto_id,
            anio=anio,
            mes=mes,
            avance_fisico_real=Decimal(avance),
            monto_ejecutado=Decimal(monto),
            fecha_corte=date(anio, mes, 28),
            registrado_por="supervisor",
        )

    return registrar
