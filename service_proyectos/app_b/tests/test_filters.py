import datetime

import pytest
from rest_framework import status

pytestmark = pytest.mark.django_db

LISTA = "/proyectos/"


def _codigos(cliente, **parametros) -> list[str]:
    respuesta = cliente.get(LISTA, parametros)
    assert respuesta.status_code == status.HTTP_200_OK, respuesta.content
    return [proyecto["codigo"] for proyecto in respuesta.json()["results"]]


@pytest.fixture
def variados(crear_proyecto):
    """Three proyectos that differ in every filtered field."""
    crear_proyecto(
        codigo="A-1",
        nombre="Hospital de tercer nivel",
        estado="EN_EJECUCION",
        fase="EJECUCION",
        sector="SALUD",
        empresa_id=1,
        departamento="LA_PAZ",
        municipio="El Alto",
        fecha_inicio=datetime.date(2026, 1, 10),
        fecha_fin_programada=datetime.date(2026, 6, 30),
    )
    crear_proyecto(
        codigo="B-2",
        nombre="Unidad educativa Warisata",
        estado="PROGRAMADO",
        fase="PREINVERSION",
        sector="EDUCACION",
        empresa_id=2,
        departamento="LA_PAZ",
        municipio="Achacachi",
        fecha_inicio=datetime.date(2026, 3, 1),
        fecha_fin_programada=datetime.date(2026, 12, 31),
    )
    crear_proyecto(
        codigo="C-3",
        nombre="Carretera Yacuiba - Villamontes",
        estado="PARALIZADO",
        fase="EJECUCION",
        sector="TRANSPORTE",
        empresa_id=2,
        departamento="TARIJA",
        municipio="Yacuiba",
        fecha_inicio=datetime.date(2026, 5, 15),
        fecha_fin_programada=datetime.date(2027, 5, 15),
    )


@pytest.mark.usefixtures("variados")
class TestFiltros:
    @pytest.mark.parametrize(
        ("parametros", "esperados"),
        [
            ({"estado": "PARALIZADO"}, ["C-3"]),
            ({"fase": "EJECUCION"}, ["A-1", "C-3"]),
            ({"sector": "EDUCACION"}, ["B-2"]),
            ({"empresa_id": "2"}, ["B-2", "C-3"]),
            ({"departamento": "LA_PAZ"}, ["A-1", "B-2"]),
            ({"municipio": "el alto"}, ["A-1"]),
            ({"fecha_inicio_desde": "2026-03-01"}, ["B-2", "C-3"]),
            ({"fecha_inicio_hasta": "2026-03-01"}, ["A-1", "B-2"]),
            (
                {
                    "fecha_inicio_desde": "2026-02-01",
                    "fecha_inicio_hasta": "2026-04-01",
                },
                ["B-2"],
            ),
            ({"fecha_fin_programada_desde": "2026-12-31"}, ["B-2", "C-3"]),
            ({"fecha_fin_programada_hasta": "2026-06-30"}, ["A-1"]),
            ({"departamento": "LA_PAZ", "fase": "EJECUCION"}, ["A-1"]),
        ],
    )
    def test_narrows_the_list(self, auth_client, parametros, esperados):
        assert _codigos(auth_client, **parametros) == esperados

    @pytest.mark.parametrize(
        ("termino", "esperados"),
        [("warisata", ["B-2"]), ("c-3", ["C-3"]), ("Ho", ["A-1"])],
    )
    def test_search_looks_at_codigo_and_nombre(self, auth_client, termino, esperados):
        assert _codigos(auth_client, search=termino) == esperados

    @pytest.mark.parametrize(
        ("orden", "esperados"),
        [
            ("-codigo", ["C-3", "B-2", "A-1"]),
            ("fecha_fin_programada", ["A-1", "B-2", "C-3"]),
            ("-fecha_inicio", ["C-3", "B-2", "A-1"]),
            ("nombre", ["C-3", "A-1", "B-2"]),
        ],
    )
    def test_ordering(self, auth_client, orden, esperados):
        assert _codigos(auth_client, ordering=orden) == esperados

    def test_an_unknown_ordering_field_keeps_the_default(self, auth_client):
        assert _codigos(auth_client, ordering="creado_por") == ["A-1", "B-2", "C-3"]

    @pytest.mark.parametrize(
        ("parametro", "valor"),
        [
            ("estado", "ARCHIVADO"),
            ("fecha_inicio_desde", "ayer"),
            ("empresa_id", "siete"),
        ],
    )
    def test_a_malformed_filter_is_a_400_naming_it(self, auth_client, parametro, valor):
        respuesta = auth_client.get(LISTA, {parametro: valor})

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert list(respuesta.json()["errores"]) == [parametro]
