import calendar
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework import status

from app_c import client_proyectos, openapi_examples, selectors
from app_c.client_proyectos import ProyectoNoEncontrado, ProyectosNoDisponible
from app_c.indicadores import Marco
from app_c.models import ProgramacionVersion, Seguimiento
from app_c.tests.conftest import PROYECTO_ID, mes_programado
from sap_common.testing import make_access_token, other_private_key

pytestmark = pytest.mark.django_db

RESUMEN = f"/programacion/{PROYECTO_ID}/"
VERSIONES = f"/programacion/{PROYECTO_ID}/versiones/"
SEGUIMIENTO = f"/programacion/{PROYECTO_ID}/seguimiento/"
LIMITES = f"/programacion/{PROYECTO_ID}/limites/"

MENSAJE_MES = "El mes debe estar entre 1 y 12."
MENSAJE_ANIO = "El año debe estar entre 2000 y 2100."
MENSAJE_PORCENTAJE = "El avance físico debe estar entre 0 y 100."
MENSAJE_MONTO = "El monto no puede ser negativo."
MENSAJE_REQUERIDO = "Este campo es requerido."

# ATOMIC_REQUESTS wraps every request in a savepoint inside the test's
# transaction: opening and releasing it are two of the queries counted. The
# views that write through proyectos are served outside it: none there.
QUERIES_DE_LA_PETICION = 2


def _mes_json(anio=2026, mes=1, avance="10.00", monto="1000.00"):
    return {
        "anio": anio,
        "mes": mes,
        "avance_fisico_programado": avance,
        "monto_programado": monto,
    }


def _seguimiento_json(**cambios):
    """A seguimiento payload; its cut-off is the last day of its month."""
    datos = {
        "anio": 2026,
        "mes": 1,
        "avance_fisico_real": "12.50",
        "monto_ejecutado": "1500.75",
        "observaciones": "Vaciado de losa.",
    } | cambios
    if "fecha_corte" not in datos:
        anio, mes = datos["anio"], datos["mes"]
        if isinstance(anio, int) and isinstance(mes, int) and 1 <= mes <= 12:
            ultimo = calendar.monthrange(anio, mes)[1]
            datos["fecha_corte"] = date(anio, mes, ultimo).isoformat()
        else:
            datos["fecha_corte"] = "2026-01-31"
    return datos


def _sin_derivados(cuerpo):
    """The summary's stored-data part; the derived figures have their own tests."""
    assert {"indicadores", "curva_s", "semaforo"} <= set(cuerpo)
    return {
        k: v
        for k, v in cuerpo.items()
        if k not in {"indicadores", "curva_s", "semaforo"}
    }


def _errores(respuesta):
    assert respuesta.status_code == status.HTTP_400_BAD_REQUEST, respuesta.content
    cuerpo = respuesta.json()
    assert cuerpo["codigo"] == "validacion"
    return cuerpo["errores"]


REGLAS_POR_CAMPO = [
    ("anio", 1999, MENSAJE_ANIO),
    ("anio", 2101, MENSAJE_ANIO),
    ("mes", 0, MENSAJE_MES),
    ("mes", 13, MENSAJE_MES),
]


