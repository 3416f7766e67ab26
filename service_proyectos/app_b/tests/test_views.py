import csv
import io
import socket
from datetime import datetime, timedelta

import httpx
import pytest
import respx
from django.conf import settings as django_settings
from django.db import connection
from rest_framework import status
from rest_framework.test import APIClient

from app_b import selectors
from app_b.clients import all_clients, reset_clients
from app_b.models import Proyecto
from app_b.tests.conftest import (
    EMPRESA_ACTIVA,
    PROGRAMACION,
    SIN_LIMITES,
    no_disponible,
)
from sap_common.testing import other_private_key

pytestmark = pytest.mark.django_db

LISTA = "/proyectos/"
MENSAJE_VALIDACION = "Los datos enviados no son válidos."
NO_DISPONIBLE = "No disponible temporalmente"
PARCIAL = "Parte de la información no puede mostrarse en este momento."
COPIA = (
    "Parte de la información proviene de una copia guardada y puede no estar "
    "actualizada."
)
RESILIENCIA = "/proyectos/resiliencia/"
A_URL = "http://empresas.interno:8002"
C_URL = "http://programacion.interno:8004"


def _item(pk) -> str:
    return f"/proyectos/{pk}/"


def _detalle(pk) -> str:
    return f"/proyectos/detalle/{pk}/"


@pytest.fixture
def cliente(token_for):
    """A client whose token names user "ana", and the header it sends."""
    client = APIClient()
    client.cabecera = f"Bearer {token_for(username='ana', user_id=5)}"
    client.credentials(HTTP_AUTHORIZATION=client.cabecera)
    return client


def _sin_internos(respuesta) -> None:
    """No exception text, reason code or internal address reaches the client."""
    texto = respuesta.content.decode()
    for interno in ("Traceback", "127.0.0.1", "http://", "unavailable", "retries"):
        assert interno not in texto


class TestAutenticacion:
    @pytest.mark.parametrize(
        ("metodo", "ruta"),
        [
            ("get", LISTA),
            ("post", LISTA),
            ("get", _item(1)),
            ("patch", _item(1)),
            ("delete", _item(1)),
            ("get", _detalle(1)),
            ("get", RESILIENCIA),
        ],
    )
    def test_every_endpoint_requires_a_token(self, api_client, metodo, ruta):
        respuesta = getattr(api_client, metodo)(ruta)

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED
        assert respuesta.json()["codigo"] == "no_autenticado"

    def test_a_token_signed_with_another_key_is_refused(
        self, api_client, token_for, tmp_path
    ):
        falso = token_for(private_key=other_private_key(tmp_path))
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {falso}")

        respuesta = api_client.get(LISTA)

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED

    def test_an_expired_token_is_refused(self, api_client, token_for):
        # Well past the verifier's leeway for clock drift.
        vencido = token_for(lifetime_seconds=-3600)
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {vencido}")

        respuesta = api_client.get(LISTA)

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED

    def test_the_service_holds_no_key_to_issue_tokens(self):
        assert django_settings.SIMPLE_JWT["SIGNING_KEY"] is None


