import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError
from rest_framework.exceptions import ValidationError

from app_b.models import Proyecto
from app_b.services import proyecto_actualizar, proyecto_crear, proyecto_eliminar
from app_b.tests.conftest import EMPRESA_ACTIVA, no_disponible
from sap_common.errors import ServicioNoDisponible

pytestmark = pytest.mark.django_db

LLAMADA = {"authorization": "Bearer token-de-prueba", "request_id": "req-42"}


def _datos(**cambios) -> dict:
    """What the serializer hands over: Python values, not JSON text."""
    return {
        "codigo": "0004-00123-00",
        "nombre": "Puente Río Choqueyapu",
        "sector": "TRANSPORTE",
        "departamento": "LA_PAZ",
        "provincia": "Murillo",
        "municipio": "La Paz",
        "empresa_id": 7,
        "entidad_ejecutora": "GAM La Paz",
        "monto_total": Decimal("1500000.00"),
        "fuente_financiamiento": "TGN",
        "fase": "EJECUCION",
        "estado": "EN_EJECUCION",
        "fecha_inicio": datetime.date(2026, 2, 1),
        "fecha_fin_programada": datetime.date(2026, 12, 31),
    } | cambios


class TestProyectoCrear:
    def test_stores_the_proyecto_with_the_callers_username(self, empresas):
        proyecto = proyecto_crear(datos=_datos(), usuario="ana", **LLAMADA)

        guardado = Proyecto.objects.get(pk=proyecto.pk)
        assert guardado.codigo == "0004-00123-00"
        assert guardado.creado_por == guardado.actualizado_por == "ana"

    def test_asks_a_about_the_empresa_with_the_callers_credentials(self, empresas):
        proyecto_crear(datos=_datos(empresa_id=31), usuario="ana", **LLAMADA)

        assert empresas.llamadas == [{"id": 31, **LLAMADA}]

    @pytest.mark.parametrize(
        ("respuesta", "mensaje"),
        [
            (None, "La empresa indicada no existe."),
            (
                EMPRESA_ACTIVA | {"estado": "INACTIVA"},
                "La empresa indicada no está activa.",
            ),
            (
                EMPRESA_ACTIVA | {"estado": "INHABILITADA"},
                "La empresa indicada no está activa.",
            ),
        ],
        ids=["inexistente", "inactiva", "inhabilitada"],
    )
    def test_an_empresa_a_does_not_vouch_for_is_refused(
        self, empresas, respuesta, mensaje
    ):
        empresas.respuesta = respuesta

        with pytest.raises(ValidationError) as exc:
            proyecto_crear(datos=_datos(), usuario="ana", **LLAMADA)

        assert exc.value.detail == {"empresa_id": [mensaje]}
        assert not Proyecto.objects.exists()

    def test_a_unavailable_is_a_503_and_nothing_is_written(self, empresas):
        empresas.respuesta = no_disponible("empresas")

        with pytest.raises(ServicioNoDisponible) as exc:
            proyecto_crear(datos=_datos(), usuario="ana", **LLAMADA)

        assert "servicio de empresas no está disponible" in str(exc.value.detail)
        assert not Proyecto.objects.exists()

    def test_local_rules_are_checked_before_asking_a(self, empresas):
        datos = _datos(fecha_fin_programada=datetime.date(2026, 1, 1))

        with pytest.raises(ValidationError) as exc:
            proyecto_crear(datos=datos, usuario="ana", **LLAMADA)

        assert set(exc.value.detail) == {"fecha_fin_programada"}
        assert empresas.llamadas == []

    def test_only_the_write_runs_in_a_transaction_not_the_call_to_a(
        self, empresas, monkeypatch
    ):
        from django.db import connection
        from django.db.models.signals import pre_save

        base = len(connection.atomic_blocks)
        profundidad = {}

        def empresa_observada(empresa_id, **kwargs):
            profundidad["llamada_a_a"] = len(connection.atomic_blocks) - base
            return EMPRESA_ACTIVA

        def al_guardar(sender, **kwargs):
            profundidad["escritura"] = len(connection.atomic_blocks) - base

        monkeypatch.setattr("app_b.services.empresa_obtener", empresa_observada)
        pre_save.connect(al_guardar, sender=Proyecto)
        try:
            proyecto_crear(datos=_datos(), usuario="ana", **LLAMADA)
        finally:
            pre_save.disconnect(al_guardar, sender=Proyecto)

        assert profundidad == {"llamada_a_a": 0, "escritura": 1}

    def test_losing_the_race_for_a_codigo_is_a_400(self, empresas, monkeypatch):
        Proyecto.objects.create(
            **_datos(codigo="CARRERA"), creado_por="otro", actualizado_por="otro"
        )
        # Simulate the other request inserting between our check and our write.
        monkeypatch.setattr("app_b.services._validar", lambda proyecto: None)

        with pytest.raises(ValidationError) as exc:
            proyecto_crear(datos=_datos(codigo="CARRERA"), usuario="ana", **LLAMADA)

        assert exc.value.detail == {
            "codigo": ["Ya existe un proyecto con este código."]
        }
        assert Proyecto.objects.count() == 1

    def test_an_integrity_error_that_is_not_the_codigo_is_not_hidden(
        self, empresas, monkeypatch
    ):
        monkeypatch.setattr("app_b.services._validar", lambda proyecto: None)

        with pytest.raises(IntegrityError):
            proyecto_crear(
                datos=_datos(monto_total=Decimal("0")), usuario="ana", **LLAMADA
            )