class TestVersiones:
    def test_creates_the_baseline_in_the_name_of_the_caller(
        self, api_client, token_for
    ):
        api_client.credentials(
            HTTP_AUTHORIZATION=f"Bearer {token_for(username='planificadora')}"
        )

        respuesta = api_client.post(
            VERSIONES,
            {"meses": [_mes_json(mes=2, avance="60"), _mes_json(mes=1, avance="40")]},
            format="json",
        )

        assert respuesta.status_code == status.HTTP_201_CREATED
        cuerpo = respuesta.json()
        assert cuerpo["proyecto_id"] == PROYECTO_ID
        assert cuerpo["numero"] == 1
        assert cuerpo["motivo"] == ""
        assert cuerpo["creado_por"] == "planificadora"
        assert cuerpo["meses"] == [
            _mes_json(mes=1, avance="40.00"),
            _mes_json(mes=2, avance="60.00"),
        ]

    def test_reprogramacion_is_version_two_and_both_are_listed(self, auth_client):
        auth_client.post(VERSIONES, {"meses": [_mes_json()]}, format="json")

        respuesta = auth_client.post(
            VERSIONES,
            {"motivo": "Cambio de diseño.", "meses": [_mes_json(avance="20")]},
            format="json",
        )
        listado = auth_client.get(VERSIONES).json()

        assert respuesta.status_code == status.HTTP_201_CREATED
        assert respuesta.json()["numero"] == 2
        assert listado["count"] == 2
        assert [v["numero"] for v in listado["results"]] == [1, 2]
        assert listado["results"][0]["meses"][0]["avance_fisico_programado"] == (
            "10.00"
        )
        assert listado["results"][1]["motivo"] == "Cambio de diseño."

    def test_reprogramacion_without_motivo_names_motivo(self, auth_client):
        auth_client.post(VERSIONES, {"meses": [_mes_json()]}, format="json")

        respuesta = auth_client.post(VERSIONES, {"meses": [_mes_json()]}, format="json")

        assert _errores(respuesta) == {
            "motivo": ["Indique el motivo de la reprogramación."]
        }

    @pytest.mark.parametrize(
        ("campo", "valor", "mensaje"),
        [
            *REGLAS_POR_CAMPO,
            ("avance_fisico_programado", "-0.01", MENSAJE_PORCENTAJE),
            ("avance_fisico_programado", "100.01", MENSAJE_PORCENTAJE),
            ("monto_programado", "-0.01", MENSAJE_MONTO),
        ],
    )
    def test_a_bad_month_names_its_field_and_writes_nothing(
        self, auth_client, campo, valor, mensaje
    ):
        malo = _mes_json(mes=2) | {campo: valor}

        respuesta = auth_client.post(
            VERSIONES, {"meses": [_mes_json(mes=1), malo]}, format="json"
        )

        # DRF names the offending month by its position in the list.
        assert _errores(respuesta) == {"meses": {"1": {campo: [mensaje]}}}
        assert not ProgramacionVersion.objects.exists()

    def test_a_month_repeated_in_the_body_names_meses(self, auth_client):
        respuesta = auth_client.post(
            VERSIONES,
            {"meses": [_mes_json(mes=7), _mes_json(mes=7, avance="1")]},
            format="json",
        )

        assert _errores(respuesta) == {
            "meses": [
                "El mes 2026-07 está repetido; cada mes va una sola vez por versión."
            ]
        }
        assert not ProgramacionVersion.objects.exists()

    def test_programmed_progress_over_100_names_meses(self, auth_client):
        respuesta = auth_client.post(
            VERSIONES,
            {"meses": [_mes_json(mes=1, avance="55"), _mes_json(mes=2, avance="50")]},
            format="json",
        )

        assert _errores(respuesta) == {
            "meses": [
                "El avance físico programado suma 105.00 %; no puede superar el 100 %."
            ]
        }

    @pytest.mark.parametrize(
        ("cuerpo", "mensaje"),
        [
            ({"meses": []}, "Incluya al menos un mes en la programación."),
            ({"motivo": "x"}, MENSAJE_REQUERIDO),
        ],
    )
    def test_a_version_needs_months(self, auth_client, cuerpo, mensaje):
        respuesta = auth_client.post(VERSIONES, cuerpo, format="json")

        assert _errores(respuesta) == {"meses": [mensaje]}

    def test_months_that_are_not_a_list_are_named_in_json_terms(self, auth_client):
        respuesta = auth_client.post(VERSIONES, {"meses": "enero"}, format="json")

        assert _errores(respuesta) == {
            "meses": {"non_field_errors": ["Se esperaba una lista."]}
        }

    def test_listing_costs_the_same_queries_for_many_versions(
        self, auth_client, crear_version, django_assert_num_queries
    ):
        for numero in range(5):
            crear_version(
                [mes_programado(mes=m, avance="5") for m in range(1, 13)],
                motivo=f"Versión {numero}",
            )

        # count, the page of versions, their months (outside ATOMIC_REQUESTS).
        with django_assert_num_queries(3):
            respuesta = auth_client.get(VERSIONES)

        assert respuesta.json()["count"] == 5
        assert all(len(v["meses"]) == 12 for v in respuesta.json()["results"])


class TestSeguimiento:
    def test_records_a_month_in_the_name_of_the_caller(self, api_client, token_for):
        api_client.credentials(
            HTTP_AUTHORIZATION=f"Bearer {token_for(username='supervisora')}"
        )

        respuesta = api_client.post(SEGUIMIENTO, _seguimiento_json(), format="json")

        assert respuesta.status_code == status.HTTP_201_CREATED
        cuerpo = respuesta.json()
        assert {k: cuerpo[k] for k in _seguimiento_json()} == _seguimiento_json()
        assert cuerpo["proyecto_id"] == PROYECTO_ID
        assert cuerpo["registrado_por"] == "supervisora"

    @pytest.mark.parametrize(
        ("campo", "valor", "mensaje"),
        [
            *REGLAS_POR_CAMPO,
            ("avance_fisico_real", "-1", MENSAJE_PORCENTAJE),
            ("avance_fisico_real", "100.01", MENSAJE_PORCENTAJE),
            ("monto_ejecutado", "-5", MENSAJE_MONTO),
            ("fecha_corte", None, "Este campo no puede ser nulo."),
        ],
    )
    def test_a_bad_value_names_its_field(self, auth_client, campo, valor, mensaje):
        respuesta = auth_client.post(
            SEGUIMIENTO, _seguimiento_json(**{campo: valor}), format="json"
        )

        assert _errores(respuesta) == {campo: [mensaje]}
        assert not Seguimiento.objects.exists()

    def test_a_second_report_of_the_month_names_mes(self, auth_client):
        auth_client.post(SEGUIMIENTO, _seguimiento_json(mes=3), format="json")

        respuesta = auth_client.post(
            SEGUIMIENTO, _seguimiento_json(mes=3), format="json"
        )

        assert _errores(respuesta) == {
            "mes": ["Ya existe un seguimiento de 2026-03 para este proyecto."]
        }

    def test_real_progress_past_100_names_avance_fisico_real(self, auth_client):
        auth_client.post(
            SEGUIMIENTO,
            _seguimiento_json(mes=1, avance_fisico_real="99.5"),
            format="json",
        )

        respuesta = auth_client.post(
            SEGUIMIENTO,
            _seguimiento_json(mes=2, avance_fisico_real="0.75"),
            format="json",
        )

        assert _errores(respuesta) == {
            "avance_fisico_real": [
                "Con este mes el avance físico real acumulado del proyecto sería "
                "100.25 %; no puede superar el 100 %."
            ]
        }

    def test_list_is_paginated_in_calendar_order_at_a_fixed_cost(
        self, auth_client, registrar_seguimiento, django_assert_num_queries
    ):
        for anio, mes in [(2027, 1), (2026, 11), (2026, 2)]:
            registrar_seguimiento(anio=anio, mes=mes, avance="1")
        registrar_seguimiento(mes=5, proyecto=99)

        # count and the page (outside ATOMIC_REQUESTS).
        with django_assert_num_queries(2):
            respuesta = auth_client.get(SEGUIMIENTO)

        cuerpo = respuesta.json()
        assert cuerpo["count"] == 3
        assert [(s["anio"], s["mes"]) for s in cuerpo["results"]] == [
            (2026, 2),
            (2026, 11),
            (2027, 1),
        ]

    def test_list_filters_by_year(self, auth_client, registrar_seguimiento):
        registrar_seguimiento(anio=2026, mes=12)
        registrar_seguimiento(anio=2027, mes=1)

        respuesta = auth_client.get(SEGUIMIENTO, {"anio": 2027})

        assert [s["anio"] for s in respuesta.json()["results"]] == [2027]

    def test_an_unreadable_year_filter_is_a_400(self, auth_client):
        respuesta = auth_client.get(SEGUIMIENTO, {"anio": "dos mil"})

        assert list(_errores(respuesta)) == ["anio"]


