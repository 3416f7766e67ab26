import csv
import io
from unittest import mock

import pytest
from django.conf import settings
from rest_framework import status
from rest_framework.validators import UniqueValidator

from app_a.models import Empresa
from sap_common.testing import other_private_key

pytestmark = pytest.mark.django_db

LISTA = "/empresas/"
# ATOMIC_REQUESTS wraps each request in a savepoint inside the test's own
# transaction: SAVEPOINT and RELEASE SAVEPOINT are counted as queries too.
CONTROL_TRANSACCION = 2


def detalle(empresa_id):
    return f"/empresas/{empresa_id}/"


def leer_csv(respuesta):
    texto = respuesta.content.decode("utf-8")
    assert texto.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(texto.removeprefix("\ufeff"))))


@pytest.fixture
def cliente_de(api_client, token_for):
    """Factory: an API client that acts as the given username."""

    def cliente(username, user_id=1):
        api_client.credentials(
            HTTP_AUTHORIZATION=f"Bearer {token_for(username=username, user_id=user_id)}"
        )
        return api_client

    return cliente


class TestCrear:
    def test_creates_an_active_empresa_and_returns_it(self, auth_client, datos_empresa):
        respuesta = auth_client.post(LISTA, datos_empresa(), format="json")

        assert respuesta.status_code == status.HTTP_201_CREATED
        cuerpo = respuesta.json()
        assert cuerpo["nit"] == "1020304050"
        assert cuerpo["estado"] == Empresa.Estado.ACTIVA
        assert cuerpo["departamento"] == "LA_PAZ"
        empresa = Empresa.objects.get(pk=cuerpo["id"])
        assert empresa.razon_social == "Constructora Illimani S.R.L."

    def test_only_nit_razon_social_and_tipo_are_required(self, auth_client):
        respuesta = auth_client.post(
            LISTA,
            {"nit": "123", "razon_social": "Mínima", "tipo": "OTRO"},
            format="json",
        )

        assert respuesta.status_code == status.HTTP_201_CREATED
        assert respuesta.json()["email"] == ""

    def test_audit_fields_come_from_the_token_not_the_payload(
        self, cliente_de, datos_empresa
    ):
        cliente = cliente_de("ana.rojas")

        respuesta = cliente.post(
            LISTA,
            datos_empresa(creado_por="intruso", actualizado_por="intruso"),
            format="json",
        )

        cuerpo = respuesta.json()
        assert cuerpo["creado_por"] == "ana.rojas"
        assert cuerpo["actualizado_por"] == "ana.rojas"
        assert cuerpo["creado_en"]
        assert cuerpo["actualizado_en"]


class TestValidacion:
    @pytest.mark.parametrize("nit", ["12-34", "12 34", "NIT123", "٣٣٣", "1.5"])
    def test_nit_with_anything_but_digits_is_refused(
        self, auth_client, datos_empresa, nit
    ):
        respuesta = auth_client.post(LISTA, datos_empresa(nit=nit), format="json")

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"] == {
            "nit": ["El NIT debe contener solo dígitos."]
        }
        assert not Empresa.objects.exists()

    def test_nit_longer_than_twenty_digits_is_refused(self, auth_client, datos_empresa):
        respuesta = auth_client.post(LISTA, datos_empresa(nit="1" * 21), format="json")

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"]["nit"] == [
            "Asegúrese de que este campo no tenga más de 20 caracteres."
        ]

    def test_duplicate_nit_is_a_clear_400(
        self, auth_client, datos_empresa, crear_empresa
    ):
        crear_empresa(nit="1020304050")

        respuesta = auth_client.post(LISTA, datos_empresa(), format="json")

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        cuerpo = respuesta.json()
        assert cuerpo["codigo"] == "validacion"
        assert cuerpo["errores"] == {"nit": ["Ya existe una empresa con este NIT."]}
        assert Empresa.objects.count() == 1

    def test_duplicate_nit_that_slips_past_validation_is_still_a_400(
        self, auth_client, datos_empresa, crear_empresa
    ):
        crear_empresa(nit="1020304050")

        # As if another request stored the same NIT between check and insert.
        with mock.patch.object(UniqueValidator, "__call__", return_value=None):
            respuesta = auth_client.post(LISTA, datos_empresa(), format="json")

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"] == {
            "nit": ["Ya existe una empresa con este NIT."]
        }
        assert Empresa.objects.count() == 1

    @pytest.mark.parametrize("campo", ["nit", "razon_social", "tipo"])
    def test_missing_required_field_is_named(self, auth_client, datos_empresa, campo):
        datos = datos_empresa()
        del datos[campo]

        respuesta = auth_client.post(LISTA, datos, format="json")

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"] == {campo: ["Este campo es requerido."]}

    def test_blank_razon_social_is_refused(self, auth_client, datos_empresa):
        respuesta = auth_client.post(
            LISTA, datos_empresa(razon_social="   "), format="json"
        )

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"] == {
            "razon_social": ["Este campo no puede estar en blanco."]
        }

    def test_bad_email_is_refused(self, auth_client, datos_empresa):
        respuesta = auth_client.post(
            LISTA, datos_empresa(email="contacto-arroba-illimani"), format="json"
        )

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"] == {
            "email": ["Introduzca una dirección de correo electrónico válida."]
        }

    @pytest.mark.parametrize(
        ("campo", "valor", "opciones"),
        [
            ("estado", "BORRADA", "ACTIVA, INACTIVA, INHABILITADA"),
            ("tipo", "LTDA", "UNIPERSONAL, SRL, SA, ASOCIACION_ACCIDENTAL, OTRO"),
            (
                "departamento",
                "La Paz",
                "CHUQUISACA, LA_PAZ, COCHABAMBA, ORURO, POTOSI, TARIJA, "
                "SANTA_CRUZ, BENI, PANDO",
            ),
        ],
    )
    def test_bad_choice_names_the_field_and_its_options(
        self, auth_client, datos_empresa, campo, valor, opciones
    ):
        respuesta = auth_client.post(
            LISTA, datos_empresa(**{campo: valor}), format="json"
        )

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"] == {
            campo: [
                f"«{valor}» no es un valor válido para {campo}. Use uno de: {opciones}."
            ]
        }

    def test_every_invalid_field_is_reported_at_once(self, auth_client, datos_empresa):
        respuesta = auth_client.post(
            LISTA, datos_empresa(nit="x1", email="no", razon_social=""), format="json"
        )

        assert set(respuesta.json()["errores"]) == {"nit", "email", "razon_social"}


