import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import redis
from django.http import Http404
from prometheus_client import REGISTRY

from app_b import client_empresas, last_known
from app_b.breaker_storage import FailoverStorage, RedisStorage
from app_b.clients import Policy, ResilientClient, all_clients, reset_clients
from app_b.selectors import (
    proyecto_detalle_obtener,
    proyecto_obtener,
    resiliencia_obtener,
)
from app_b.tests.conftest import EMPRESA_ACTIVA, PROGRAMACION, no_disponible

pytestmark = pytest.mark.django_db

PARCIAL = "Parte de la información no puede mostrarse en este momento."
NO_ENCONTRADA = "La empresa asociada al proyecto no fue encontrada."
COPIA = (
    "Parte de la información proviene de una copia guardada y puede no estar "
    "actualizada."
)
LLAMADA = {"authorization": "Bearer token-de-prueba", "request_id": "req-42"}


def _actual(reloj, estado="actual"):
    return {"estado": estado, "obtenida_en": reloj.ahora, "antiguedad_segundos": 0}


SIN_NADA = {"estado": "no_disponible", "obtenida_en": None, "antiguedad_segundos": None}


@pytest.fixture
def proyecto(crear_proyecto):
    return crear_proyecto(empresa_id=7)


def test_proyecto_obtener_raises_404_for_an_unknown_id():
    with pytest.raises(Http404):
        proyecto_obtener(proyecto_id=999_999)


class TestProyectoDetalleObtener:
    def test_joins_the_empresa_and_the_programacion(
        self, proyecto, empresas, programacion, reloj
    ):
        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert detalle == {
            "proyecto": proyecto,
            "empresa": EMPRESA_ACTIVA,
            "programacion": PROGRAMACION,
            "mensaje": None,
            "frescura": {"empresa": _actual(reloj), "programacion": _actual(reloj)},
        }

    def test_sends_the_proyectos_marco_to_c(
        self, crear_proyecto, empresas, programacion
    ):
        proyecto = crear_proyecto(
            monto_total=Decimal("1500000.00"),
            fecha_inicio=date(2026, 2, 1),
            fecha_fin_programada=date(2026, 12, 31),
            estado="EN_EJECUCION",
        )

        proyecto_detalle_obtener(proyecto, **LLAMADA)

        (llamada,) = programacion.llamadas
        assert llamada["marco"] == {
            "monto_total": Decimal("1500000.00"),
            "fecha_inicio": date(2026, 2, 1),
            "fecha_fin_programada": date(2026, 12, 31),
            "fecha_fin_real": None,
            "estado": "EN_EJECUCION",
        }

    def test_forwards_the_callers_credentials_and_one_shared_deadline(
        self, proyecto, empresas, programacion, settings
    ):
        settings.DETALLE_BUDGET_SECONDS = 5.0

        proyecto_detalle_obtener(proyecto, **LLAMADA)

        (a,) = empresas.llamadas
        (c,) = programacion.llamadas
        assert (a["id"], c["id"]) == (7, proyecto.pk)
        for llamada in (a, c):
            assert llamada["authorization"] == LLAMADA["authorization"]
            assert llamada["request_id"] == LLAMADA["request_id"]
        assert a["deadline"] is c["deadline"]
        assert 4.0 < a["deadline"].remaining() <= 5.0

    def test_asks_a_and_c_at_the_same_time(self, proyecto, monkeypatch):
        # Each call waits for the other to start: run one after the other,
        # the first would wait out the barrier's timeout and break it.
        ambas = threading.Barrier(2, timeout=5)

        def a_la_vez(respuesta):
            def llamar(recurso_id, **kwargs):
                ambas.wait()
                return respuesta

            return llamar

        monkeypatch.setattr("app_b.selectors.empresa_obtener", a_la_vez(EMPRESA_ACTIVA))
        monkeypatch.setattr(
            "app_b.selectors.programacion_obtener", a_la_vez(PROGRAMACION)
        )

        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert detalle["mensaje"] is None
        assert not ambas.broken

    @pytest.mark.parametrize(
        ("caida", "esperado"),
        [
            (
                {"empresa"},
                {
                    "empresa": "No disponible temporalmente",
                    "programacion": PROGRAMACION,
                },
            ),
            (
                {"programacion"},
                {
                    "empresa": EMPRESA_ACTIVA,
                    "programacion": "No disponible temporalmente",
                },
            ),
            (
                {"empresa", "programacion"},
                {
                    "empresa": "No disponible temporalmente",
                    "programacion": "No disponible temporalmente",
                },
            ),
        ],
        ids=["empresa", "programacion", "ambas"],
    )
    def test_an_unavailable_part_without_a_copy_degrades_without_failing(
        self, proyecto, empresas, programacion, reloj, caida, esperado
    ):
        if "empresa" in caida:
            empresas.respuesta = no_disponible("empresas")
        if "programacion" in caida:
            programacion.respuesta = no_disponible("programacion")

        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        frescura = {
            parte: SIN_NADA if parte in caida else _actual(reloj)
            for parte in ("empresa", "programacion")
        }
        assert detalle == {
            "proyecto": proyecto,
            **esperado,
            "mensaje": PARCIAL,
            "frescura": frescura,
        }

    def test_an_empresa_a_does_not_know_is_reported_as_not_found(
        self, proyecto, empresas, programacion, reloj
    ):
        empresas.respuesta = None

        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert detalle["empresa"] == "No encontrada"
        assert detalle["programacion"] == PROGRAMACION
        assert detalle["mensaje"] == NO_ENCONTRADA
        assert detalle["frescura"]["empresa"] == _actual(reloj, "no_encontrada")

    def test_empresa_not_found_and_c_down_say_both(
        self, proyecto, empresas, programacion
    ):
        empresas.respuesta = None
        programacion.respuesta = no_disponible("programacion")

        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert detalle["empresa"] == "No encontrada"
        assert detalle["programacion"] == "No disponible temporalmente"
        assert detalle["mensaje"] == f"{NO_ENCONTRADA} {PARCIAL}"

    def test_a_proyecto_without_programacion_is_complete(
        self, proyecto, empresas, programacion, reloj
    ):
        programacion.respuesta = None

        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert detalle["programacion"] is None
        assert detalle["mensaje"] is None
        assert detalle["frescura"]["programacion"] == _actual(reloj, "sin_datos")

    def test_a_call_still_running_at_the_deadline_degrades(
        self, proyecto, programacion, monkeypatch, settings
    ):
        settings.DETALLE_BUDGET_SECONDS = 0.05
        liberar = threading.Event()

        def empresa_colgada(empresa_id, **kwargs):
            liberar.wait(timeout=5)
            return EMPRESA_ACTIVA

        monkeypatch.setattr("app_b.selectors.empresa_obtener", empresa_colgada)
        try:
            detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)
        finally:
            liberar.set()

        assert detalle["empresa"] == "No disponible temporalmente"
        assert detalle["programacion"] == PROGRAMACION
        assert detalle["mensaje"] == PARCIAL