class TestSeguimientoDetalle:
    @pytest.fixture
    def seguimiento(self, registrar_seguimiento):
        registrar_seguimiento(mes=1, avance="50")
        return registrar_seguimiento(mes=2, avance="30", monto="400")

    def _url(self, seguimiento, proyecto=PROYECTO_ID):
        return f"/programacion/{proyecto}/seguimiento/{seguimiento.pk}/"

    def test_put_replaces_the_figures(self, auth_client, seguimiento):
        respuesta = auth_client.put(
            self._url(seguimiento),
            _seguimiento_json(mes=2, avance_fisico_real="50", monto_ejecutado="800"),
            format="json",
        )

        assert respuesta.status_code == status.HTTP_200_OK
        seguimiento.refresh_from_db()
        assert seguimiento.avance_fisico_real == Decimal("50.00")
        assert seguimiento.monto_ejecutado == Decimal("800.00")
        assert seguimiento.registrado_por == "tecnico"

    def test_put_needs_every_field(self, auth_client, seguimiento):
        respuesta = auth_client.put(self._url(seguimiento), {"mes": 2}, format="json")

        assert set(_errores(respuesta)) == {
            "anio",
            "avance_fisico_real",
            "monto_ejecutado",
            "fecha_corte",
        }

    def test_patch_changes_only_what_is_sent(self, auth_client, seguimiento):
        respuesta = auth_client.patch(
            self._url(seguimiento), {"monto_ejecutado": "450.10"}, format="json"
        )

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json()["monto_ejecutado"] == "450.10"
        assert respuesta.json()["avance_fisico_real"] == "30.00"

    def test_update_past_100_is_refused_and_changes_nothing(
        self, auth_client, seguimiento
    ):
        respuesta = auth_client.patch(
            self._url(seguimiento), {"avance_fisico_real": "50.01"}, format="json"
        )

        assert _errores(respuesta) == {
            "avance_fisico_real": [
                "Con este mes el avance físico real acumulado del proyecto sería "
                "100.01 %; no puede superar el 100 %."
            ]
        }
        seguimiento.refresh_from_db()
        assert seguimiento.avance_fisico_real == Decimal("30.00")

    @pytest.mark.parametrize(
        ("campo", "valor", "mensaje"),
        [("mes", 13, MENSAJE_MES), ("monto_ejecutado", "-1", MENSAJE_MONTO)],
    )
    def test_patch_applies_the_field_rules(
        self, auth_client, seguimiento, campo, valor, mensaje
    ):
        respuesta = auth_client.patch(
            self._url(seguimiento), {campo: valor}, format="json"
        )

        assert _errores(respuesta) == {campo: [mensaje]}

    def test_delete_removes_the_month(self, auth_client, seguimiento):
        respuesta = auth_client.delete(self._url(seguimiento))

        assert respuesta.status_code == status.HTTP_204_NO_CONTENT
        assert not Seguimiento.objects.filter(pk=seguimiento.pk).exists()

    @pytest.mark.parametrize("metodo", ["get", "patch", "delete"])
    def test_a_seguimiento_of_another_proyecto_is_not_found(
        self, auth_client, seguimiento, metodo
    ):
        respuesta = getattr(auth_client, metodo)(
            self._url(seguimiento, proyecto=99), {}, format="json"
        )

        assert respuesta.status_code == status.HTTP_404_NOT_FOUND
        assert respuesta.json()["codigo"] == "no_encontrado"
        assert Seguimiento.objects.filter(pk=seguimiento.pk).exists()