class TestObtener:
    def test_returns_the_empresa_with_its_documented_shape(
        self, auth_client, crear_empresa
    ):
        empresa = crear_empresa(departamento=Empresa.Departamento.POTOSI)

        respuesta = auth_client.get(detalle(empresa.pk))

        assert respuesta.status_code == status.HTTP_200_OK
        cuerpo = respuesta.json()
        assert set(cuerpo) == {
            "id",
            "nit",
            "razon_social",
            "sigla",
            "tipo",
            "representante_legal",
            "ci_representante",
            "direccion",
            "departamento",
            "municipio",
            "telefono",
            "email",
            "estado",
            "creado_por",
            "actualizado_por",
            "creado_en",
            "actualizado_en",
        }
        assert cuerpo["id"] == empresa.pk
        assert cuerpo["departamento"] == "POTOSI"

    def test_costs_a_single_query(
        self, auth_client, crear_empresa, django_assert_num_queries
    ):
        empresa = crear_empresa()

        with django_assert_num_queries(CONTROL_TRANSACCION + 1):
            respuesta = auth_client.get(detalle(empresa.pk))

        assert respuesta.status_code == status.HTTP_200_OK

    @pytest.mark.parametrize("ruta", ["/empresas/999999/", "/empresas/abc/"])
    def test_unknown_id_is_a_json_404(self, auth_client, ruta):
        respuesta = auth_client.get(ruta)

        assert respuesta.status_code == status.HTTP_404_NOT_FOUND
        assert respuesta.json()["codigo"] == "no_encontrado"


