import logging
import threading
from datetime import date
from decimal import Decimal

import httpx
import pytest
import respx

from app_c import client_proyectos
from app_c.client_proyectos import (
    ProyectoNoEncontrado,
    ProyectosNoDisponible,
    close_http_client,
    http_client,
    proyecto_marco_obtener,
)
from app_c.indicadores import Marco

URL = "http://proyectos.test/proyectos/15/"
AUTORIZACION = "Bearer secreto-del-usuario"

# As service_proyectos answers GET /proyectos/<id>/, fields C ignores included.
PROYECTO = {
    "id": 15,
    "codigo": "0004-00123-00",
    "nombre": "Puente vehicular",
    "monto_total": "1500000.00",
    "moneda": "BOB",
    "estado": "EN_EJECUCION",
    "fecha_inicio": "2026-02-01",
    "fecha_fin_programada": "2026-12-31",
    "fecha_fin_real": None,
}


@pytest.fixture
def proyectos_b():
    """Here the real client runs: nothing replaces it (see conftest)."""


@pytest.fixture(autouse=True)
def cliente_nuevo(settings):
    settings.PROYECTOS_URL = "http://proyectos.test"
    settings.PROYECTOS_CONNECT_TIMEOUT = 1.0
    settings.PROYECTOS_READ_TIMEOUT = 3.0
    close_http_client()
    yield
    close_http_client()


@pytest.fixture
def b():
    with respx.mock(assert_all_mocked=True) as router:
        yield router


def _obtener():
    return proyecto_marco_obtener(15, authorization=AUTORIZACION)


class TestRespuestas:
    def test_reads_the_marco_from_the_proyecto(self, b):
        b.get(URL).respond(200, json=PROYECTO)

        assert _obtener() == Marco(
            monto_total=Decimal("1500000.00"),
            fecha_inicio=date(2026, 2, 1),
            fecha_fin_programada=date(2026, 12, 31),
            estado="EN_EJECUCION",
            fecha_fin_real=None,
        )

    def test_reads_fecha_fin_real_when_there_is_one(self, b):
        b.get(URL).respond(200, json=PROYECTO | {"fecha_fin_real": "2026-11-20"})

        assert _obtener().fecha_fin_real == date(2026, 11, 20)

    def test_forwards_the_callers_token_and_request_id(self, b, monkeypatch):
        monkeypatch.setattr(client_proyectos, "get_request_id", lambda: "req-42")
        ruta = b.get(URL).respond(200, json=PROYECTO)

        _obtener()

        enviada = ruta.calls.last.request
        assert enviada.headers["Authorization"] == AUTORIZACION
        assert enviada.headers["X-Request-ID"] == "req-42"

    def test_sends_no_authorization_header_when_there_is_none(self, b):
        ruta = b.get(URL).respond(200, json=PROYECTO)

        proyecto_marco_obtener(15, authorization="")

        assert "Authorization" not in ruta.calls.last.request.headers

    def test_a_404_means_the_proyecto_does_not_exist(self, b):
        ruta = b.get(URL).respond(404, json={"codigo": "no_encontrado"})

        with pytest.raises(ProyectoNoEncontrado):
            _obtener()

        assert ruta.call_count == 1


class TestUnaSolaTentativa:
    @pytest.mark.parametrize("estado", [500, 502, 503, 504, 401, 403, 400])
    def test_any_other_status_is_unavailable_after_one_attempt(self, b, estado):
        ruta = b.get(URL).respond(estado)

        with pytest.raises(ProyectosNoDisponible) as error:
            _obtener()

        assert error.value.reason == f"http_{estado}"
        assert ruta.call_count == 1

    @pytest.mark.parametrize(
        "falla", [httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout]
    )
    def test_no_answer_is_unavailable_after_one_attempt(self, b, falla):
        ruta = b.get(URL).mock(side_effect=falla("sin respuesta"))

        with pytest.raises(ProyectosNoDisponible) as error:
            _obtener()

        assert error.value.reason == "transport"
        assert ruta.call_count == 1

    @pytest.mark.parametrize(
        "respuesta",
        [
            httpx.Response(200, text="<html>no es JSON</html>"),
            httpx.Response(200, json=[PROYECTO]),
            httpx.Response(
                200, json={k: v for k, v in PROYECTO.items() if k != "estado"}
            ),
            httpx.Response(200, json=PROYECTO | {"monto_total": "0.00"}),
            httpx.Response(200, json=PROYECTO | {"fecha_inicio": "ayer"}),
        ],
        ids=["not-json", "a-list", "no-estado", "zero-amount", "bad-date"],
    )
    def test_a_body_that_is_not_a_proyecto_is_unavailable(self, b, respuesta):
        b.get(URL).mock(return_value=respuesta)

        with pytest.raises(ProyectosNoDisponible) as error:
            _obtener()

        assert error.value.reason == "bad_response"


class TestConfiguracion:
    def test_timeouts_come_from_settings(self, b, settings):
        settings.PROYECTOS_CONNECT_TIMEOUT = 0.5
        settings.PROYECTOS_READ_TIMEOUT = 2.5
        ruta = b.get(URL).respond(200, json=PROYECTO)

        _obtener()

        assert ruta.calls.last.request.extensions["timeout"] == {
            "connect": 0.5,
            "read": 2.5,
            "write": 2.5,
            "pool": 2.5,
        }

    def test_the_url_is_read_at_call_time(self, b, settings):
        http_client()
        settings.PROYECTOS_URL = "http://otro-b:9000/"
        ruta = b.get("http://otro-b:9000/proyectos/15/").respond(200, json=PROYECTO)

        _obtener()

        assert ruta.call_count == 1


class TestClienteCompartido:
    def test_every_call_uses_one_client(self, b):
        b.get(URL).respond(200, json=PROYECTO)

        _obtener()
        primero = http_client()
        _obtener()

        assert http_client() is primero

    def test_the_client_is_built_on_first_use(self):
        assert client_proyectos._client is None

        cliente = http_client()

        assert isinstance(cliente, httpx.Client)
        assert client_proyectos._client is cliente

    def test_threads_asking_at_once_build_only_one(self, monkeypatch):
        construidos = []
        real = httpx.Client

        def contar(**kwargs):
            construidos.append(real(**kwargs))
            return construidos[-1]

        monkeypatch.setattr(client_proyectos.httpx, "Client", contar)
        hilos = 8
        salida = threading.Barrier(hilos)
        obtenidos = []

        def pedir():
            salida.wait(timeout=5)
            obtenidos.append(http_client())

        corredores = [threading.Thread(target=pedir) for _ in range(hilos)]
        for hilo in corredores:
            hilo.start()
        for hilo in corredores:
            hilo.join(timeout=5)

        assert len(construidos) == 1
        assert len(obtenidos) == hilos
        assert all(c is construidos[0] for c in obtenidos)


class TestRegistro:
    def test_logs_the_outcome_with_fields_and_never_the_token(self, b, caplog):
        b.get(URL).respond(503)

        with (
            caplog.at_level(logging.INFO, logger="app_c.client_proyectos"),
            pytest.raises(ProyectosNoDisponible),
        ):
            _obtener()

        (registro,) = [r for r in caplog.records if r.name == client_proyectos.__name__]
        assert registro.levelno == logging.WARNING
        assert registro.dependency == "proyectos"
        assert registro.status == 503
        assert registro.attempt == 1
        assert registro.proyecto_id == 15
        assert isinstance(registro.duration_ms, float)
        assert AUTORIZACION not in caplog.text
        assert "secreto" not in str(registro.__dict__)