class TestCrear:
    def test_creates_and_records_the_username_from_the_token(
        self, cliente, empresas, datos_proyecto
    ):
        respuesta = cliente.post(LISTA, datos_proyecto(), format="json")

        assert respuesta.status_code == status.HTTP_201_CREATED
        cuerpo = respuesta.json()
        assert cuerpo["codigo"] == "0004-00123-00"
        assert cuerpo["monto_total"] == "1500000.00"
        assert cuerpo["creado_por"] == cuerpo["actualizado_por"] == "ana"
        assert Proyecto.objects.filter(pk=cuerpo["id"]).exists()

    def test_forwards_the_callers_token_and_request_id_to_a(
        self, cliente, empresas, datos_proyecto
    ):
        cliente.post(
            LISTA,
            datos_proyecto(empresa_id=12),
            format="json",
            HTTP_X_REQUEST_ID="req-alta-1",
        )

        assert empresas.llamadas == [
            {"id": 12, "authorization": cliente.cabecera, "request_id": "req-alta-1"}
        ]

    @pytest.mark.parametrize(
        ("cambios", "campo", "mensaje"),
        [
            (
                {"fecha_inicio": "2026-05-01", "fecha_fin_programada": "2026-04-30"},
                "fecha_fin_programada",
                "La fecha de fin programada no puede ser anterior a la fecha de "
                "inicio.",
            ),
            (
                {"fecha_inicio": "2026-05-01", "fecha_fin_real": "2026-04-30"},
                "fecha_fin_real",
                "La fecha de fin real no puede ser anterior a la fecha de inicio.",
            ),
            (
                {"monto_total": "0.00"},
                "monto_total",
                "El monto total debe ser mayor que cero.",
            ),
            (
                {"monto_total": "-10.00"},
                "monto_total",
                "El monto total debe ser mayor que cero.",
            ),
            ({"nombre": ""}, "nombre", "Este campo no puede estar en blanco."),
            (
                {"empresa_id": "abc"},
                "empresa_id",
                "Introduzca un número entero válido.",
            ),
            (
                {"fecha_inicio": "1999-12-31"},
                "fecha_inicio",
                "La fecha debe estar entre los años 2000 y 2100.",
            ),
            (
                {"fecha_fin_programada": "9999-12-31"},
                "fecha_fin_programada",
                "La fecha debe estar entre los años 2000 y 2100.",
            ),
        ],
        ids=[
            "fin_programada",
            "fin_real",
            "monto_cero",
            "monto_negativo",
            "nombre",
            "empresa_no_numerica",
            "inicio_antes_de_2000",
            "fin_despues_de_2100",
        ],
    )
    def test_each_rule_names_its_field_in_spanish(
        self, cliente, empresas, datos_proyecto, cambios, campo, mensaje
    ):
        respuesta = cliente.post(LISTA, datos_proyecto(**cambios), format="json")

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        cuerpo = respuesta.json()
        assert cuerpo["codigo"] == "validacion"
        assert cuerpo["mensaje"] == MENSAJE_VALIDACION
        assert cuerpo["errores"] == {campo: [mensaje]}
        assert not Proyecto.objects.exists()
        # A bad record is refused before A is bothered.
        assert empresas.llamadas == []

    def test_a_duplicate_codigo_is_refused(
        self, cliente, empresas, datos_proyecto, crear_proyecto
    ):
        crear_proyecto(codigo="0004-00123-00")

        respuesta = cliente.post(LISTA, datos_proyecto(), format="json")

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"] == {
            "codigo": ["Ya existe un proyecto con este código."]
        }
        assert Proyecto.objects.count() == 1

    @pytest.mark.parametrize(
        ("campo", "valor"),
        [
            ("sector", "MINERIA"),
            ("departamento", "LIMA"),
            ("moneda", "EUR"),
            ("fuente_financiamiento", "BONOS"),
            ("fase", "DISENO"),
            ("estado", "ARCHIVADO"),
        ],
    )
    def test_a_value_outside_the_choices_is_refused(
        self, cliente, empresas, datos_proyecto, campo, valor
    ):
        respuesta = cliente.post(LISTA, datos_proyecto(**{campo: valor}), format="json")

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"] == {
            campo: [f'"{valor}" no es una elección válida.']
        }

    def test_missing_fields_are_each_named(self, cliente, empresas):
        respuesta = cliente.post(LISTA, {}, format="json")

        errores = respuesta.json()["errores"]
        assert set(errores) == {
            "codigo",
            "nombre",
            "sector",
            "departamento",
            "provincia",
            "municipio",
            "empresa_id",
            "entidad_ejecutora",
            "monto_total",
            "fuente_financiamiento",
            "fase",
            "estado",
            "fecha_inicio",
            "fecha_fin_programada",
        }
        assert errores["codigo"] == ["Este campo es requerido."]

    def test_moneda_defaults_to_bob(self, cliente, empresas, datos_proyecto):
        datos = datos_proyecto()
        del datos["moneda"]

        respuesta = cliente.post(LISTA, datos, format="json")

        assert respuesta.json()["moneda"] == "BOB"

    @pytest.mark.parametrize(
        ("respuesta_de_a", "mensaje"),
        [
            (None, "La empresa indicada no existe."),
            (
                EMPRESA_ACTIVA | {"estado": "INACTIVA"},
                "La empresa indicada no está activa.",
            ),
        ],
        ids=["inexistente", "inactiva"],
    )
    def test_an_empresa_a_does_not_vouch_for_is_a_400_on_empresa_id(
        self, cliente, empresas, datos_proyecto, respuesta_de_a, mensaje
    ):
        empresas.respuesta = respuesta_de_a

        respuesta = cliente.post(LISTA, datos_proyecto(), format="json")

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"] == {"empresa_id": [mensaje]}
        assert not Proyecto.objects.exists()

    def test_a_down_is_a_503_and_nothing_is_written(
        self, cliente, empresas, datos_proyecto
    ):
        empresas.respuesta = no_disponible("empresas")

        respuesta = cliente.post(
            LISTA, datos_proyecto(), format="json", HTTP_X_REQUEST_ID="req-503"
        )

        assert respuesta.status_code == status.HTTP_503_SERVICE_UNAVAILABLE
        assert respuesta.json() == {
            "codigo": "servicio_no_disponible",
            "mensaje": "No se pudo verificar la empresa porque el servicio de "
            "empresas no está disponible. No se guardó ningún cambio; intente "
            "nuevamente en unos momentos.",
            "request_id": "req-503",
        }
        _sin_internos(respuesta)
        assert not Proyecto.objects.exists()


