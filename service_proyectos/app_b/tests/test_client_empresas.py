import httpx
import pytest
import respx

from app_b import last_known
from app_b.client_empresas import empresa_obtener
from app_b.clients import DependencyUnavailable, all_clients, reset_clients

A_URL = "http://empresas.interno:8002"


@pytest.fixture(autouse=True)
def _fresh_clients(settings):
    settings.EMPRESAS_URL = A_URL
    settings.DEP_RETRIES = 0
    reset_clients()
    yield
    reset_clients()


def test_returns_the_empresa_from_its_own_path():
    with respx.mock(base_url=A_URL) as router:
        route = router.get("/empresas/7/").mock(
            return_value=httpx.Response(200, json={"id": 7, "estado": "ACTIVA"})
        )

        empresa = empresa_obtener(7, authorization="Bearer t", request_id="r-9")

    assert empresa == {"id": 7, "estado": "ACTIVA"}
    assert route.calls.last.request.headers["Authorization"] == "Bearer t"
    assert route.calls.last.request.headers["X-Request-ID"] == "r-9"


def test_an_unknown_empresa_is_none():
    with respx.mock(base_url=A_URL) as router:
        router.get("/empresas/8/").mock(return_value=httpx.Response(404))

        assert empresa_obtener(8, authorization=None, request_id="r") is None


def test_a_dead_service_is_unavailable():
    with respx.mock(base_url=A_URL) as router:
        router.get("/empresas/9/").mock(side_effect=httpx.ConnectError("refused"))

        with pytest.raises(DependencyUnavailable) as raised:
            empresa_obtener(9, authorization=None, request_id="r")

    assert raised.value.dependency == "empresas"


def test_one_pooled_client_serves_every_call():
    with respx.mock(base_url=A_URL) as router:
        router.get(path__regex=r"^/empresas/\d+/$").mock(
            return_value=httpx.Response(200, json={})
        )
        empresa_obtener(1, authorization=None, request_id="r")
        first = all_clients()["empresas"]
        empresa_obtener(2, authorization=None, request_id="r")

    assert all_clients()["empresas"] is first


class TestCopiaGuardada:
    def test_an_empresa_from_a_is_kept(self, reloj):
        with respx.mock(base_url=A_URL) as router:
            router.get("/empresas/7/").mock(
                return_value=httpx.Response(200, json={"id": 7, "estado": "ACTIVA"})
            )
            empresa_obtener(7, authorization=None, request_id="r")

        copia = last_known.recall("empresas", 7)
        assert copia.data == {"id": 7, "estado": "ACTIVA"}
        assert copia.saved_at == reloj.ahora

    def test_a_404_drops_the_kept_copy(self):
        last_known.remember("empresas", 8, {"id": 8})
        with respx.mock(base_url=A_URL) as router:
            router.get("/empresas/8/").mock(return_value=httpx.Response(404))

            empresa_obtener(8, authorization=None, request_id="r")

        assert last_known.recall("empresas", 8) is None

    def test_no_answer_leaves_the_kept_copy(self):
        last_known.remember("empresas", 9, {"id": 9})
        with respx.mock(base_url=A_URL) as router:
            router.get("/empresas/9/").mock(side_effect=httpx.ConnectError("x"))

            with pytest.raises(DependencyUnavailable):
                empresa_obtener(9, authorization=None, request_id="r")

        assert last_known.recall("empresas", 9).data == {"id": 9}

    def test_a_cache_that_fails_does_not_fail_the_call(self, cache_caida):
        with respx.mock(base_url=A_URL) as router:
            router.get("/empresas/7/").mock(
                return_value=httpx.Response(200, json={"id": 7})
            )

            assert empresa_obtener(7, authorization=None, request_id="r") == {"id": 7}

        assert cache_caida.operaciones == 1