class TestActualizar:
    def test_put_replaces_the_editable_fields(
        self, cliente_de, crear_empresa, datos_empresa
    ):
        empresa = crear_empresa(nit="555", sigla="VIEJA")
        cliente = cliente_de("luis.mamani")

        respuesta = cliente.put(
            detalle(empresa.pk),
            datos_empresa(nit="555", sigla="", estado="INHABILITADA"),
            format="json",
        )

        assert respuesta.status_code == status.HTTP_200_OK
        empresa.refresh_from_db()
        assert empresa.razon_social == "Constructora Illimani S.R.L."
        assert empresa.sigla == ""
        assert empresa.estado == Empresa.Estado.INHABILITADA
        assert empresa.actualizado_por == "luis.mamani"
        assert empresa.creado_por == "semilla"

    def test_put_needs_the_required_fields(self, auth_client, crear_empresa):
        empresa = crear_empresa()

        respuesta = auth_client.put(detalle(empresa.pk), {"sigla": "X"}, format="json")

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert set(respuesta.json()["errores"]) == {"nit", "razon_social", "tipo"}

    def test_patch_changes_only_what_it_sends(self, cliente_de, crear_empresa):
        empresa = crear_empresa(razon_social="Antes", telefono="222")
        cliente = cliente_de("luis.mamani")

        respuesta = cliente.patch(
            detalle(empresa.pk), {"razon_social": "Después"}, format="json"
        )

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json()["actualizado_por"] == "luis.mamani"
        empresa.refresh_from_db()
        assert empresa.razon_social == "Después"
        assert empresa.telefono == "222"
        assert empresa.creado_por == "semilla"

    def test_patch_may_keep_its_own_nit(self, auth_client, crear_empresa):
        empresa = crear_empresa(nit="777")

        respuesta = auth_client.patch(
            detalle(empresa.pk), {"nit": "777"}, format="json"
        )

        assert respuesta.status_code == status.HTTP_200_OK

    def test_patch_to_another_empresas_nit_is_refused(self, auth_client, crear_empresa):
        crear_empresa(nit="777")
        empresa = crear_empresa(nit="888")

        respuesta = auth_client.patch(
            detalle(empresa.pk), {"nit": "777"}, format="json"
        )

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"] == {
            "nit": ["Ya existe una empresa con este NIT."]
        }
        empresa.refresh_from_db()
        assert empresa.nit == "888"

    def test_patch_with_a_bad_estado_changes_nothing(self, auth_client, crear_empresa):
        empresa = crear_empresa()

        respuesta = auth_client.patch(
            detalle(empresa.pk), {"estado": "CERRADA"}, format="json"
        )

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        empresa.refresh_from_db()
        assert empresa.estado == Empresa.Estado.ACTIVA

    def test_patch_of_unknown_id_is_404(self, auth_client):
        respuesta = auth_client.patch(detalle(999999), {"sigla": "X"}, format="json")

        assert respuesta.status_code == status.HTTP_404_NOT_FOUND


class TestDarDeBaja:
    def test_delete_deactivates_and_keeps_the_row(self, cliente_de, crear_empresa):
        empresa = crear_empresa()
        cliente = cliente_de("jefa.unidad")

        respuesta = cliente.delete(detalle(empresa.pk))

        assert respuesta.status_code == status.HTTP_204_NO_CONTENT
        assert respuesta.content == b""
        empresa.refresh_from_db()
        assert empresa.estado == Empresa.Estado.INACTIVA
        assert empresa.actualizado_por == "jefa.unidad"

    def test_deactivated_empresa_is_still_readable(self, auth_client, crear_empresa):
        empresa = crear_empresa()
        auth_client.delete(detalle(empresa.pk))

        respuesta = auth_client.get(detalle(empresa.pk))

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json()["estado"] == "INACTIVA"

    def test_deleting_twice_is_harmless(self, cliente_de, crear_empresa):
        empresa = crear_empresa()
        cliente_de("primera").delete(detalle(empresa.pk))

        respuesta = cliente_de("segunda").delete(detalle(empresa.pk))

        assert respuesta.status_code == status.HTTP_204_NO_CONTENT
        empresa.refresh_from_db()
        assert empresa.actualizado_por == "primera"

    def test_delete_of_unknown_id_is_404(self, auth_client):
        respuesta = auth_client.delete(detalle(999999))

        assert respuesta.status_code == status.HTTP_404_NOT_FOUND