class TestActualizar:
    def test_patch_changing_the_empresa_asks_a_again(
        self, cliente, empresas, crear_proyecto
    ):
        proyecto = crear_proyecto(empresa_id=7)

        respuesta = cliente.patch(
            _item(proyecto.pk),
            {"empresa_id": 9},
            format="json",
            HTTP_X_REQUEST_ID="req-cambio",
        )

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json()["empresa_id"] == 9
        assert respuesta.json()["actualizado_por"] == "ana"
        assert empresas.llamadas == [
            {"id": 9, "authorization": cliente.cabecera, "request_id": "req-cambio"}
        ]

    def test_patch_to_an_inactive_empresa_is_refused_and_nothing_changes(
        self, cliente, empresas, crear_proyecto
    ):
        empresas.respuesta = EMPRESA_ACTIVA | {"estado": "INACTIVA"}
        proyecto = crear_proyecto(empresa_id=7)

        respuesta = cliente.patch(
            _item(proyecto.pk), {"empresa_id": 9, "nombre": "X"}, format="json"
        )

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"] == {
            "empresa_id": ["La empresa indicada no está activa."]
        }
        proyecto.refresh_from_db()
        assert (proyecto.empresa_id, proyecto.nombre) == (7, "Proyecto 1")

    def test_patch_changing_the_empresa_while_a_is_down_is_a_503(
        self, cliente, empresas, crear_proyecto
    ):
        empresas.respuesta = no_disponible("empresas")
        proyecto = crear_proyecto(empresa_id=7)

        respuesta = cliente.patch(_item(proyecto.pk), {"empresa_id": 9}, format="json")

        assert respuesta.status_code == status.HTTP_503_SERVICE_UNAVAILABLE
        _sin_internos(respuesta)
        proyecto.refresh_from_db()
        assert proyecto.empresa_id == 7

    def test_patch_not_touching_the_empresa_works_while_a_is_down(
        self, cliente, empresas, crear_proyecto
    ):
        empresas.respuesta = no_disponible("empresas")
        proyecto = crear_proyecto(empresa_id=7)

        respuesta = cliente.patch(
            _item(proyecto.pk), {"estado": "PARALIZADO"}, format="json"
        )

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json()["estado"] == "PARALIZADO"
        assert empresas.llamadas == []

    def test_put_with_the_same_empresa_does_not_ask_a(
        self, cliente, empresas, crear_proyecto, datos_proyecto
    ):
        proyecto = crear_proyecto(empresa_id=7)

        respuesta = cliente.put(
            _item(proyecto.pk), datos_proyecto(empresa_id=7), format="json"
        )

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json()["codigo"] == "0004-00123-00"
        assert respuesta.json()["creado_por"] == "semilla"
        assert empresas.llamadas == []

    def test_patch_checks_dates_against_the_stored_start(
        self, cliente, empresas, crear_proyecto
    ):
        proyecto = crear_proyecto()

        respuesta = cliente.patch(
            _item(proyecto.pk), {"fecha_fin_programada": "2020-01-01"}, format="json"
        )

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert list(respuesta.json()["errores"]) == ["fecha_fin_programada"]

    def test_audit_fields_cannot_be_written(self, cliente, empresas, crear_proyecto):
        proyecto = crear_proyecto()

        cliente.patch(_item(proyecto.pk), {"creado_por": "intruso"}, format="json")

        proyecto.refresh_from_db()
        assert proyecto.creado_por == "semilla"


# What C holds for a proyecto of crear_proyecto (March to September 2026).
LIMITES_MARZO_A_JULIO = SIN_LIMITES | {
    "tiene_registros": True,
    "primer_periodo": "2026-03",
    "ultimo_periodo": "2026-07",
    "monto_programado": "200000.00",
    "monto_ejecutado": "120000.00",
}


