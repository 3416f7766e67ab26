import datetime
from decimal import Decimal

import pytest
import redis
from django.core.cache import cache

from app_b import last_known
from app_b.clients import DependencyUnavailable
from app_b.models import Proyecto

pytest_plugins = ["sap_common.testing"]

EMPRESA_ACTIVA = {
    "id": 7,
    "nit": "1020304050",
    "razon_social": "Constructora Illimani S.R.L.",
    "estado": "ACTIVA",
}
PROGRAMACION = {
    "proyecto_id": 1,
    "version_vigente": 1,
    "avance_fisico": {"programado": "100.00", "real": "20.00"},
    "avance_financiero": {"programado": "900000.00", "ejecutado": "150000.00"},
    "meses": [],
}


@pytest.fixture(autouse=True)
def _copias_aisladas(settings, monkeypatch):
    """Each test starts with no kept copies and a healthy cache.

    The cache is this process's memory whatever REDIS_URL says, so clearing it
    never touches a Redis that other services use.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "app-b-tests",
        }
    }
    cache.clear()
    monkeypatch.setattr(last_known, "guard", last_known.CacheGuard())


class Reloj:
    """What ``django.utils.timezone.now`` returns while the fixture is active."""

    def __init__(self) -> None:
        # Today, so that tokens signed for the test are still valid by it.
        self.ahora = datetime.datetime.now(datetime.UTC).replace(microsecond=0)

    def __call__(self) -> datetime.datetime:
        return self.ahora

    def avanzar(self, segundos: float) -> None:
        self.ahora += datetime.timedelta(seconds=segundos)


@pytest.fixture
def reloj(monkeypatch):
    """Stops Django's clock at a fixed instant; ``reloj.avanzar(s)`` moves it."""
    parado = Reloj()
    monkeypatch.setattr("django.utils.timezone.now", parado)
    return parado


class CacheCaida:
    """A cache whose server is down: every operation raises, and is counted."""

    def __init__(self) -> None:
        self.operaciones = 0

    def _caer(self, *args, **kwargs):
        self.operaciones += 1
        raise redis.ConnectionError("Error 111 connecting to redis:6379.")

    get = set = delete = _caer


@pytest.fixture
def cache_caida(monkeypatch):
    """Kept copies live in a cache that raises ``redis.ConnectionError``."""
    caida = CacheCaida()
    monkeypatch.setattr(last_known, "cache", caida)
    return caida


def no_disponible(dependencia: str) -> DependencyUnavailable:
    """What the clients raise when a dependency gives no answer in time."""
    return DependencyUnavailable(dependencia, "retries_exhausted")


class DependenciaFalsa:
    """Stands in for a client function: records each call, answers as told.

    ``respuesta`` is returned, or raised when it is an exception.
    """

    def __init__(self, respuesta):
        self.respuesta = respuesta
        self.llamadas = []

    def __call__(self, recurso_id, **kwargs):
        self.llamadas.append({"id": recurso_id, **kwargs})
        if isinstance(self.respuesta, BaseException):
            raise self.respuesta
        return self.respuesta


@pytest.fixture
def empresas(monkeypatch):
    """Service A as the services and selectors see it; an active empresa by default."""
    falsa = DependenciaFalsa(EMPRESA_ACTIVA)
    monkeypatch.setattr("app_b.services.empresa_obtener", falsa)
    monkeypatch.setattr("app_b.selectors.empresa_obtener", falsa)
    return falsa


SIN_LIMITES = {
    "proyecto_id": 1,
    "tiene_registros": False,
    "primer_periodo": None,
    "ultimo_periodo": None,
    "monto_programado": "0.00",
    "monto_ejecutado": "0.00",
}


@pytest.fixture(autouse=True)
def limites(monkeypatch):
    """Service C as B's writes see it: by default it holds nothing for the proyecto.

    Autouse, so that no write in these tests reaches a real C; a test that
    cares sets ``limites.respuesta``.
    """
    falsa = DependenciaFalsa(SIN_LIMITES)
    monkeypatch.setattr("app_b.services.limites_obtener", falsa)
    return falsa


@pytest.fixture
def programacion(monkeypatch):
    """Service C as the detalle sees it; a programación summary by default."""
    falsa = DependenciaFalsa(PROGRAMACION)
    monkeypatch.setattr("app_b.selectors.programacion_obtener", falsa)
    return falsa


@pytest.fixture
def datos_proyecto():
    """Factory of a valid create payload; keyword arguments override fields."""

    def construir(**cambios):
        return {
            "codigo": "0004-00123-00",
            "nombre": "Construcción del puente vehicular Río Choqueyapu",
            "descripcion": "Puente de hormigón armado de dos carriles.",
            "sector": "TRANSPORTE",
            "departamento": "LA_PAZ",
            "provincia": "Murillo",
            "municipio": "La Paz",
            "empresa_id": 7,
            "entidad_ejecutora": "Gobierno Autónomo Municipal de La Paz",
            "monto_total": "1500000.00",
            "moneda": "BOB",
            "fuente_financiamiento": "TGN",
            "fase": "EJECUCION",
            "estado": "EN_EJECUCION",
            "fecha_inicio": "2026-02-01",
            "fecha_fin_programada": "2026-12-31",
            "fecha_fin_real": None,
        } | cambios

    return construir


@pytest.fixture
def crear_proyecto(db):
    """Factory that stores a proyecto directly, bypassing the API and A."""
    secuencia = iter(range(1, 10_000))

    def crear(**campos):
        numero = next(secuencia)
        valores = {
            "codigo": f"PRY-{numero:04d}",
            "nombre": f"Proyecto {numero}",
            "sector": "SALUD",
            "departamento": "COCHABAMBA",
            "provincia": "Cercado",
            "municipio": "Cochabamba",
            "empresa_id": 7,
            "entidad_ejecutora": "Ministerio de Salud y Deportes",
            "monto_total": Decimal("250000.00"),
            "fuente_financiamiento": "TGN",
            "fase": "PREINVERSION",
            "estado": "PROGRAMADO",
            "fecha_inicio": datetime.date(2026, 3, 1),
            "fecha_fin_programada": datetime.date(2026, 9, 30),
            "creado_por": "semilla",
            "actualizado_por": "semilla",
        } | campos
        return Proyecto.objects.create(**valores)

    return crear
