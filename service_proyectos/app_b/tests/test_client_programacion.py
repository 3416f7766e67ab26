import datetime
from decimal import Decimal

import httpx
import pytest
import respx

from app_b import last_known
from app_b.client_programacion import limites_obtener, programacion_obtener
from app_b.clients import DependencyUnavailable, all_clients, reset_clients

C_URL = "http://programacion.interno:8004"
MARCO = {
    "monto_total": Decimal("1500000.00"),
    "fecha_inicio": datetime.date(2026, 2, 1),
    "fecha_fin_programada": datetime.date(2026, 12, 31),
    "fecha_fin_real": None,
    "estado": "EN_EJECUCION",
}
RESUMEN = {"proyecto_id": 15, "avance_fisico": {"programado": "40.00"}}


@pytest.fixture(autouse=True)
def _fresh_clients(settings):
    settings.PROGRAMACION_URL = C_URL
    settings.DEP_RETRIES = 0
    reset_clients()
    yield
    reset_clients()


def _obtener(proyecto_id=15, marco=MARCO, **kwargs):
    return programacion_obtener(
        proyecto_id,
        marco=marco,
        authorization=kwargs.pop("authorization", None),
        request_id="r",
        **kwargs,
    )


def test_returns_the_summary_of_the_proyecto():
    with respx.mock(base_url=C_URL) as router:
        route = router.get("/programacion/15/").mock(
            return_value=httpx.Response(200, json=RESUMEN)
        )

        assert _obtener(authorization="Bearer t") == RESUMEN

    assert route.calls.last.request.headers["Authorization"] == "Bearer t"


def test_sends_the_marco_as_query_parameters():
    with respx.mock(base_url=C_URL) as router:
        route = router.get("/programacion/15/").mock(
            return_value=httpx.Response(200, json=RESUMEN)
        )

        _obtener()

    assert route.calls.last.request.url.query == (
        b"monto_total=1500000.00&fecha_inicio=2026-02-01"
        b"&fecha_fin_programada=2026-12-31&estado=EN_EJECUCION"
    )


def test_a_real_end_date_is_sent_when_there_is_one():
    marco = MARCO | {
        "fecha_fin_real": datetime.date(2026, 11, 30),
        "estado": "CONCLUIDO",
        "monto_total": Decimal("2E+6"),
    }
    with respx.mock(base_url=C_URL) as router:
        route = router.get("/programacion/15/").mock(
            return_value=httpx.Response(200, json=RESUMEN)
        )

        _obtener(marco=marco)

    params = route.calls.last.request.url.params
    assert params["fecha_fin_real"] == "2026-11-30"
    assert params["estado"] == "CONCLUIDO"
    assert params["monto_total"] == "2000000"


def test_every_attempt_carries_the_marco(settings):
    settings.DEP_RETRIES = 1
    # No wait between attempts: nothing really sleeps.
    settings.DEP_RETRY_WAIT_INITIAL = 0.0
    reset_clients()
    with respx.mock(base_url=C_URL) as router:
        route = router.get("/programacion/15/").mock(
            side_effect=[httpx.Response(503), httpx.Response(200, json=RESUMEN)]
        )

        assert _obtener() == RESUMEN

    assert route.call_count == 2
    for call in route.calls:
        assert call.request.url.params["fecha_inicio"] == "2026-02-01"


def test_a_hung_service_is_unavailable():
    with respx.mock(base_url=C_URL) as router:
        router.get("/programacion/15/").mock(side_effect=httpx.ReadTimeout("hung"))

        with pytest.raises(DependencyUnavailable) as raised:
            _obtener()

    assert raised.value.dependency == "programacion"


def test_has_a_breaker_of_its_own():
    with respx.mock(base_url=C_URL) as router:
        router.get("/programacion/1/").mock(return_value=httpx.Response(200, json={}))
        _obtener(1)

    assert set(all_clients()) == {"programacion"}


class TestCopiaGuardada:
    def test_a_summary_from_c_is_kept_for_its_proyecto(self):
        with respx.mock(base_url=C_URL) as router:
            router.get("/programacion/15/").mock(
                return_value=httpx.Response(200, json=RESUMEN)
            )
            _obtener()

        assert last_known.recall("programacion", 15).data == RESUMEN

    def test_a_404_drops_the_kept_copy(self):
        last_known.remember("programacion", 15, RESUMEN)
        with respx.mock(base_url=C_URL) as router:
            router.get("/programacion/15/").mock(return_value=httpx.Response(404))

            assert _obtener() is None

        assert last_known.recall("programacion", 15) is None

    def test_no_answer_leaves_the_kept_copy(self):
        last_known.remember("programacion", 15, RESUMEN)
        with respx.mock(base_url=C_URL) as router:
            router.get("/programacion/15/").mock(side_effect=httpx.ConnectError("x"))

            with pytest.raises(DependencyUnavailable):
                _obtener()

        assert last_known.recall("programacion", 15).data == RESUMEN


def test_limites_are_read_from_c_and_never_kept():
    limites = {"proyecto_id": 15, "tiene_registros": False}
    with respx.mock(base_url=C_URL) as router:
        route = router.get("/programacion/15/limites/").mock(
            return_value=httpx.Response(200, json=limites)
        )

        leidos = limites_obtener(15, authorization="Bearer t", request_id="r-9")

    assert leidos == limites
    assert route.calls.last.request.headers["X-Request-ID"] == "r-9"
    assert last_known.recall("programacion", 15) is None