class TestProyectoActualizar:
    def test_changing_the_empresa_asks_a_again(self, empresas, crear_proyecto):
        proyecto = crear_proyecto(empresa_id=7)

        proyecto_actualizar(
            proyecto=proyecto, datos={"empresa_id": 8}, usuario="luis", **LLAMADA
        )

        assert empresas.llamadas == [{"id": 8, **LLAMADA}]
        assert Proyecto.objects.get(pk=proyecto.pk).empresa_id == 8

    @pytest.mark.parametrize(
        "datos",
        [{"nombre": "Nuevo nombre"}, {"nombre": "Nuevo nombre", "empresa_id": 7}],
        ids=["sin_empresa", "misma_empresa"],
    )
    def test_keeping_the_empresa_does_not_ask_a(self, empresas, crear_proyecto, datos):
        empresas.respuesta = no_disponible("empresas")
        proyecto = crear_proyecto(empresa_id=7)

        proyecto_actualizar(proyecto=proyecto, datos=datos, usuario="luis", **LLAMADA)

        assert empresas.llamadas == []
        guardado = Proyecto.objects.get(pk=proyecto.pk)
        assert guardado.nombre == "Nuevo nombre"
        assert guardado.actualizado_por == "luis"
        assert guardado.creado_por == "semilla"

    def test_a_unavailable_leaves_the_stored_row_untouched(
        self, empresas, crear_proyecto
    ):
        empresas.respuesta = no_disponible("empresas")
        proyecto = crear_proyecto(empresa_id=7, nombre="Original")

        with pytest.raises(ServicioNoDisponible):
            proyecto_actualizar(
                proyecto=proyecto,
                datos={"empresa_id": 8, "nombre": "Cambiado"},
                usuario="luis",
                **LLAMADA,
            )

        guardado = Proyecto.objects.get(pk=proyecto.pk)
        assert (guardado.empresa_id, guardado.nombre) == (7, "Original")

    def test_dates_are_checked_on_the_merged_record(self, empresas, crear_proyecto):
        proyecto = crear_proyecto(fecha_inicio=datetime.date(2026, 3, 1))

        with pytest.raises(ValidationError) as exc:
            proyecto_actualizar(
                proyecto=proyecto,
                datos={"fecha_fin_real": datetime.date(2026, 2, 1)},
                usuario="luis",
                **LLAMADA,
            )

        assert set(exc.value.detail) == {"fecha_fin_real"}


def test_proyecto_eliminar_asks_c_then_removes_the_row(crear_proyecto, limites):
    proyecto_id = crear_proyecto().pk

    proyecto_eliminar(proyecto=Proyecto.objects.get(pk=proyecto_id), **LLAMADA)

    assert not Proyecto.objects.filter(pk=proyecto_id).exists()
    assert limites.llamadas == [{"id": proyecto_id, **LLAMADA}]


def test_proyecto_eliminar_of_a_proyecto_c_does_not_know_removes_it(
    crear_proyecto, limites
):
    limites.respuesta = None
    proyecto = crear_proyecto()

    proyecto_eliminar(proyecto=proyecto, **LLAMADA)

    assert not Proyecto.objects.filter(pk=proyecto.pk).exists()


def test_unreadable_limites_from_c_refuse_the_change_as_if_c_were_down(
    crear_proyecto, limites
):
    limites.respuesta = {"tiene_registros": True, "monto_programado": "mucho"}
    proyecto = crear_proyecto()

    with pytest.raises(ServicioNoDisponible):
        proyecto_actualizar(
            proyecto=proyecto,
            datos={"monto_total": Decimal("1.00")},
            usuario="ana",
            **LLAMADA,
        )

    proyecto.refresh_from_db()
    assert proyecto.monto_total == Decimal("250000.00")