class TestActualizarContraLaProgramacion:
    @pytest.mark.parametrize(
        ("cambios", "campo", "mensaje"),
        [
            (
                {"monto_total": "199999.99"},
                "monto_total",
                "La programación o el seguimiento del proyecto ya suman "
                "200000.00; el monto total no puede ser menor.",
            ),
            (
                {"fecha_inicio": "2026-04-01"},
                "fecha_inicio",
                "El proyecto tiene programación o seguimiento desde 2026-03; la "
                "fecha de inicio no puede ser posterior a ese mes.",
            ),
            (
                {"fecha_fin_programada": "2026-06-30"},
                "fecha_fin_programada",
                "El proyecto tiene programación o seguimiento hasta 2026-07; la "
                "fecha de fin no puede ser anterior a ese mes.",
            ),
            (
                {"fecha_fin_real": "2026-06-15"},
                "fecha_fin_real",
                "El proyecto tiene programación o seguimiento hasta 2026-07; la "
                "fecha de fin no puede ser anterior a ese mes.",
            ),
        ],
        ids=["monto_bajo", "inicio_tarde", "fin_programado_temprano", "fin_real"],
    )
    def test_a_change_that_strands_cs_data_names_its_field_and_changes_nothing(
        self, cliente, limites, crear_proyecto, cambios, campo, mensaje
    ):
        limites.respuesta = LIMITES_MARZO_A_JULIO
        proyecto = crear_proyecto()

        respuesta = cliente.patch(
            _item(proyecto.pk), cambios, format="json", HTTP_X_REQUEST_ID="req-lim"
        )

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"] == {campo: [mensaje]}
        assert limites.llamadas == [
            {
                "id": proyecto.pk,
                "authorization": cliente.cabecera,
                "request_id": "req-lim",
            }
        ]
        proyecto.refresh_from_db()
        assert proyecto.actualizado_por == "semilla"

    @pytest.mark.parametrize(
        "cambios",
        [
            {"monto_total": "200000.00"},
            {"fecha_inicio": "2026-03-20", "fecha_fin_programada": "2026-07-01"},
        ],
        ids=["monto_justo", "meses_enteros"],
    )
    def test_a_change_that_keeps_every_month_and_amount_is_saved(
        self, cliente, limites, crear_proyecto, cambios
    ):
        limites.respuesta = LIMITES_MARZO_A_JULIO
        proyecto = crear_proyecto()

        respuesta = cliente.patch(_item(proyecto.pk), cambios, format="json")

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json()["actualizado_por"] == "ana"

    def test_changing_the_amount_while_c_is_down_is_a_503(
        self, cliente, limites, crear_proyecto
    ):
        limites.respuesta = no_disponible("programacion")
        proyecto = crear_proyecto()

        respuesta = cliente.patch(
            _item(proyecto.pk), {"monto_total": "300000.00"}, format="json"
        )

        assert respuesta.status_code == status.HTTP_503_SERVICE_UNAVAILABLE
        assert "programación" in respuesta.json()["mensaje"]
        _sin_internos(respuesta)
        proyecto.refresh_from_db()
        assert proyecto.monto_total == 250000

    def test_edits_c_does_not_read_work_while_c_is_down(
        self, cliente, limites, crear_proyecto
    ):
        limites.respuesta = no_disponible("programacion")
        proyecto = crear_proyecto()

        respuesta = cliente.patch(
            _item(proyecto.pk), {"nombre": "Otro nombre"}, format="json"
        )

        assert respuesta.status_code == status.HTTP_200_OK
        assert limites.llamadas == []


class TestLeerYEliminar:
    def test_retrieve_returns_every_field(self, cliente, crear_proyecto):
        proyecto = crear_proyecto()

        respuesta = cliente.get(_item(proyecto.pk))

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json()["codigo"] == proyecto.codigo
        assert respuesta.json()["fecha_fin_real"] is None

    @pytest.mark.parametrize("ruta", [_item(999_999), "/proyectos/abc/"])
    def test_an_unknown_proyecto_is_a_json_404(self, cliente, ruta):
        respuesta = cliente.get(ruta)

        assert respuesta.status_code == status.HTTP_404_NOT_FOUND
        assert respuesta.json()["codigo"] == "no_encontrado"

    def test_delete_removes_a_proyecto_c_holds_nothing_for(
        self, cliente, limites, crear_proyecto
    ):
        proyecto = crear_proyecto()

        respuesta = cliente.delete(_item(proyecto.pk))

        assert respuesta.status_code == status.HTTP_204_NO_CONTENT
        assert not Proyecto.objects.filter(pk=proyecto.pk).exists()
        assert [llamada["id"] for llamada in limites.llamadas] == [proyecto.pk]

    def test_delete_of_a_proyecto_with_programacion_is_a_409(
        self, cliente, limites, crear_proyecto
    ):
        limites.respuesta = LIMITES_MARZO_A_JULIO
        proyecto = crear_proyecto()

        respuesta = cliente.delete(_item(proyecto.pk))

        assert respuesta.status_code == status.HTTP_409_CONFLICT
        assert respuesta.json()["codigo"] == "conflicto"
        assert "CANCELADO" in respuesta.json()["mensaje"]
        assert Proyecto.objects.filter(pk=proyecto.pk).exists()

    def test_delete_while_c_is_down_is_a_503_and_keeps_the_proyecto(
        self, cliente, limites, crear_proyecto
    ):
        limites.respuesta = no_disponible("programacion")
        proyecto = crear_proyecto()

        respuesta = cliente.delete(_item(proyecto.pk))

        assert respuesta.status_code == status.HTTP_503_SERVICE_UNAVAILABLE
        _sin_internos(respuesta)
        assert Proyecto.objects.filter(pk=proyecto.pk).exists()