class TestCopiaGuardada:
    """A dependency that does not answer is shown from its last good answer."""

    @pytest.mark.parametrize(
        ("parte", "dependencia"),
        [("empresa", "empresas"), ("programacion", "programacion")],
    )
    def test_an_unavailable_part_is_shown_from_its_kept_copy_with_its_age(
        self, proyecto, empresas, programacion, reloj, parte, dependencia
    ):
        clave = proyecto.empresa_id if parte == "empresa" else proyecto.pk
        guardada = {"id": clave, "de": dependencia}
        last_known.remember(dependencia, clave, guardada)
        guardada_en = reloj.ahora
        reloj.avanzar(2 * 3600 + 25)
        falsas = {"empresa": empresas, "programacion": programacion}
        falsas[parte].respuesta = no_disponible(dependencia)

        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert detalle[parte] == guardada
        assert detalle["frescura"][parte] == {
            "estado": "copia_guardada",
            "obtenida_en": guardada_en,
            "antiguedad_segundos": 7225,
        }
        otra = "programacion" if parte == "empresa" else "empresa"
        assert detalle["frescura"][otra] == _actual(reloj)
        assert detalle["mensaje"] == COPIA

    def test_a_copy_past_its_ttl_is_not_shown(
        self, proyecto, empresas, programacion, reloj, settings
    ):
        settings.LKG_TTL_SECONDS = 600
        last_known.remember("empresas", 7, EMPRESA_ACTIVA)
        reloj.avanzar(601)
        empresas.respuesta = no_disponible("empresas")

        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert detalle["empresa"] == "No disponible temporalmente"
        assert detalle["frescura"]["empresa"] == SIN_NADA
        assert detalle["mensaje"] == PARCIAL

    def test_a_current_answer_wins_over_the_kept_copy(
        self, proyecto, empresas, programacion, reloj
    ):
        last_known.remember("empresas", 7, EMPRESA_ACTIVA | {"estado": "VIEJA"})

        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert detalle["empresa"] == EMPRESA_ACTIVA
        assert detalle["frescura"]["empresa"]["estado"] == "actual"

    def test_one_part_from_a_copy_and_one_missing_say_both(
        self, proyecto, empresas, programacion, reloj
    ):
        last_known.remember("empresas", 7, EMPRESA_ACTIVA)
        empresas.respuesta = no_disponible("empresas")
        programacion.respuesta = no_disponible("programacion")

        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert detalle["empresa"] == EMPRESA_ACTIVA
        assert detalle["programacion"] == "No disponible temporalmente"
        assert detalle["mensaje"] == f"{PARCIAL} {COPIA}"

    def test_a_copy_of_another_empresa_is_not_shown(
        self, crear_proyecto, empresas, programacion
    ):
        last_known.remember("empresas", 7, EMPRESA_ACTIVA)
        proyecto = crear_proyecto(empresa_id=8)
        empresas.respuesta = no_disponible("empresas")

        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert detalle["empresa"] == "No disponible temporalmente"

    def test_a_failing_cache_leaves_the_part_unavailable_and_the_detalle_whole(
        self, proyecto, empresas, programacion, cache_caida
    ):
        empresas.respuesta = no_disponible("empresas")

        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert cache_caida.operaciones == 1
        assert detalle["empresa"] == "No disponible temporalmente"
        assert detalle["programacion"] == PROGRAMACION
        assert detalle["frescura"]["empresa"] == SIN_NADA
        assert detalle["mensaje"] == PARCIAL


