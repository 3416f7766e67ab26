import httpx
import pytest
import respx

from app_b.client_programacion import programacion_obtener
from app_b.clients import DependencyUnavailable, all_clients, reset_clients

C_URL = "http://programacion.interno:8004"


@pytest.fixture(autouse=True)
def _fresh_clients(settings):
    settings.PROGRAMACION_URL = C_URL
    settings.DEP_RETRIES = 0
    reset_clients()
    yield
    reset_clients()


def test_returns_the_summary_of_the_proyecto():
    resumen = {"proyecto_id": 15, "avance_fisico": {"programado": "40.00"}}
    with respx.mock(base_url=C_URL) as router:
        route = router.get("/programacion/15/").mock(
            return_value=httpx.Response(200, json=resumen)
        )

        assert programacion_obtener(15, authorization="Bearer t", request_id="r") == (
            resumen
        )

    assert route.calls.last.request.headers["Authorization"] == "Bearer t"


def test_a_hung_service_is_unavailable(settings):
    with respx.mock(base_url=C_URL) as router:
        router.get("/programacion/15/").mock(side_effect=httpx.ReadTimeout("hung"))

        with pytest.raises(DependencyUnavailable) as raised:
            programacion_obtener(15, authorization=None, request_id="r")

    assert raised.value.dependency == "programacion"


def test_has_a_breaker_of_its_own():
    with respx.mock(base_url=C_URL) as router:
        router.get("/programacion/1/").mock(return_value=httpx.Response(200, json={}))
        programacion_obtener(1, authorization=None, request_id="r")

    assert set(all_clients()) == {"programacion"}