class TestListado:
    def test_is_paginated_and_ordered_by_codigo(self, cliente, crear_proyecto):
        for codigo in ["C-3", "C-1", "C-2"]:
            crear_proyecto(codigo=codigo)

        cuerpo = cliente.get(LISTA).json()

        assert cuerpo["count"] == 3
        assert [p["codigo"] for p in cuerpo["results"]] == ["C-1", "C-2", "C-3"]

    def test_costs_two_queries_whatever_the_number_of_rows(
        self, cliente, crear_proyecto, django_assert_num_queries
    ):
        for _ in range(15):
            crear_proyecto()

        # One COUNT for the paginator, one SELECT for the page.
        with django_assert_num_queries(2):
            respuesta = cliente.get(LISTA, {"estado": "PROGRAMADO"})

        assert len(respuesta.json()["results"]) == 15


class TestExportacionCsv:
    def _filas(self, respuesta) -> list[dict]:
        texto = respuesta.content.decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(texto)))

    def test_exports_every_matching_row_not_one_page(self, cliente, crear_proyecto):
        total = django_settings.REST_FRAMEWORK["PAGE_SIZE"] + 3
        for _ in range(total):
            crear_proyecto()

        respuesta = cliente.get(LISTA, {"format": "csv"})

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta["Content-Type"].startswith("text/csv")
        assert 'filename="proyectos.csv"' in respuesta["Content-Disposition"]
        filas = self._filas(respuesta)
        assert len(filas) == total
        assert filas[0]["codigo"] == "PRY-0001"
        assert filas[0]["monto_total"] == "250000.00"

    def test_applies_the_filters(self, cliente, crear_proyecto):
        crear_proyecto(codigo="SI", sector="EDUCACION")
        crear_proyecto(codigo="NO", sector="SALUD")

        respuesta = cliente.get(LISTA, {"format": "csv", "sector": "EDUCACION"})

        assert [fila["codigo"] for fila in self._filas(respuesta)] == ["SI"]

    def test_an_empty_export_still_has_its_header(self, cliente):
        respuesta = cliente.get(LISTA, {"format": "csv"})

        cabecera = respuesta.content.decode("utf-8-sig").splitlines()[0]
        assert cabecera.startswith("id,codigo,nombre,")

    def test_costs_one_query(self, cliente, crear_proyecto, django_assert_num_queries):
        for _ in range(5):
            crear_proyecto()

        with django_assert_num_queries(1):
            cliente.get(LISTA, {"format": "csv"})


