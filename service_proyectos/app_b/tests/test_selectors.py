import threading

import pytest
from django.http import Http404

from app_b.selectors import proyecto_detalle_obtener, proyecto_obtener
from app_b.tests.conftest import EMPRESA_ACTIVA, PROGRAMACION, no_disponible

pytestmark = pytest.mark.django_db

PARCIAL = "Parte de la información no puede mostrarse en este momento."
NO_ENCONTRADA = "La empresa asociada al proyecto no fue encontrada."
LLAMADA = {"authorization": "Bearer token-de-prueba", "request_id": "req-42"}


@pytest.fixture
def proyecto(crear_proyecto):
    return crear_proyecto(empresa_id=7)


def test_proyecto_obtener_raises_404_for_an_unknown_id():
    with pytest.raises(Http404):
        proyecto_obtener(proyecto_id=999_999)


class TestProyectoDetalleObtener:
    def test_joins_the_empresa_and_the_programacion(
        self, proyecto, empresas, programacion
    ):
        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert detalle == {
            "proyecto": proyecto,
            "empresa": EMPRESA_ACTIVA,
            "programacion": PROGRAMACION,
            "mensaje": None,
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
    def test_an_unavailable_part_degrades_without_failing(
        self, proyecto, empresas, programacion, caida, esperado
    ):
        if "empresa" in caida:
            empresas.respuesta = no_disponible("empresas")
        if "programacion" in caida:
            programacion.respuesta = no_disponible("programacion")

        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert detalle == {"proyecto": proyecto, **esperado, "mensaje": PARCIAL}

    def test_an_empresa_a_does_not_know_is_reported_as_not_found(
        self, proyecto, empresas, programacion
    ):
        empresas.respuesta = None

        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert detalle["empresa"] == "No encontrada"
        assert detalle["programacion"] == PROGRAMACION
        assert detalle["mensaje"] == NO_ENCONTRADA

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
        self, proyecto, empresas, programacion
    ):
        programacion.respuesta = None

        detalle = proyecto_detalle_obtener(proyecto, **LLAMADA)

        assert detalle["programacion"] is None
        assert detalle["mensaje"] is None

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