class TestResumen:
    def test_answers_the_shape_service_proyectos_reads(
        self, auth_client, crear_version, registrar_seguimiento
    ):
        crear_version([mes_programado(mes=1, avance="100", monto="9")])
        crear_version(
            [
                mes_programado(mes=1, avance="30", monto="1000.50"),
                mes_programado(mes=2, avance="15", monto="199.50"),
            ],
            motivo="Ajuste",
        )
        registrar_seguimiento(mes=1, avance="38.5", monto="950")

        respuesta = auth_client.get(RESUMEN)

        assert respuesta.status_code == status.HTTP_200_OK
        assert _sin_derivados(respuesta.json()) == {
            "proyecto_id": PROYECTO_ID,
            "version_vigente": 2,
            "avance_fisico": {"programado": "45.00", "real": "38.50"},
            "avance_financiero": {"programado": "1200.00", "ejecutado": "950.00"},
            "meses": [
                {
                    "anio": 2026,
                    "mes": 1,
                    "avance_fisico_programado": "30.00",
                    "avance_fisico_real": "38.50",
                    "monto_programado": "1000.50",
                    "monto_ejecutado": "950.00",
                },
                {
                    "anio": 2026,
                    "mes": 2,
                    "avance_fisico_programado": "15.00",
                    "avance_fisico_real": None,
                    "monto_programado": "199.50",
                    "monto_ejecutado": None,
                },
            ],
        }

    def test_a_proyecto_without_data_is_200_with_zeros(
        self, auth_client, django_assert_num_queries
    ):
        with django_assert_num_queries(3 + QUERIES_DE_LA_PETICION):
            respuesta = auth_client.get("/programacion/777/")

        assert respuesta.status_code == status.HTTP_200_OK
        assert _sin_derivados(respuesta.json()) == {
            "proyecto_id": 777,
            "version_vigente": None,
            "avance_fisico": {"programado": "0.00", "real": "0.00"},
            "avance_financiero": {"programado": "0.00", "ejecutado": "0.00"},
            "meses": [],
        }

    def test_costs_a_fixed_number_of_queries(
        self,
        auth_client,
        crear_version,
        registrar_seguimiento,
        django_assert_num_queries,
    ):
        crear_version([mes_programado(mes=m, avance="8") for m in range(1, 13)])
        for mes in range(1, 13):
            registrar_seguimiento(mes=mes, avance="8")

        with django_assert_num_queries(4 + QUERIES_DE_LA_PETICION):
            respuesta = auth_client.get(RESUMEN)

        assert len(respuesta.json()["meses"]) == 12


@pytest.fixture
def proyecto_reprogramado(crear_version, registrar_seguimiento, proyectos_b):
    """The proyecto of ``openapi_examples.LIMITES``.

    Baseline February to July 2026; vigente version February to May for
    600,000.00; those four months reported for 600,000.00.
    """
    crear_version(
        [mes_programado(mes=m, avance="15", monto="100000") for m in range(2, 8)]
    )
    vigente = [
        (2, "10", "100000"),
        (3, "30", "200000"),
        (4, "40", "200000"),
        (5, "20", "100000"),
    ]
    crear_version(
        [mes_programado(mes=m, avance=a, monto=monto) for m, a, monto in vigente],
        motivo="Se acorta el plazo.",
    )
    for mes, avance, monto in vigente:
        registrar_seguimiento(mes=mes, avance=avance, monto=monto)
    proyectos_b.llamadas.clear()


class TestLimites:
    def test_answers_the_schemas_example(self, auth_client, proyecto_reprogramado):
        respuesta = auth_client.get(LIMITES)

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json() == openapi_examples.LIMITES | {
            "proyecto_id": PROYECTO_ID
        }

    def test_a_proyecto_without_data_is_200_with_nulls_and_zeros(
        self, auth_client, proyecto_reprogramado, django_assert_num_queries
    ):
        with django_assert_num_queries(2 + QUERIES_DE_LA_PETICION):
            respuesta = auth_client.get("/programacion/777/limites/")

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json() == {
            "proyecto_id": 777,
            "tiene_registros": False,
            "primer_periodo": None,
            "ultimo_periodo": None,
            "monto_programado": "0.00",
            "monto_ejecutado": "0.00",
        }

    def test_costs_a_fixed_number_of_queries(
        self, auth_client, proyecto_reprogramado, django_assert_num_queries
    ):
        # The vigente version, then the seguimiento's aggregate.
        with django_assert_num_queries(2 + QUERIES_DE_LA_PETICION):
            respuesta = auth_client.get(LIMITES)

        assert respuesta.json()["tiene_registros"] is True

    def test_answers_without_asking_service_proyectos(
        self, auth_client, proyecto_reprogramado, proyectos_b
    ):
        respuesta = auth_client.get(LIMITES)

        # B asks in the middle of its own write: a call back would tie up
        # one of its workers waiting for another.
        assert respuesta.status_code == status.HTTP_200_OK
        assert proyectos_b.llamadas == []


PROTEGIDOS = [
    ("get", RESUMEN),
    ("get", LIMITES),
    ("get", VERSIONES),
    ("post", VERSIONES),
    ("get", SEGUIMIENTO),
    ("post", SEGUIMIENTO),
    ("put", f"{SEGUIMIENTO}1/"),
    ("patch", f"{SEGUIMIENTO}1/"),
    ("delete", f"{SEGUIMIENTO}1/"),
]


@pytest.fixture(scope="module")
def token_ajeno(tmp_path_factory):
    """A well-formed token signed with a key auth never used (made once)."""
    clave = other_private_key(tmp_path_factory.mktemp("claves"))
    return make_access_token(private_key=clave)