class TestDetalle:
    def test_full_answer(self, cliente, empresas, programacion, crear_proyecto):
        proyecto = crear_proyecto(empresa_id=7)

        respuesta = cliente.get(_detalle(proyecto.pk))

        assert respuesta.status_code == status.HTTP_200_OK
        cuerpo = respuesta.json()
        assert set(cuerpo) == {
            "proyecto",
            "empresa",
            "programacion",
            "mensaje",
            "frescura",
        }
        assert cuerpo["proyecto"] == cliente.get(_item(proyecto.pk)).json()
        assert cuerpo["empresa"] == EMPRESA_ACTIVA
        assert cuerpo["programacion"] == PROGRAMACION
        assert cuerpo["mensaje"] is None

    def test_says_how_fresh_each_part_is(
        self, cliente, empresas, programacion, crear_proyecto, reloj
    ):
        proyecto = crear_proyecto()

        frescura = cliente.get(_detalle(proyecto.pk)).json()["frescura"]

        assert set(frescura) == {"empresa", "programacion"}
        for parte in frescura.values():
            assert parte["estado"] == "actual"
            assert datetime.fromisoformat(parte["obtenida_en"]) == reloj.ahora
            assert parte["antiguedad_segundos"] == 0

    def test_forwards_the_callers_token_and_request_id_to_a_and_c(
        self, cliente, empresas, programacion, crear_proyecto
    ):
        proyecto = crear_proyecto(empresa_id=7)

        cliente.get(_detalle(proyecto.pk), HTTP_X_REQUEST_ID="req-detalle-9")

        for llamada in empresas.llamadas + programacion.llamadas:
            assert llamada["authorization"] == cliente.cabecera
            assert llamada["request_id"] == "req-detalle-9"
        assert [c["id"] for c in empresas.llamadas] == [7]
        assert [c["id"] for c in programacion.llamadas] == [proyecto.pk]

    @pytest.mark.parametrize("caida", ["empresa", "programacion", "ambas"])
    def test_a_dependency_down_degrades_its_part_and_still_answers_200(
        self, cliente, empresas, programacion, crear_proyecto, caida
    ):
        if caida in ("empresa", "ambas"):
            empresas.respuesta = no_disponible("empresas")
        if caida in ("programacion", "ambas"):
            programacion.respuesta = no_disponible("programacion")
        proyecto = crear_proyecto()

        respuesta = cliente.get(_detalle(proyecto.pk))

        assert respuesta.status_code == status.HTTP_200_OK
        cuerpo = respuesta.json()
        assert cuerpo["proyecto"]["id"] == proyecto.pk
        assert cuerpo["empresa"] == (
            EMPRESA_ACTIVA if caida == "programacion" else NO_DISPONIBLE
        )
        assert cuerpo["programacion"] == (
            PROGRAMACION if caida == "empresa" else NO_DISPONIBLE
        )
        assert cuerpo["mensaje"] == PARCIAL
        _sin_internos(respuesta)

    def test_an_empresa_a_does_not_know_is_not_found(
        self, cliente, empresas, programacion, crear_proyecto
    ):
        empresas.respuesta = None
        proyecto = crear_proyecto()

        cuerpo = cliente.get(_detalle(proyecto.pk)).json()

        assert cuerpo["empresa"] == "No encontrada"
        assert cuerpo["mensaje"] == "La empresa asociada al proyecto no fue encontrada."

    def test_an_unknown_proyecto_is_a_404_without_asking_anyone(
        self, cliente, empresas, programacion
    ):
        respuesta = cliente.get(_detalle(999_999))

        assert respuesta.status_code == status.HTTP_404_NOT_FOUND
        assert respuesta.json()["codigo"] == "no_encontrado"
        assert empresas.llamadas == programacion.llamadas == []


class Servicios:
    """A and C behind respx, reached through B's real clients and copies."""

    def __init__(self, router) -> None:
        self.a = router.get(f"{A_URL}/empresas/7/").mock(
            return_value=httpx.Response(200, json=EMPRESA_ACTIVA)
        )
        self.c = router.get(url__startswith=f"{C_URL}/programacion/").mock(
            return_value=httpx.Response(200, json=PROGRAMACION)
        )


@pytest.fixture
def servicios(settings):
    settings.EMPRESAS_URL = A_URL
    settings.PROGRAMACION_URL = C_URL
    settings.DEP_RETRIES = 0
    reset_clients()
    with respx.mock(assert_all_called=False) as router:
        yield Servicios(router)
    reset_clients()


