from datetime import date
from decimal import Decimal

import pytest

from app_c import client_proyectos, services
from app_c.indicadores import Marco
from app_c.services import programacion_version_crear, seguimiento_registrar

pytest_plugins = ["sap_common.testing"]

PROYECTO_ID = 15
AUTORIZACION = "Bearer token-de-prueba"

# Wide enough for every month and amount the older tests use.
MARCO_AMPLIO = Marco(
    monto_total=Decimal("10000000.00"),
    fecha_inicio=date(2026, 1, 1),
    fecha_fin_programada=date(2027, 12, 31),
    estado="EN_EJECUCION",
)


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


class ProyectosFalso:
    """Stands in for service_proyectos in every test but the client's own.

    Answers ``marco`` (or raises ``error``) and records each call, so tests
    can say what B would answer and check whether, and how, it was asked.
    """

    def __init__(self):
        self.marco = MARCO_AMPLIO
        self.error = None
        self.llamadas = []

    def __call__(self, proyecto_id, *, authorization):
        self.llamadas.append((proyecto_id, authorization))
        if self.error is not None:
            raise self.error
        return self.marco


# The date the services take for today in every test: after every month the
# tests record, so that seguimiento of 2027 is past, whatever the real date.
HOY = date(2027, 12, 31)


@pytest.fixture(autouse=True)
def hoy_de_servicios(monkeypatch):
    """Fix the services' today at ``HOY``; a test may set another date."""

    class Hoy:
        fecha = HOY

    monkeypatch.setattr(services, "_hoy", lambda: Hoy.fecha)
    return Hoy


@pytest.fixture(autouse=True)
def proyectos_b(monkeypatch):
    """No test reaches the network: B's client answers from a ``ProyectosFalso``."""
    falso = ProyectosFalso()
    monkeypatch.setattr(client_proyectos, "proyecto_marco_obtener", falso)
    return falso


@pytest.fixture
def crear_version(proyecto_id):
    """Factory: store a version through the service, as the API would."""

    def crear(meses, motivo="", proyecto=None, creado_por="planificadora"):
        return programacion_version_crear(
            proyecto_id=proyecto or proyecto_id,
            meses=meses,
            motivo=motivo,
            creado_por=creado_por,
            authorization=AUTORIZACION,
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
            authorization=AUTORIZACION,
        )

    return registrar