def _fallbacks(dependencia, servido):
    labels = {"dependency": dependencia, "served": servido}
    return REGISTRY.get_sample_value("sap_dependency_fallbacks_total", labels) or 0.0


class TestMetricas:
    def test_each_degraded_part_is_counted_by_what_was_served(
        self, proyecto, empresas, programacion
    ):
        last_known.remember("empresas", 7, EMPRESA_ACTIVA)
        empresas.respuesta = no_disponible("empresas")
        programacion.respuesta = no_disponible("programacion")
        antes = {
            clave: _fallbacks(*clave)
            for clave in [
                ("empresas", "kept"),
                ("empresas", "none"),
                ("programacion", "kept"),
                ("programacion", "none"),
            ]
        }

        proyecto_detalle_obtener(proyecto, **LLAMADA)

        despues = {clave: _fallbacks(*clave) - valor for clave, valor in antes.items()}
        assert despues == {
            ("empresas", "kept"): 1,
            ("empresas", "none"): 0,
            ("programacion", "kept"): 0,
            ("programacion", "none"): 1,
        }

    def test_a_complete_detalle_counts_no_fallback(
        self, proyecto, empresas, programacion
    ):
        antes = _fallbacks("empresas", "none") + _fallbacks("empresas", "kept")

        proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert _fallbacks("empresas", "none") + _fallbacks("empresas", "kept") == antes


ABIERTO_EN = datetime(2026, 6, 10, 13, 0, tzinfo=UTC)
POLITICA = Policy(
    connect_timeout=1.0,
    read_timeout=3.0,
    retries=3,
    wait_initial=1.0,
    wait_max=8.0,
    jitter=0.5,
    fail_max=4,
    reset_timeout=30.0,
    pool_size=2,
)


class RedisEnMemoria:
    """The few Redis commands RedisStorage uses, over a dict."""

    def __init__(self) -> None:
        self.datos = {}

    def get(self, key):
        valor = self.datos.get(key)
        return None if valor is None else str(valor).encode()

    def set(self, key, value, nx=False, px=None):
        if nx and key in self.datos:
            return None
        self.datos[key] = value
        return True

    def incr(self, key):
        self.datos[key] = int(self.datos.get(key) or 0) + 1

    def delete(self, key):
        self.datos.pop(key, None)


@pytest.fixture
def cliente_a(monkeypatch, settings):
    """A's client with its breaker on a fixed clock, as the selector finds it."""
    settings.EMPRESAS_URL = "http://empresas.interno:8002"
    settings.PROGRAMACION_URL = "http://programacion.interno:8004"
    reset_clients()

    def construir(storage=None):
        cliente = ResilientClient(
            "empresas",
            settings.EMPRESAS_URL,
            POLITICA,
            wall_clock=lambda: ABIERTO_EN,
            storage=storage,
        )
        monkeypatch.setattr(client_empresas, "client", lambda: cliente)
        return cliente

    yield construir
    reset_clients()


def _abrir(cliente):
    for _ in range(cliente.policy.fail_max):
        cliente.breaker.record_failure(False, RuntimeError("caída"))