class TestListar:
    def test_is_paginated_and_ordered_by_razon_social(self, auth_client, crear_empresa):
        for nombre in ["Chaco", "Altiplano", "Beni Verde"]:
            crear_empresa(razon_social=nombre)

        respuesta = auth_client.get(LISTA)

        assert respuesta.status_code == status.HTTP_200_OK
        cuerpo = respuesta.json()
        assert cuerpo["count"] == 3
        assert {"next", "previous"} <= set(cuerpo)
        assert [e["razon_social"] for e in cuerpo["results"]] == [
            "Altiplano",
            "Beni Verde",
            "Chaco",
        ]

    def test_splits_into_pages(self, auth_client, crear_empresa):
        tamano = settings.REST_FRAMEWORK["PAGE_SIZE"]
        for _ in range(tamano + 1):
            crear_empresa()

        primera = auth_client.get(LISTA).json()
        segunda = auth_client.get(LISTA, {"page": 2}).json()

        assert len(primera["results"]) == tamano
        assert primera["next"]
        assert len(segunda["results"]) == 1

    def test_includes_deactivated_empresas(self, auth_client, crear_empresa):
        crear_empresa(estado=Empresa.Estado.INACTIVA)

        assert auth_client.get(LISTA).json()["count"] == 1

    def test_query_count_does_not_grow_with_rows(
        self, auth_client, crear_empresa, django_assert_num_queries
    ):
        for _ in range(5):
            crear_empresa()

        # One COUNT for the paginator, one SELECT for the page.
        with django_assert_num_queries(CONTROL_TRANSACCION + 2):
            respuesta = auth_client.get(LISTA)

        assert len(respuesta.json()["results"]) == 5

    @pytest.mark.parametrize(
        ("filtro", "valor", "esperada"),
        [
            ("estado", "INHABILITADA", "Inhabilitada"),
            ("departamento", "SANTA_CRUZ", "Cruceña"),
            ("tipo", "ASOCIACION_ACCIDENTAL", "Consorcio"),
        ],
    )
    def test_filters_by_choice_fields(
        self, auth_client, crear_empresa, filtro, valor, esperada
    ):
        crear_empresa(razon_social="Inhabilitada", estado="INHABILITADA")
        crear_empresa(razon_social="Cruceña", departamento="SANTA_CRUZ")
        crear_empresa(razon_social="Consorcio", tipo="ASOCIACION_ACCIDENTAL")

        respuesta = auth_client.get(LISTA, {filtro: valor})

        assert [e["razon_social"] for e in respuesta.json()["results"]] == [esperada]

    def test_unknown_filter_value_is_a_400_in_spanish(self, auth_client):
        respuesta = auth_client.get(LISTA, {"departamento": "LIMA"})

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"] == {
            "departamento": [
                "Escoja una opción válida. LIMA no es una de las opciones disponibles."
            ]
        }

    @pytest.mark.parametrize(
        ("termino", "esperadas"),
        [
            ("4455", ["Andina"]),
            ("constructora", ["Constructora Sur"]),
            ("SUR", ["Constructora Sur"]),
        ],
    )
    def test_search_matches_nit_and_razon_social(
        self, auth_client, crear_empresa, termino, esperadas
    ):
        crear_empresa(razon_social="Andina", nit="11445566")
        crear_empresa(razon_social="Constructora Sur", nit="99887766")

        respuesta = auth_client.get(LISTA, {"search": termino})

        assert [e["razon_social"] for e in respuesta.json()["results"]] == esperadas

    @pytest.mark.parametrize(
        ("orden", "esperadas"),
        [
            ("razon_social", ["Alfa", "Beta", "Gamma"]),
            ("-razon_social", ["Gamma", "Beta", "Alfa"]),
            ("-creado_en", ["Alfa", "Gamma", "Beta"]),
            ("nit", ["Alfa", "Beta", "Gamma"]),
        ],
    )
    def test_orders_by_the_requested_field(
        self, auth_client, crear_empresa, orden, esperadas
    ):
        crear_empresa(razon_social="Beta", nit="2")
        crear_empresa(razon_social="Gamma", nit="3")
        crear_empresa(razon_social="Alfa", nit="1")

        respuesta = auth_client.get(LISTA, {"ordering": orden})

        assert [e["razon_social"] for e in respuesta.json()["results"]] == esperadas