class TestAutenticacion:
    @pytest.mark.parametrize(("metodo", "ruta"), PROTEGIDOS)
    def test_without_a_token_is_401(self, api_client, metodo, ruta):
        respuesta = getattr(api_client, metodo)(ruta, {}, format="json")

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED
        assert respuesta.json()["codigo"] == "no_autenticado"

    @pytest.mark.parametrize(("metodo", "ruta"), PROTEGIDOS)
    def test_a_token_signed_with_another_key_is_401(
        self, api_client, token_ajeno, metodo, ruta
    ):
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_ajeno}")

        respuesta = getattr(api_client, metodo)(ruta, {}, format="json")

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED

    @pytest.mark.parametrize(("metodo", "ruta"), PROTEGIDOS)
    def test_an_expired_token_is_401(self, api_client, token_for, metodo, ruta):
        # Past the allowed clock drift (JWT_LEEWAY_SECONDS).
        vencido = token_for(lifetime_seconds=-120)
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {vencido}")

        respuesta = getattr(api_client, metodo)(
            ruta, {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED
        assert respuesta.json()["mensaje"] == "El token no es válido o ha expirado."

    def test_a_valid_token_needs_no_user_in_this_database(
        self, api_client, token_for, django_user_model
    ):
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user_id=4242)}")

        respuesta = api_client.get(RESUMEN)

        assert respuesta.status_code == status.HTTP_200_OK
        assert not django_user_model.objects.exists()


class TestRutasPublicas:
    @pytest.mark.parametrize("ruta", ["health", "ready"])
    def test_probes_need_no_token(self, api_client, ruta):
        respuesta = api_client.get(f"/programacion/{ruta}/")

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json() == {"estado": "ok", "servicio": "programacion"}

    def test_schema_is_public_and_titled(self, api_client):
        respuesta = api_client.get("/programacion/schema/", {"format": "json"})

        assert respuesta.status_code == status.HTTP_200_OK
        esquema = respuesta.json()
        assert esquema["info"]["title"] == "SAP · Programación y seguimiento"
        assert "/programacion/{proyecto_id}/" in esquema["paths"]

    def test_schema_documents_the_marco_parameters_and_an_example(self, api_client):
        esquema = api_client.get("/programacion/schema/", {"format": "json"}).json()

        resumen = esquema["paths"]["/programacion/{proyecto_id}/"]["get"]
        parametros = {p["name"]: p for p in resumen["parameters"]}
        assert {
            "monto_total",
            "fecha_inicio",
            "fecha_fin_programada",
            "estado",
            "fecha_fin_real",
        } <= set(parametros)
        assert not any(parametros[n].get("required") for n in MARCO_PARAMETROS)
        assert set(resumen["responses"]) == {"200", "400", "404", "503"}
        ejemplos = resumen["responses"]["200"]["content"]["application/json"][
            "examples"
        ]
        assert [e["value"] for e in ejemplos.values()] == [openapi_examples.RESUMEN]

    def test_schema_documents_limites_with_its_example(self, api_client):
        esquema = api_client.get("/programacion/schema/", {"format": "json"}).json()

        limites = esquema["paths"]["/programacion/{proyecto_id}/limites/"]["get"]
        assert set(limites["responses"]) == {"200"}
        ejemplos = limites["responses"]["200"]["content"]["application/json"][
            "examples"
        ]
        assert [e["value"] for e in ejemplos.values()] == [openapi_examples.LIMITES]

    def test_schema_generates_without_warnings(self, tmp_path):
        call_command(
            "spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
        )

    def test_unknown_path_is_json_404(self, auth_client):
        respuesta = auth_client.get("/programacion/no-existe/")

        assert respuesta.status_code == status.HTTP_404_NOT_FOUND
        assert respuesta.json()["codigo"] == "no_encontrado"

    def test_an_id_past_bigint_is_404_not_a_database_error(self, auth_client):
        respuesta = auth_client.post(
            f"/programacion/{'9' * 19}/seguimiento/", _seguimiento_json(), format="json"
        )

        assert respuesta.status_code == status.HTTP_404_NOT_FOUND
        assert respuesta.json()["codigo"] == "no_encontrado"


MARCO_PARAMETROS = {
    "monto_total": "1500000.00",
    "fecha_inicio": "2026-02-01",
    "fecha_fin_programada": "2026-12-31",
    "estado": "EN_EJECUCION",
}
HOY = date(2026, 4, 15)


@pytest.fixture
def hoy(monkeypatch):
    """The summary's "today", fixed at 15 April 2026."""
    monkeypatch.setattr(selectors.timezone, "localdate", lambda: HOY)
    return HOY


@pytest.fixture
def proyecto_en_marcha(crear_version, registrar_seguimiento, proyectos_b):
    """Plan Feb-Jun 2026 (10/20/30/25/15 %), February and March reported."""
    proyectos_b.marco = Marco(
        monto_total=Decimal("1500000.00"),
        fecha_inicio=date(2026, 2, 1),
        fecha_fin_programada=date(2026, 12, 31),
        estado="EN_EJECUCION",
    )
    crear_version(
        [
            mes_programado(mes=2, avance="10", monto="150000"),
            mes_programado(mes=3, avance="20", monto="300000"),
            mes_programado(mes=4, avance="30", monto="450000"),
            mes_programado(mes=5, avance="25", monto="375000"),
            mes_programado(mes=6, avance="15", monto="225000"),
        ]
    )
    registrar_seguimiento(mes=2, avance="8", monto="120000")
    registrar_seguimiento(mes=3, avance="19.5", monto="310000")
    proyectos_b.llamadas.clear()


def _curva(mes, programado, real, monto, ejecutado):
    return {
        "anio": 2026,
        "mes": mes,
        "fisico_programado_acumulado": programado,
        "fisico_real_acumulado": real,
        "financiero_programado_acumulado": monto,
        "financiero_ejecutado_acumulado": ejecutado,
    }