def _puerto_cerrado() -> int:
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TestDetalleConCopiaGuardada:
    def test_a_good_answer_is_kept_and_shown_when_a_goes_down(
        self, cliente, servicios, crear_proyecto, reloj
    ):
        proyecto = crear_proyecto(empresa_id=7)
        cliente.get(_detalle(proyecto.pk))
        respondida_en = reloj.ahora
        reloj.avanzar(3 * 3600 + 7)
        servicios.a.mock(side_effect=httpx.ConnectError("refused"))

        respuesta = cliente.get(_detalle(proyecto.pk))

        assert respuesta.status_code == status.HTTP_200_OK
        cuerpo = respuesta.json()
        assert cuerpo["empresa"] == EMPRESA_ACTIVA
        assert cuerpo["programacion"] == PROGRAMACION
        frescura = cuerpo["frescura"]["empresa"]
        assert frescura["estado"] == "copia_guardada"
        assert datetime.fromisoformat(frescura["obtenida_en"]) == respondida_en
        assert frescura["antiguedad_segundos"] == 3 * 3600 + 7
        assert cuerpo["frescura"]["programacion"]["estado"] == "actual"
        assert cuerpo["mensaje"] == COPIA
        _sin_internos(respuesta)

    def test_c_is_sent_the_proyectos_marco(self, cliente, servicios, crear_proyecto):
        proyecto = crear_proyecto()

        cliente.get(_detalle(proyecto.pk))

        pedido = servicios.c.calls.last.request
        assert pedido.url.path == f"/programacion/{proyecto.pk}/"
        assert dict(pedido.url.params) == {
            "monto_total": "250000.00",
            "fecha_inicio": "2026-03-01",
            "fecha_fin_programada": "2026-09-30",
            "estado": "PROGRAMADO",
        }

    def test_c_figures_are_shown_as_c_returns_them(
        self, cliente, servicios, crear_proyecto
    ):
        con_indicadores = PROGRAMACION | {"valor_ganado": {"spi": "0.95"}}
        servicios.c.mock(return_value=httpx.Response(200, json=con_indicadores))
        proyecto = crear_proyecto()

        cuerpo = cliente.get(_detalle(proyecto.pk)).json()

        assert cuerpo["programacion"] == con_indicadores

    def test_an_empresa_a_no_longer_knows_is_not_shown_from_a_copy(
        self, cliente, servicios, crear_proyecto
    ):
        proyecto = crear_proyecto(empresa_id=7)
        cliente.get(_detalle(proyecto.pk))
        servicios.a.mock(return_value=httpx.Response(404))
        assert cliente.get(_detalle(proyecto.pk)).json()["empresa"] == "No encontrada"
        servicios.a.mock(side_effect=httpx.ConnectError("refused"))

        cuerpo = cliente.get(_detalle(proyecto.pk)).json()

        assert cuerpo["empresa"] == NO_DISPONIBLE
        assert cuerpo["frescura"]["empresa"]["estado"] == "no_disponible"

    def test_an_unreachable_redis_cache_does_not_break_the_detalle(
        self, cliente, servicios, crear_proyecto, settings
    ):
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{_puerto_cerrado()}/0",
            }
        }
        proyecto = crear_proyecto()
        servicios.a.mock(side_effect=httpx.ConnectError("refused"))

        caida = cliente.get(_detalle(proyecto.pk))
        servicios.a.mock(return_value=httpx.Response(200, json=EMPRESA_ACTIVA))
        de_vuelta = cliente.get(_detalle(proyecto.pk))

        assert caida.status_code == de_vuelta.status_code == status.HTTP_200_OK
        assert caida.json()["empresa"] == NO_DISPONIBLE
        assert caida.json()["mensaje"] == PARCIAL
        assert de_vuelta.json()["empresa"] == EMPRESA_ACTIVA
        assert de_vuelta.json()["mensaje"] is None
        _sin_internos(caida)


CAMPOS_DEPENDENCIA = {
    "estado",
    "fallos_consecutivos",
    "abierto_desde",
    "segundos_para_prueba",
    "estado_compartido",
    "politica",
}
CAMPOS_POLITICA = {
    "reintentos",
    "espera_inicial_s",
    "espera_maxima_s",
    "jitter",
    "timeout_conexion_s",
    "timeout_lectura_s",
    "fallos_para_abrir",
    "reset_timeout_s",
    "presupuesto_detalle_s",
    "copia_guardada_ttl_s",
}


class TestResiliencia:
    def test_lists_both_dependencies_without_touching_the_database(
        self, cliente, servicios, django_assert_num_queries
    ):
        with django_assert_num_queries(0):
            respuesta = cliente.get(RESILIENCIA)

        assert respuesta.status_code == status.HTTP_200_OK
        cuerpo = respuesta.json()
        assert set(cuerpo) == {"empresas", "programacion"}
        for dependencia in cuerpo.values():
            assert set(dependencia) == CAMPOS_DEPENDENCIA
            assert set(dependencia["politica"]) == CAMPOS_POLITICA
            assert dependencia["estado"] == "CERRADO"
            assert dependencia["estado_compartido"] == "local"
        assert cuerpo["empresas"]["politica"]["copia_guardada_ttl_s"] == 86400
        _sin_internos(respuesta)

    def test_shows_an_open_breaker_and_the_time_to_its_trial(
        self, cliente, servicios, crear_proyecto, reloj, settings
    ):
        settings.BREAKER_FAIL_MAX = 2
        settings.BREAKER_RESET_TIMEOUT = 30.0
        servicios.a.mock(side_effect=httpx.ConnectError("refused"))
        proyecto = crear_proyecto()
        for _ in range(2):
            cliente.get(_detalle(proyecto.pk))
        abierto_en = all_clients()["empresas"].breaker.opened_at
        reloj.ahora = abierto_en + timedelta(seconds=12)

        cuerpo = cliente.get(RESILIENCIA).json()

        empresas = cuerpo["empresas"]
        assert empresas["estado"] == "ABIERTO"
        assert empresas["fallos_consecutivos"] == 2
        assert datetime.fromisoformat(empresas["abierto_desde"]) == abierto_en
        assert empresas["segundos_para_prueba"] == 18.0
        assert empresas["politica"]["fallos_para_abrir"] == 2
        assert cuerpo["programacion"]["estado"] == "CERRADO"
        assert cuerpo["programacion"]["segundos_para_prueba"] is None

    def test_a_due_trial_is_zero_seconds_away_never_negative(
        self, cliente, servicios, crear_proyecto, reloj, settings
    ):
        settings.BREAKER_FAIL_MAX = 1
        servicios.a.mock(side_effect=httpx.ConnectError("refused"))
        cliente.get(_detalle(crear_proyecto().pk))
        abierto_en = all_clients()["empresas"].breaker.opened_at
        reloj.ahora = abierto_en + timedelta(seconds=500)

        empresas = cliente.get(RESILIENCIA).json()["empresas"]

        assert empresas["segundos_para_prueba"] == 0.0