class TestResilienciaObtener:
    def test_lists_both_dependencies_building_their_clients(self, settings):
        settings.EMPRESAS_URL = "http://empresas.interno:8002"
        settings.PROGRAMACION_URL = "http://programacion.interno:8004"
        settings.DEP_RETRIES = 2
        settings.LKG_TTL_SECONDS = 3600
        settings.DETALLE_BUDGET_SECONDS = 7.5
        reset_clients()
        try:
            resiliencia = resiliencia_obtener()
            construidos = set(all_clients())
        finally:
            reset_clients()

        assert construidos == {"empresas", "programacion"}
        assert set(resiliencia) == {"empresas", "programacion"}
        for dependencia in resiliencia.values():
            assert dependencia["estado"] == "CERRADO"
            assert dependencia["fallos_consecutivos"] == 0
            assert dependencia["abierto_desde"] is None
            assert dependencia["segundos_para_prueba"] is None
            assert dependencia["estado_compartido"] == "local"
            assert dependencia["politica"]["reintentos"] == 2
            assert dependencia["politica"]["copia_guardada_ttl_s"] == 3600
            assert dependencia["politica"]["presupuesto_detalle_s"] == 7.5

    def test_reports_the_policy_the_client_was_built_with(self, cliente_a):
        cliente_a()

        politica = resiliencia_obtener()["empresas"]["politica"]

        assert {k: v for k, v in politica.items() if not k.endswith("ttl_s")} == {
            "reintentos": 3,
            "espera_inicial_s": 1.0,
            "espera_maxima_s": 8.0,
            "jitter": 0.5,
            "timeout_conexion_s": 1.0,
            "timeout_lectura_s": 3.0,
            "fallos_para_abrir": 4,
            "reset_timeout_s": 30.0,
            "presupuesto_detalle_s": 10.0,
        }

    def test_counts_failures_while_closed(self, cliente_a):
        cliente = cliente_a()
        cliente.breaker.record_failure(False, RuntimeError("caída"))

        estado = resiliencia_obtener()["empresas"]

        assert (estado["estado"], estado["fallos_consecutivos"]) == ("CERRADO", 1)

    @pytest.mark.parametrize(
        ("transcurridos", "faltan"),
        [(0, 30.0), (12, 18.0), (29.95, 0.1), (30, 0.0), (95, 0.0)],
    )
    def test_an_open_breaker_says_how_long_until_its_trial(
        self, cliente_a, transcurridos, faltan
    ):
        _abrir(cliente_a())

        estado = resiliencia_obtener(now=ABIERTO_EN + timedelta(seconds=transcurridos))[
            "empresas"
        ]

        assert estado["estado"] == "ABIERTO"
        assert estado["fallos_consecutivos"] == 4
        assert estado["abierto_desde"] == ABIERTO_EN
        assert estado["segundos_para_prueba"] == faltan

    def test_one_open_breaker_leaves_the_other_closed(self, cliente_a):
        _abrir(cliente_a())

        resiliencia = resiliencia_obtener(now=ABIERTO_EN)

        assert resiliencia["programacion"]["estado"] == "CERRADO"

    def test_a_half_open_breaker_has_no_countdown(self, cliente_a):
        cliente = cliente_a()
        _abrir(cliente)
        cliente.breaker.storage.state = "half-open"

        estado = resiliencia_obtener(now=ABIERTO_EN)["empresas"]

        assert estado["estado"] == "SEMIABIERTO"
        assert estado["abierto_desde"] == ABIERTO_EN
        assert estado["segundos_para_prueba"] is None

    def test_state_shared_through_redis_says_so(self, cliente_a):
        storage = FailoverStorage(RedisStorage(RedisEnMemoria(), "empresas"), "x")
        _abrir(cliente_a(storage))

        estado = resiliencia_obtener(now=ABIERTO_EN)["empresas"]

        assert estado["estado_compartido"] == "redis"
        assert estado["estado"] == "ABIERTO"

    def test_a_redis_that_fails_shows_the_workers_own_state(self, cliente_a):
        redis_caido = RedisEnMemoria()
        storage = FailoverStorage(RedisStorage(redis_caido, "empresas"), "x")
        cliente = cliente_a(storage)
        _abrir(cliente)

        def caer(*args, **kwargs):
            raise redis.ConnectionError("down")

        redis_caido.get = caer

        estado = resiliencia_obtener(now=ABIERTO_EN)["empresas"]

        assert estado["estado_compartido"] == "local_por_falla_de_redis"
        # The worker's last known state, not "closed" because Redis is silent.
        assert estado["estado"] == "ABIERTO"