# The figures of proyecto_en_marcha on 15 April 2026, worked out by hand.
INDICADORES_EN_MARCHA = {
    "corte": {"anio": 2026, "mes": 3},
    # 10 + 20 planned, 8 + 19.5 done.
    "fisico_programado": "30.00",
    "fisico_real": "27.50",
    "desviacion_fisica": "-2.50",
    # 450,000 and 430,000 of 1,500,000.
    "financiero_programado": "30.00",
    "financiero_ejecutado": "28.67",
    "monto_programado_a_la_fecha": "450000.00",
    "desviacion_financiera": "-20000.00",
    # 30 % and 27.5 % of 1,500,000.
    "valor_planificado": "450000.00",
    "valor_ganado": "412500.00",
    "costo_real": "430000.00",
    # 412,500 / 450,000 = 0.9167; 412,500 / 430,000 = 0.9593.
    "spi": "0.92",
    "cpi": "0.96",
    "saldo_por_ejecutar": "1070000.00",
    # 1 Feb -> 15 Apr is 73 of the 333 days to 31 Dec: 21.92 %.
    "plazo_transcurrido": "21.92",
}


class TestResumenIndicadores:
    def test_the_whole_answer_for_a_small_proyecto(
        self, auth_client, proyecto_en_marcha, hoy, proyectos_b
    ):
        respuesta = auth_client.get(RESUMEN, MARCO_PARAMETROS)

        assert respuesta.status_code == status.HTTP_200_OK
        cuerpo = respuesta.json()
        assert cuerpo["version_vigente"] == 1
        assert cuerpo["avance_fisico"] == {"programado": "100.00", "real": "27.50"}
        assert cuerpo["indicadores"] == INDICADORES_EN_MARCHA
        assert cuerpo["curva_s"] == [
            _curva(2, "10.00", "8.00", "150000.00", "120000.00"),
            _curva(3, "30.00", "27.50", "450000.00", "430000.00"),
            _curva(4, "60.00", None, "900000.00", None),
            _curva(5, "85.00", None, "1275000.00", None),
            _curva(6, "100.00", None, "1500000.00", None),
        ]
        # SPI 0.92: from 0.85, below 0.95.
        assert cuerpo["semaforo"] == "AMARILLO"

    def test_the_schemas_example_is_this_answer(
        self, auth_client, proyecto_en_marcha, hoy
    ):
        respuesta = auth_client.get(RESUMEN, MARCO_PARAMETROS)

        assert respuesta.json() == openapi_examples.RESUMEN | {
            "proyecto_id": PROYECTO_ID
        }

    def test_a_marco_in_the_query_means_b_is_not_asked(
        self, auth_client, proyecto_en_marcha, hoy, proyectos_b
    ):
        # B would say something else: the query must win.
        proyectos_b.marco = replace(proyectos_b.marco, monto_total=Decimal("1"))

        respuesta = auth_client.get(RESUMEN, MARCO_PARAMETROS)

        assert proyectos_b.llamadas == []
        assert respuesta.json()["indicadores"]["saldo_por_ejecutar"] == "1070000.00"

    def test_without_a_marco_b_is_asked_with_the_callers_token(
        self, api_client, token_for, proyecto_en_marcha, hoy, proyectos_b
    ):
        token = token_for(username="analista")
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

        respuesta = api_client.get(RESUMEN)

        assert respuesta.status_code == status.HTTP_200_OK
        assert proyectos_b.llamadas == [(PROYECTO_ID, f"Bearer {token}")]
        assert respuesta.json()["indicadores"] == INDICADORES_EN_MARCHA

    def test_fecha_fin_real_and_estado_are_read_from_the_query(
        self, auth_client, proyecto_en_marcha, hoy
    ):
        parametros = MARCO_PARAMETROS | {
            "estado": "PARALIZADO",
            "fecha_fin_real": "2026-12-20",
        }

        respuesta = auth_client.get(RESUMEN, parametros)

        assert respuesta.json()["semaforo"] == "ROJO"

    def test_an_empty_fecha_fin_real_means_none(
        self, auth_client, proyecto_en_marcha, hoy, proyectos_b
    ):
        respuesta = auth_client.get(RESUMEN, MARCO_PARAMETROS | {"fecha_fin_real": ""})

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json()["indicadores"] == INDICADORES_EN_MARCHA
        assert proyectos_b.llamadas == []

    def test_overdue_and_not_concluded_is_red(
        self, auth_client, proyecto_en_marcha, hoy
    ):
        parametros = MARCO_PARAMETROS | {"fecha_fin_programada": "2026-04-14"}

        respuesta = auth_client.get(RESUMEN, parametros)

        assert respuesta.json()["semaforo"] == "ROJO"
        assert respuesta.json()["indicadores"]["plazo_transcurrido"] == "100.00"

    def test_without_a_plan_the_semaforo_has_no_data(self, auth_client, hoy):
        respuesta = auth_client.get(RESUMEN, MARCO_PARAMETROS)

        cuerpo = respuesta.json()
        assert cuerpo["semaforo"] == "SIN_DATOS"
        assert cuerpo["curva_s"] == []
        assert cuerpo["indicadores"]["spi"] is None
        assert cuerpo["indicadores"]["cpi"] is None

    def test_a_proyecto_b_does_not_know_is_404(self, auth_client, proyectos_b):
        proyectos_b.error = ProyectoNoEncontrado()

        respuesta = auth_client.get(RESUMEN)

        assert respuesta.status_code == status.HTTP_404_NOT_FOUND
        assert respuesta.json()["codigo"] == "no_encontrado"
        assert respuesta.json()["mensaje"] == "El proyecto no existe."

    def test_b_unavailable_is_503_with_a_spanish_message(
        self, auth_client, proyectos_b
    ):
        proyectos_b.error = ProyectosNoDisponible("transport")

        respuesta = auth_client.get(RESUMEN)

        assert respuesta.status_code == status.HTTP_503_SERVICE_UNAVAILABLE
        cuerpo = respuesta.json()
        assert cuerpo["codigo"] == "servicio_no_disponible"
        assert cuerpo["mensaje"] == (
            "El servicio de proyectos no está disponible y no se pudo consultar "
            "el proyecto. Intente nuevamente en unos momentos."
        )

    @pytest.mark.parametrize(
        ("cambios", "errores"),
        [
            (
                {"monto_total": "mucho"},
                {"monto_total": ["Se requiere un número válido."]},
            ),
            (
                {"monto_total": "0"},
                {"monto_total": ["El monto total debe ser mayor que cero."]},
            ),
            (
                {"fecha_inicio": "2026-13-01"},
                {
                    "fecha_inicio": [
                        "Fecha con formato erróneo. Use uno de los siguientes "
                        "formatos en su lugar: YYYY-MM-DD."
                    ]
                },
            ),
            (
                {"estado": "SUSPENDIDO"},
                {"estado": ['"SUSPENDIDO" no es una elección válida.']},
            ),
            (
                {"fecha_fin_programada": "2026-01-31"},
                {
                    "fecha_fin_programada": [
                        "La fecha de fin programada no puede ser anterior a la "
                        "fecha de inicio."
                    ]
                },
            ),
            (
                {"fecha_fin_real": "2026-01-31"},
                {
                    "fecha_fin_real": [
                        "La fecha de fin real no puede ser anterior a la fecha "
                        "de inicio."
                    ]
                },
            ),
        ],
    )
    def test_a_bad_marco_parameter_is_named_in_a_400(
        self, auth_client, proyectos_b, cambios, errores
    ):
        respuesta = auth_client.get(RESUMEN, MARCO_PARAMETROS | cambios)

        assert _errores(respuesta) == errores
        assert proyectos_b.llamadas == []

    def test_part_of_a_marco_names_what_is_missing(self, auth_client, proyectos_b):
        respuesta = auth_client.get(RESUMEN, {"estado": "EN_EJECUCION"})

        assert _errores(respuesta) == {
            "monto_total": [MENSAJE_REQUERIDO],
            "fecha_inicio": [MENSAJE_REQUERIDO],
            "fecha_fin_programada": [MENSAJE_REQUERIDO],
        }
        assert proyectos_b.llamadas == []

    @pytest.mark.parametrize("con_marco", [True, False], ids=["query", "from-b"])
    def test_figures_cost_no_extra_query(
        self,
        auth_client,
        proyecto_en_marcha,
        hoy,
        django_assert_num_queries,
        con_marco,
    ):
        parametros = MARCO_PARAMETROS if con_marco else {}

        with django_assert_num_queries(4 + QUERIES_DE_LA_PETICION):
            respuesta = auth_client.get(RESUMEN, parametros)

        assert len(respuesta.json()["curva_s"]) == 5