class TestRutasPublicas:
    @pytest.mark.parametrize("ruta", ["/proyectos/health/", "/proyectos/ready/"])
    def test_probes_need_no_token(self, api_client, ruta):
        respuesta = api_client.get(ruta)

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json() == {"estado": "ok", "servicio": "proyectos"}

    def test_schema_is_public_and_documents_the_degraded_detalle(self, api_client):
        respuesta = api_client.get("/proyectos/schema/", {"format": "json"})

        assert respuesta.status_code == status.HTTP_200_OK
        esquema = respuesta.json()
        assert esquema["info"]["title"] == "SAP · Proyectos"
        ok = esquema["paths"]["/proyectos/detalle/{proyecto_id}/"]["get"]["responses"][
            "200"
        ]["content"]["application/json"]
        assert set(ok["examples"]) >= {
            "Completo",
            "EmpresaCopiaGuardada",
            "EmpresaNoDisponible",
            "ProgramacionNoDisponible",
            "NingunoDisponible",
            "EmpresaNoEncontrada",
        }
        degradado = ok["examples"]["EmpresaNoDisponible"]["value"]
        assert degradado["empresa"] == NO_DISPONIBLE
        assert degradado["mensaje"] == PARCIAL
        assert degradado["frescura"]["empresa"]["estado"] == "no_disponible"
        copia = ok["examples"]["EmpresaCopiaGuardada"]["value"]
        assert copia["frescura"]["empresa"]["estado"] == "copia_guardada"
        assert copia["mensaje"] == COPIA
        esquemas = esquema["components"]["schemas"]
        assert "frescura" in esquemas["ProyectoDetalle"]["properties"]
        assert esquemas["FrescuraProgramacionEstadoEnum"]["enum"] == [
            "actual",
            "copia_guardada",
            "no_disponible",
            "sin_datos",
        ]

    def test_schema_documents_the_resilience_endpoint(self, api_client):
        esquema = api_client.get("/proyectos/schema/", {"format": "json"}).json()

        operacion = esquema["paths"][RESILIENCIA]["get"]
        assert operacion["security"] == [{"jwtAuth": []}]
        ok = operacion["responses"]["200"]["content"]["application/json"]
        assert ok["schema"]["$ref"] == "#/components/schemas/Resiliencia"
        ejemplo = ok["examples"]["EmpresasAbierto"]["value"]
        assert ejemplo["empresas"]["estado"] == "ABIERTO"


class TestSinTransaccionDuranteLasLlamadas:
    """ATOMIC_REQUESTS is off for these views: A and C are never awaited while
    the request holds a transaction (the test's own blocks are the baseline)."""

    def test_create_asks_a_outside_any_transaction(
        self, cliente, datos_proyecto, monkeypatch
    ):
        base = len(connection.atomic_blocks)
        profundidad = []

        def empresa_observada(empresa_id, **kwargs):
            profundidad.append(len(connection.atomic_blocks) - base)
            return EMPRESA_ACTIVA

        monkeypatch.setattr("app_b.services.empresa_obtener", empresa_observada)

        respuesta = cliente.post(LISTA, datos_proyecto(), format="json")

        assert respuesta.status_code == status.HTTP_201_CREATED
        assert profundidad == [0]

    def test_detalle_waits_for_a_and_c_outside_any_transaction(
        self, cliente, empresas, programacion, crear_proyecto, monkeypatch
    ):
        proyecto = crear_proyecto()
        base = len(connection.atomic_blocks)
        profundidad = []
        real = selectors.run_concurrently

        def observada(llamadas, deadline):
            profundidad.append(len(connection.atomic_blocks) - base)
            return real(llamadas, deadline)

        monkeypatch.setattr("app_b.selectors.run_concurrently", observada)

        respuesta = cliente.get(_detalle(proyecto.pk))

        assert respuesta.json()["mensaje"] is None
        assert profundidad == [0]