class TestExportarCsv:
    def test_exports_the_filtered_list_as_csv(self, auth_client, crear_empresa):
        crear_empresa(razon_social="Potosina", departamento="POTOSI", nit="41")
        crear_empresa(razon_social="Paceña", departamento="LA_PAZ", nit="42")

        respuesta = auth_client.get(LISTA, {"format": "csv", "departamento": "POTOSI"})

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta["Content-Type"] == "text/csv; charset=utf-8"
        assert respuesta["Content-Disposition"] == 'attachment; filename="empresas.csv"'
        filas = leer_csv(respuesta)
        assert [(f["nit"], f["razon_social"], f["departamento"]) for f in filas] == [
            ("41", "Potosina", "POTOSI")
        ]
        assert list(filas[0])[:3] == ["id", "nit", "razon_social"]

    def test_export_is_not_paginated(
        self, auth_client, crear_empresa, django_assert_num_queries
    ):
        total = settings.REST_FRAMEWORK["PAGE_SIZE"] + 3
        for _ in range(total):
            crear_empresa()

        # No COUNT: the export is one SELECT of every matching row.
        with django_assert_num_queries(CONTROL_TRANSACCION + 1):
            respuesta = auth_client.get(LISTA, {"format": "csv"})

        assert len(leer_csv(respuesta)) == total

    @pytest.mark.parametrize(
        ("cliente", "parametros", "esperado"),
        [
            ("api_client", {}, status.HTTP_401_UNAUTHORIZED),
            ("auth_client", {"estado": "NO_EXISTE"}, status.HTTP_400_BAD_REQUEST),
        ],
        ids=["sin_token", "filtro_invalido"],
    )
    def test_errors_of_an_export_are_the_shared_json_body(
        self, request, cliente, parametros, esperado
    ):
        respuesta = request.getfixturevalue(cliente).get(
            LISTA, {"format": "csv", **parametros}
        )

        assert respuesta.status_code == esperado
        assert respuesta["Content-Type"] == "application/json"
        assert set(respuesta.json()) >= {"codigo", "mensaje", "request_id"}

    def test_empty_export_still_has_its_header(self, auth_client):
        respuesta = auth_client.get(LISTA, {"format": "csv"})

        texto = respuesta.content.decode("utf-8").removeprefix("\ufeff")
        assert texto.startswith("id,nit,razon_social,sigla,tipo,")
        assert texto.count("\r\n") == 1

    def test_text_that_a_spreadsheet_would_run_is_neutralised(
        self, auth_client, crear_empresa
    ):
        crear_empresa(
            razon_social='=HYPERLINK("http://malo.example","x")',
            telefono="+591 2 2441122",
            sigla="@SUMA",
        )

        fila = leer_csv(auth_client.get(LISTA, {"format": "csv"}))[0]

        assert fila["razon_social"] == '\'=HYPERLINK("http://malo.example","x")'
        assert fila["sigla"] == "'@SUMA"
        assert fila["telefono"] == "+591 2 2441122"

    def test_only_the_list_is_offered_as_csv(self, auth_client, crear_empresa):
        empresa = crear_empresa()

        respuesta = auth_client.get(detalle(empresa.pk), HTTP_ACCEPT="text/csv")

        assert respuesta.status_code == status.HTTP_406_NOT_ACCEPTABLE
        assert respuesta.json()["codigo"] == "formato_no_aceptable"

    def test_export_requires_a_token(self, api_client):
        respuesta = api_client.get(LISTA, {"format": "csv"})

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED
        assert "Content-Disposition" not in respuesta


class TestAutenticacion:
    @pytest.mark.parametrize(
        ("metodo", "ruta"),
        [
            ("get", LISTA),
            ("post", LISTA),
            ("get", "/empresas/1/"),
            ("put", "/empresas/1/"),
            ("patch", "/empresas/1/"),
            ("delete", "/empresas/1/"),
        ],
    )
    def test_every_endpoint_requires_a_token(self, api_client, metodo, ruta):
        respuesta = getattr(api_client, metodo)(ruta, {}, format="json")

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED
        cuerpo = respuesta.json()
        assert cuerpo["codigo"] == "no_autenticado"
        assert (
            cuerpo["mensaje"] == "Las credenciales de autenticación no se proveyeron."
        )

    def test_token_signed_with_another_key_is_refused(
        self, api_client, token_for, tmp_path
    ):
        falso = token_for(private_key=other_private_key(tmp_path))
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {falso}")

        respuesta = api_client.get(LISTA)

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED
        assert respuesta.json()["codigo"] == "no_autenticado"

    def test_expired_token_is_refused(self, api_client, token_for):
        vencido = token_for(lifetime_seconds=-3600)
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {vencido}")

        respuesta = api_client.get(LISTA)

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED

    def test_token_for_another_audience_is_refused(self, api_client, token_for):
        ajeno = token_for(aud="otro-sistema")
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {ajeno}")

        respuesta = api_client.get(LISTA)

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED

    def test_valid_token_is_enough_without_any_user_row(self, auth_client):
        # Tokens are verified, never looked up: this database has no users.
        assert auth_client.get(LISTA).status_code == status.HTTP_200_OK


class TestRutasPublicas:
    @pytest.mark.parametrize("ruta", ["/empresas/health/", "/empresas/ready/"])
    def test_health_and_ready_need_no_token(self, api_client, ruta):
        respuesta = api_client.get(ruta)

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json() == {"estado": "ok", "servicio": "empresas"}

    def test_schema_is_public_and_documents_the_soft_delete(self, api_client):
        respuesta = api_client.get("/empresas/schema/", {"format": "json"})

        assert respuesta.status_code == status.HTTP_200_OK
        esquema = respuesta.json()
        assert esquema["info"]["title"] == "SAP · Empresas"
        baja = esquema["paths"]["/empresas/{id}/"]["delete"]
        assert "INACTIVA" in baja["description"]
        parametros = {
            p["name"] for p in esquema["paths"]["/empresas/"]["get"]["parameters"]
        }
        assert {"estado", "departamento", "tipo", "search", "ordering"} <= parametros