class TestEscriturasContraElMarco:
    @pytest.fixture(autouse=True)
    def marco(self, proyectos_b):
        proyectos_b.marco = Marco(
            monto_total=Decimal("5000.00"),
            fecha_inicio=date(2026, 2, 1),
            fecha_fin_programada=date(2026, 12, 31),
            estado="EN_EJECUCION",
        )

    def test_a_planned_month_outside_the_dates_is_a_400_on_meses(self, auth_client):
        respuesta = auth_client.post(
            VERSIONES, {"meses": [_mes_json(mes=1)]}, format="json"
        )

        assert _errores(respuesta) == {
            "meses": [
                "El mes 2026-01 está fuera del plazo del proyecto (2026-02 a 2026-12)."
            ]
        }
        assert not ProgramacionVersion.objects.exists()

    def test_planned_amounts_past_monto_total_are_a_400_on_meses(self, auth_client):
        respuesta = auth_client.post(
            VERSIONES,
            {
                "meses": [
                    _mes_json(mes=2, monto="4000"),
                    _mes_json(mes=3, monto="1000.01"),
                ]
            },
            format="json",
        )

        assert _errores(respuesta) == {
            "meses": [
                "El monto programado suma 5000.01; no puede superar el monto total "
                "del proyecto (5000.00)."
            ]
        }

    def test_a_reported_month_outside_the_dates_is_a_400_on_mes(self, auth_client):
        respuesta = auth_client.post(
            SEGUIMIENTO, _seguimiento_json(anio=2027, mes=1), format="json"
        )

        assert _errores(respuesta) == {
            "mes": [
                "El mes 2027-01 está fuera del plazo del proyecto (2026-02 a 2026-12)."
            ]
        }
        assert not Seguimiento.objects.exists()

    def test_executed_past_monto_total_is_a_400_on_monto_ejecutado(self, auth_client):
        auth_client.post(
            SEGUIMIENTO,
            _seguimiento_json(mes=2, monto_ejecutado="4999.99"),
            format="json",
        )

        respuesta = auth_client.post(
            SEGUIMIENTO,
            _seguimiento_json(mes=3, monto_ejecutado="0.02"),
            format="json",
        )

        assert _errores(respuesta) == {
            "monto_ejecutado": [
                "Con este mes el monto ejecutado acumulado del proyecto sería "
                "5000.01; no puede superar el monto total del proyecto (5000.00)."
            ]
        }
        assert Seguimiento.objects.count() == 1

    def test_a_correction_past_monto_total_is_a_400_and_changes_nothing(
        self, auth_client, registrar_seguimiento
    ):
        registrar_seguimiento(mes=2, monto="3000")
        seguimiento = registrar_seguimiento(mes=3, monto="1000")

        respuesta = auth_client.patch(
            f"{SEGUIMIENTO}{seguimiento.pk}/",
            {"monto_ejecutado": "2000.01"},
            format="json",
        )

        assert list(_errores(respuesta)) == ["monto_ejecutado"]
        seguimiento.refresh_from_db()
        assert seguimiento.monto_ejecutado == Decimal("1000.00")

    def test_writes_forward_the_callers_token_to_b(
        self, api_client, token_for, proyectos_b
    ):
        token = token_for(username="supervisora")
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

        api_client.post(SEGUIMIENTO, _seguimiento_json(mes=2), format="json")

        assert proyectos_b.llamadas == [(PROYECTO_ID, f"Bearer {token}")]

    @pytest.mark.parametrize(
        ("metodo", "ruta", "cuerpo"),
        [
            ("post", VERSIONES, {"meses": [_mes_json(mes=2)]}),
            ("post", SEGUIMIENTO, _seguimiento_json(mes=2)),
        ],
    )
    def test_a_proyecto_b_does_not_know_is_404_and_nothing_is_written(
        self, auth_client, proyectos_b, metodo, ruta, cuerpo
    ):
        proyectos_b.error = ProyectoNoEncontrado()

        respuesta = getattr(auth_client, metodo)(ruta, cuerpo, format="json")

        assert respuesta.status_code == status.HTTP_404_NOT_FOUND
        assert respuesta.json()["mensaje"] == "El proyecto no existe."
        assert not ProgramacionVersion.objects.exists()
        assert not Seguimiento.objects.exists()

    @pytest.mark.parametrize(
        ("metodo", "ruta", "cuerpo"),
        [
            ("post", VERSIONES, {"meses": [_mes_json(mes=2)]}),
            ("post", SEGUIMIENTO, _seguimiento_json(mes=2)),
            ("patch", "existente", {"monto_ejecutado": "1.00"}),
            ("put", "existente", _seguimiento_json(mes=4)),
        ],
    )
    def test_b_unavailable_is_503_and_nothing_is_written(
        self, auth_client, registrar_seguimiento, proyectos_b, metodo, ruta, cuerpo
    ):
        existente = registrar_seguimiento(mes=3, monto="10")
        if ruta == "existente":
            ruta = f"{SEGUIMIENTO}{existente.pk}/"
        proyectos_b.error = ProyectosNoDisponible("transport")

        respuesta = getattr(auth_client, metodo)(ruta, cuerpo, format="json")

        assert respuesta.status_code == status.HTTP_503_SERVICE_UNAVAILABLE
        cuerpo = respuesta.json()
        assert cuerpo["codigo"] == "servicio_no_disponible"
        assert "no se guardó ningún cambio" in cuerpo["mensaje"]
        assert not ProgramacionVersion.objects.exists()
        assert list(
            Seguimiento.objects.values_list("mes", "monto_ejecutado", "registrado_por")
        ) == [(3, Decimal("10.00"), "supervisor")]


class TestSinTransaccionDuranteLasLlamadas:
    """Writes ask proyectos for the marco outside any transaction of the
    request: a slow proyectos never holds a connection idle in one (the
    test's own blocks are the baseline)."""

    @pytest.fixture
    def profundidad(self, monkeypatch, proyectos_b):
        base = len(connection.atomic_blocks)
        vistas = []

        def observado(proyecto_id, *, authorization):
            vistas.append(len(connection.atomic_blocks) - base)
            return proyectos_b(proyecto_id, authorization=authorization)

        monkeypatch.setattr(client_proyectos, "proyecto_marco_obtener", observado)
        return vistas

    def test_a_new_version(self, auth_client, profundidad):
        cuerpo = {"meses": [_mes_json()]}

        respuesta = auth_client.post(VERSIONES, cuerpo, format="json")

        assert respuesta.status_code == status.HTTP_201_CREATED
        assert profundidad == [0]

    def test_a_new_seguimiento(self, auth_client, crear_version, profundidad):
        crear_version([mes_programado(mes=1)])
        profundidad.clear()

        respuesta = auth_client.post(SEGUIMIENTO, _seguimiento_json(), format="json")

        assert respuesta.status_code == status.HTTP_201_CREATED
        assert profundidad == [0]

    def test_a_corrected_amount(self, auth_client, registrar_seguimiento, profundidad):
        seguimiento = registrar_seguimiento(mes=1, monto="400")
        url = f"{SEGUIMIENTO}{seguimiento.pk}/"
        profundidad.clear()

        respuesta = auth_client.patch(url, {"monto_ejecutado": "450"}, format="json")

        assert respuesta.status_code == status.HTTP_200_OK
        assert profundidad == [0]
