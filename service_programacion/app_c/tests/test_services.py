import threading
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.exceptions import APIException, NotFound, ValidationError

from app_c import services
from app_c.client_proyectos import ProyectoNoEncontrado, ProyectosNoDisponible
from app_c.indicadores import Marco
from app_c.models import ProgramacionMensual, ProgramacionVersion, Seguimiento
from app_c.services import (
    Conflicto,
    programacion_version_crear,
    seguimiento_actualizar,
    seguimiento_eliminar,
    seguimiento_registrar,
)
from app_c.tests.conftest import AUTORIZACION, mes_programado
from sap_common.errors import ServicioNoDisponible

pytestmark = pytest.mark.django_db


def _meses_de(version):
    return list(
        version.meses.values_list(
            "anio", "mes", "avance_fisico_programado", "monto_programado"
        )
    )


class TestProgramacionVersionCrear:
    def test_first_version_is_the_baseline_with_all_its_months(self, crear_version):
        version = crear_version(
            [mes_programado(mes=1, avance="40"), mes_programado(mes=2, avance="60")]
        )

        assert version.numero == 1
        assert version.creado_por == "planificadora"
        assert _meses_de(version) == [
            (2026, 1, Decimal("40.00"), Decimal("1000.00")),
            (2026, 2, Decimal("60.00"), Decimal("1000.00")),
        ]

    def test_reprogramacion_adds_a_version_and_keeps_the_baseline(self, crear_version):
        base = crear_version([mes_programado(mes=1, avance="100", monto="500")])

        nueva = crear_version(
            [
                mes_programado(mes=1, avance="30", monto="200"),
                mes_programado(mes=2, avance="70", monto="900"),
            ],
            motivo="Lluvias retrasaron la obra.",
        )

        assert nueva.numero == 2
        assert nueva.motivo == "Lluvias retrasaron la obra."
        base.refresh_from_db()
        assert base.numero == 1
        assert _meses_de(base) == [(2026, 1, Decimal("100.00"), Decimal("500.00"))]
        assert len(_meses_de(nueva)) == 2

    def test_numbers_are_counted_per_proyecto(self, crear_version):
        crear_version([mes_programado()])

        otro = crear_version([mes_programado()], proyecto=99)

        assert otro.numero == 1

    @pytest.mark.parametrize("motivo", ["", "   "])
    def test_reprogramacion_must_say_why(self, crear_version, motivo):
        crear_version([mes_programado()])

        with pytest.raises(ValidationError) as error:
            crear_version([mes_programado()], motivo=motivo)

        assert error.value.detail == {
            "motivo": ["Indique el motivo de la reprogramación."]
        }
        assert ProgramacionVersion.objects.count() == 1

    def test_a_month_repeated_in_the_request_names_meses(self, crear_version):
        with pytest.raises(ValidationError) as error:
            crear_version(
                [mes_programado(mes=3), mes_programado(mes=4), mes_programado(mes=3)]
            )

        assert error.value.detail == {
            "meses": [
                "El mes 2026-03 está repetido; cada mes va una sola vez por versión."
            ]
        }
        assert not ProgramacionVersion.objects.exists()

    def test_same_month_of_another_year_is_not_a_repeat(self, crear_version):
        version = crear_version(
            [mes_programado(anio=2026, mes=3), mes_programado(anio=2027, mes=3)]
        )

        assert version.meses.count() == 2

    def test_programmed_progress_over_100_is_refused(self, crear_version):
        with pytest.raises(ValidationError) as error:
            crear_version(
                [
                    mes_programado(mes=1, avance="60.00"),
                    mes_programado(mes=2, avance="40.01"),
                ]
            )

        assert error.value.detail == {
            "meses": [
                "El avance físico programado suma 100.01 %; no puede superar el 100 %."
            ]
        }
        assert not ProgramacionVersion.objects.exists()

    def test_programmed_progress_of_exactly_100_is_accepted(self, crear_version):
        version = crear_version(
            [mes_programado(mes=1, avance="60.00"), mes_programado(mes=2, avance="40")]
        )

        assert version.meses.count() == 2

    def test_a_failing_month_leaves_no_version_behind(self, crear_version):
        # Past the validation, the database refuses month 13: the version
        # saved just before it must disappear with it.
        with pytest.raises(IntegrityError):
            programacion_version_crear(
                proyecto_id=15,
                meses=[mes_programado(mes=1), mes_programado(mes=13)],
                creado_por="x",
                authorization=AUTORIZACION,
            )

        assert not ProgramacionVersion.objects.exists()
        assert not ProgramacionMensual.objects.exists()

    def test_a_number_taken_meanwhile_is_a_conflict_and_writes_nothing(
        self, crear_version, monkeypatch
    ):
        crear_version([mes_programado()])
        # As if another request had stored version 1 after this one read.
        monkeypatch.setattr(services, "_siguiente_numero", lambda proyecto_id: 1)

        with pytest.raises(Conflicto) as error:
            crear_version([mes_programado(mes=5)], motivo="Ajuste")

        assert error.value.status_code == 409
        assert "Otra reprogramación de este proyecto" in str(error.value.detail)
        assert ProgramacionVersion.objects.count() == 1
        assert ProgramacionMensual.objects.count() == 1


class TestSeguimientoRegistrar:
    def test_records_the_month_and_who_reported_it(self, registrar_seguimiento):
        seguimiento = registrar_seguimiento(mes=2, avance="12.5", monto="300")

        seguimiento.refresh_from_db()
        assert (seguimiento.anio, seguimiento.mes) == (2026, 2)
        assert seguimiento.avance_fisico_real == Decimal("12.50")
        assert seguimiento.monto_ejecutado == Decimal("300.00")
        assert seguimiento.registrado_por == "supervisor"

    def test_second_report_of_a_month_names_mes(self, registrar_seguimiento):
        registrar_seguimiento(mes=4)

        with pytest.raises(ValidationError) as error:
            registrar_seguimiento(mes=4)

        assert error.value.detail == {
            "mes": ["Ya existe un seguimiento de 2026-04 para este proyecto."]
        }
        assert Seguimiento.objects.count() == 1

    def test_real_progress_of_the_proyecto_cannot_pass_100(self, registrar_seguimiento):
        registrar_seguimiento(mes=1, avance="70")
        registrar_seguimiento(mes=2, avance="25")

        with pytest.raises(ValidationError) as error:
            registrar_seguimiento(mes=3, avance="5.01")

        assert error.value.detail == {
            "avance_fisico_real": [
                "Con este mes el avance físico real acumulado del proyecto sería "
                "100.01 %; no puede superar el 100 %."
            ]
        }
        assert Seguimiento.objects.count() == 2

    def test_a_month_that_has_not_begun_names_mes(
        self, registrar_seguimiento, hoy_de_servicios
    ):
        hoy_de_servicios.fecha = date(2026, 12, 4)

        with pytest.raises(ValidationError) as error:
            registrar_seguimiento(anio=2027, mes=1)

        assert error.value.detail == {
            "mes": [
                "El mes 2027-01 aún no ha comenzado: su avance no puede "
                "registrarse todavía."
            ]
        }
        assert not Seguimiento.objects.exists()

    def test_a_cut_off_after_today_names_fecha_corte(
        self, registrar_seguimiento, hoy_de_servicios
    ):
        hoy_de_servicios.fecha = date(2026, 12, 4)

        with pytest.raises(ValidationError) as error:
            registrar_seguimiento(mes=12)  # cut off on the 28th

        assert error.value.detail == {
            "fecha_corte": [
                "La fecha de corte no puede ser posterior a hoy (2026-12-04)."
            ]
        }

    def test_the_current_month_may_be_reported_up_to_today(
        self, proyecto_id, hoy_de_servicios
    ):
        hoy_de_servicios.fecha = date(2026, 12, 4)

        seguimiento = seguimiento_registrar(
            proyecto_id=proyecto_id,
            anio=2026,
            mes=12,
            avance_fisico_real=Decimal("5"),
            monto_ejecutado=Decimal("100"),
            fecha_corte=date(2026, 12, 4),
            registrado_por="supervisor",
            authorization=AUTORIZACION,
        )

        assert seguimiento.pk is not None

    def test_real_progress_may_reach_exactly_100(self, registrar_seguimiento):
        registrar_seguimiento(mes=1, avance="70")

        registrar_seguimiento(mes=2, avance="30")

        assert Seguimiento.objects.count() == 2

    def test_other_proyectos_do_not_count_towards_the_ceiling(
        self, registrar_seguimiento
    ):
        registrar_seguimiento(mes=1, avance="90", proyecto=99)

        registrar_seguimiento(mes=1, avance="90")

        assert Seguimiento.objects.count() == 2

    def test_a_cut_off_before_the_month_reported_names_fecha_corte(self, proyecto_id):
        with pytest.raises(ValidationError) as error:
            seguimiento_registrar(
                proyecto_id=proyecto_id,
                anio=2026,
                mes=3,
                avance_fisico_real=Decimal("5"),
                monto_ejecutado=Decimal("10"),
                fecha_corte=date(2026, 2, 28),
                registrado_por="supervisor",
                authorization=AUTORIZACION,
            )

        assert error.value.detail == {
            "fecha_corte": [
                "La fecha de corte no puede ser anterior al inicio del mes "
                "informado (2026-03)."
            ]
        }
        assert not Seguimiento.objects.exists()


class TestSeguimientoActualizar:
    def test_a_month_does_not_count_against_itself(self, registrar_seguimiento):
        seguimiento = registrar_seguimiento(mes=1, avance="80")

        seguimiento_actualizar(
            seguimiento=seguimiento,
            datos={"avance_fisico_real": Decimal("100")},
            registrado_por="correctora",
            authorization=AUTORIZACION,
        )

        seguimiento.refresh_from_db()
        assert seguimiento.avance_fisico_real == Decimal("100.00")
        assert seguimiento.registrado_por == "correctora"

    def test_raising_a_month_past_the_ceiling_changes_nothing(
        self, registrar_seguimiento
    ):
        registrar_seguimiento(mes=1, avance="60")
        seguimiento = registrar_seguimiento(mes=2, avance="30")

        with pytest.raises(ValidationError) as error:
            seguimiento_actualizar(
                seguimiento=seguimiento,
                datos={"avance_fisico_real": Decimal("41")},
                registrado_por="correctora",
                authorization=AUTORIZACION,
            )

        assert error.value.detail == {
            "avance_fisico_real": [
                "Con este mes el avance físico real acumulado del proyecto sería "
                "101.00 %; no puede superar el 100 %."
            ]
        }
        seguimiento.refresh_from_db()
        assert seguimiento.avance_fisico_real == Decimal("30.00")
        assert seguimiento.registrado_por == "supervisor"

    def test_moving_to_a_month_already_reported_names_mes(self, registrar_seguimiento):
        registrar_seguimiento(mes=1)
        seguimiento = registrar_seguimiento(mes=2)

        with pytest.raises(ValidationError) as error:
            seguimiento_actualizar(
                seguimiento=seguimiento,
                datos={"mes": 1},
                registrado_por="x",
                authorization=AUTORIZACION,
            )

        assert error.value.detail == {
            "mes": ["Ya existe un seguimiento de 2026-01 para este proyecto."]
        }

    def test_fields_not_sent_keep_their_values(self, registrar_seguimiento):
        seguimiento = registrar_seguimiento(mes=3, avance="15", monto="700")

        seguimiento_actualizar(
            seguimiento=seguimiento,
            datos={"observaciones": "Cifras revisadas."},
            registrado_por="x",
            authorization=AUTORIZACION,
        )

        seguimiento.refresh_from_db()
        assert seguimiento.observaciones == "Cifras revisadas."
        assert seguimiento.avance_fisico_real == Decimal("15.00")
        assert seguimiento.monto_ejecutado == Decimal("700.00")
        assert seguimiento.fecha_corte == date(2026, 3, 28)


def test_seguimiento_eliminar_removes_only_that_month(registrar_seguimiento):
    primero = registrar_seguimiento(mes=1)
    segundo = registrar_seguimiento(mes=2)

    seguimiento_eliminar(seguimiento=primero)

    assert list(Seguimiento.objects.values_list("pk", flat=True)) == [segundo.pk]


def _hay_una_espera_de_bloqueo() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


def _carrera(primera, segunda) -> list:
    """Run ``segunda`` while ``primera``'s transaction is still open.

    Returns each one's result or refusal, in order. The first writer waits
    with its transaction open until the second one either finished or is
    waiting for a lock; only then does the first one commit.
    """
    resultados = [None, None]
    escrita = threading.Event()
    confirmar = threading.Event()

    def correr(indice, funcion, antes_de_confirmar):
        try:
            with transaction.atomic():
                resultados[indice] = funcion()
                antes_de_confirmar()
        except APIException as exc:
            resultados[indice] = exc
        finally:
            connection.close()

    def esperar_señal():
        escrita.set()
        confirmar.wait(timeout=10)

    hilo_a = threading.Thread(target=correr, args=(0, primera, esperar_señal))
    hilo_a.start()
    assert escrita.wait(timeout=10)

    hilo_b = threading.Thread(target=correr, args=(1, segunda, lambda: None))
    hilo_b.start()
    limite = time.monotonic() + 10
    while (
        hilo_b.is_alive()
        and not _hay_una_espera_de_bloqueo()
        and time.monotonic() < limite
    ):
        hilo_b.join(timeout=0.01)
    confirmar.set()
    hilo_a.join(timeout=10)
    hilo_b.join(timeout=10)
    return resultados


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the lock is PostgreSQL's"
)
class TestConcurrentWrites:
    def test_two_new_versions_at_once_get_consecutive_numbers(self):
        def nueva(motivo):
            return lambda: programacion_version_crear(
                proyecto_id=15,
                meses=[mes_programado()],
                motivo=motivo,
                creado_por="x",
                authorization=AUTORIZACION,
            )

        primera, segunda = _carrera(nueva("base"), nueva("ajuste"))

        assert isinstance(primera, ProgramacionVersion)
        assert isinstance(segunda, ProgramacionVersion)
        assert (primera.numero, segunda.numero) == (1, 2)

    def test_two_months_at_once_cannot_together_pass_100(self):
        def reportar(mes):
            return lambda: seguimiento_registrar(
                proyecto_id=15,
                anio=2026,
                mes=mes,
                avance_fisico_real=Decimal("60"),
                monto_ejecutado=Decimal("1"),
                fecha_corte=date(2026, mes, 1),
                registrado_por="x",
                authorization=AUTORIZACION,
            )

        primera, segunda = _carrera(reportar(1), reportar(2))

        assert isinstance(primera, Seguimiento)
        assert isinstance(segunda, ValidationError)
        assert list(segunda.detail) == ["avance_fisico_real"]
        assert Seguimiento.objects.count() == 1


MENSAJE_B_NO_DISPONIBLE = (
    "El servicio de proyectos no está disponible y no se pudo validar la "
    "operación con los datos del proyecto; no se guardó ningún cambio. "
    "Intente nuevamente en unos momentos."
)


@pytest.fixture
def marco_chico(proyectos_b):
    """B's proyecto: February to December 2026, 1000.00 in total."""
    proyectos_b.marco = Marco(
        monto_total=Decimal("1000.00"),
        fecha_inicio=date(2026, 2, 10),
        fecha_fin_programada=date(2026, 12, 31),
        estado="EN_EJECUCION",
    )
    return proyectos_b.marco


def _fuera_de_plazo(periodo, desde="2026-02", hasta="2026-12"):
    return f"El mes {periodo} está fuera del plazo del proyecto ({desde} a {hasta})."


class TestVersionContraElMarco:
    @pytest.mark.parametrize(
        ("anio", "mes", "periodo"), [(2026, 1, "2026-01"), (2027, 1, "2027-01")]
    )
    def test_a_month_outside_the_proyectos_dates_names_meses(
        self, crear_version, marco_chico, anio, mes, periodo
    ):
        with pytest.raises(ValidationError) as error:
            crear_version(
                [mes_programado(mes=6), mes_programado(anio=anio, mes=mes, monto="1")]
            )

        assert error.value.detail == {"meses": [_fuera_de_plazo(periodo)]}
        assert not ProgramacionVersion.objects.exists()

    def test_the_first_and_last_months_count_whole(self, crear_version, marco_chico):
        # Work starts on 10 February and ends on 31 December.
        version = crear_version(
            [
                mes_programado(mes=2, monto="1"),
                mes_programado(mes=12, monto="1"),
            ]
        )

        assert version.meses.count() == 2

    def test_the_real_end_bounds_the_months_once_known(
        self, crear_version, proyectos_b, marco_chico
    ):
        proyectos_b.marco = replace(marco_chico, fecha_fin_real=date(2026, 10, 15))

        with pytest.raises(ValidationError) as error:
            crear_version([mes_programado(mes=11, monto="1")])

        assert error.value.detail == {
            "meses": [_fuera_de_plazo("2026-11", hasta="2026-10")]
        }

    def test_a_real_end_after_the_planned_one_allows_its_months(
        self, crear_version, proyectos_b, marco_chico
    ):
        proyectos_b.marco = replace(marco_chico, fecha_fin_real=date(2027, 2, 3))

        version = crear_version([mes_programado(anio=2027, mes=2, monto="1")])

        assert version.numero == 1

    def test_planned_amounts_past_monto_total_name_meses(
        self, crear_version, marco_chico
    ):
        with pytest.raises(ValidationError) as error:
            crear_version(
                [
                    mes_programado(mes=3, monto="600.00"),
                    mes_programado(mes=4, monto="400.01"),
                ]
            )

        assert error.value.detail == {
            "meses": [
                "El monto programado suma 1000.01; no puede superar el monto "
                "total del proyecto (1000.00)."
            ]
        }
        assert not ProgramacionVersion.objects.exists()

    def test_planned_amounts_may_reach_monto_total(self, crear_version, marco_chico):
        version = crear_version(
            [mes_programado(mes=3, monto="600"), mes_programado(mes=4, monto="400")]
        )

        assert version.meses.count() == 2

    def test_each_version_is_measured_on_its_own(self, crear_version, marco_chico):
        crear_version([mes_programado(mes=3, monto="1000")])

        nueva = crear_version([mes_programado(mes=4, monto="1000")], motivo="Ajuste")

        assert nueva.numero == 2

    def test_asks_b_with_the_callers_token(self, crear_version, proyectos_b):
        crear_version([mes_programado()])

        assert proyectos_b.llamadas == [(15, AUTORIZACION)]

    def test_a_request_wrong_on_its_own_does_not_ask_b(
        self, crear_version, proyectos_b
    ):
        with pytest.raises(ValidationError):
            crear_version([mes_programado(mes=3), mes_programado(mes=3)])

        assert proyectos_b.llamadas == []

    def test_a_proyecto_b_does_not_know_is_not_found_and_writes_nothing(
        self, crear_version, proyectos_b
    ):
        proyectos_b.error = ProyectoNoEncontrado()

        with pytest.raises(NotFound) as error:
            crear_version([mes_programado()])

        assert error.value.detail == "El proyecto no existe."
        assert not ProgramacionVersion.objects.exists()

    def test_b_unavailable_is_503_and_writes_nothing(self, crear_version, proyectos_b):
        crear_version([mes_programado()])
        proyectos_b.error = ProyectosNoDisponible("transport")

        with pytest.raises(ServicioNoDisponible) as error:
            crear_version([mes_programado(mes=2)], motivo="Ajuste")

        assert error.value.status_code == 503
        assert error.value.detail == MENSAJE_B_NO_DISPONIBLE
        assert ProgramacionVersion.objects.count() == 1
        assert ProgramacionMensual.objects.count() == 1


class TestSeguimientoContraElMarco:
    @pytest.mark.parametrize(
        ("anio", "mes", "periodo"), [(2026, 1, "2026-01"), (2027, 1, "2027-01")]
    )
    def test_a_month_outside_the_proyectos_dates_names_mes(
        self, registrar_seguimiento, marco_chico, anio, mes, periodo
    ):
        with pytest.raises(ValidationError) as error:
            registrar_seguimiento(anio=anio, mes=mes, monto="1")

        assert error.value.detail == {"mes": [_fuera_de_plazo(periodo)]}
        assert not Seguimiento.objects.exists()

    def test_executed_amounts_past_monto_total_name_monto_ejecutado(
        self, registrar_seguimiento, marco_chico
    ):
        registrar_seguimiento(mes=2, monto="600")
        registrar_seguimiento(mes=3, monto="399.99", proyecto=99)

        with pytest.raises(ValidationError) as error:
            registrar_seguimiento(mes=3, monto="400.01")

        assert error.value.detail == {
            "monto_ejecutado": [
                "Con este mes el monto ejecutado acumulado del proyecto sería "
                "1000.01; no puede superar el monto total del proyecto (1000.00)."
            ]
        }
        assert Seguimiento.objects.filter(proyecto_id=15).count() == 1

    def test_executed_amounts_may_reach_monto_total(
        self, registrar_seguimiento, marco_chico
    ):
        registrar_seguimiento(mes=2, monto="600")

        registrar_seguimiento(mes=3, monto="400")

        assert Seguimiento.objects.count() == 2

    def test_a_proyecto_b_does_not_know_is_not_found(
        self, registrar_seguimiento, proyectos_b
    ):
        proyectos_b.error = ProyectoNoEncontrado()

        with pytest.raises(NotFound):
            registrar_seguimiento()

        assert not Seguimiento.objects.exists()

    def test_b_unavailable_is_503_and_writes_nothing(
        self, registrar_seguimiento, proyectos_b
    ):
        proyectos_b.error = ProyectosNoDisponible("http_502")

        with pytest.raises(ServicioNoDisponible) as error:
            registrar_seguimiento()

        assert error.value.detail == MENSAJE_B_NO_DISPONIBLE
        assert not Seguimiento.objects.exists()


class TestActualizacionContraElMarco:
    def _actualizar(self, seguimiento, **datos):
        return seguimiento_actualizar(
            seguimiento=seguimiento,
            datos=datos,
            registrado_por="correctora",
            authorization=AUTORIZACION,
        )

    def test_raising_the_amount_past_monto_total_changes_nothing(
        self, registrar_seguimiento, marco_chico
    ):
        registrar_seguimiento(mes=2, monto="700")
        seguimiento = registrar_seguimiento(mes=3, monto="300")

        with pytest.raises(ValidationError) as error:
            self._actualizar(seguimiento, monto_ejecutado=Decimal("300.50"))

        assert error.value.detail == {
            "monto_ejecutado": [
                "Con este mes el monto ejecutado acumulado del proyecto sería "
                "1000.50; no puede superar el monto total del proyecto (1000.00)."
            ]
        }
        seguimiento.refresh_from_db()
        assert seguimiento.monto_ejecutado == Decimal("300.00")

    def test_a_month_does_not_count_its_old_amount(
        self, registrar_seguimiento, marco_chico
    ):
        seguimiento = registrar_seguimiento(mes=2, monto="900")

        self._actualizar(seguimiento, monto_ejecutado=Decimal("1000"))

        seguimiento.refresh_from_db()
        assert seguimiento.monto_ejecutado == Decimal("1000.00")

    def test_moving_a_month_outside_the_dates_names_mes(
        self, registrar_seguimiento, marco_chico
    ):
        seguimiento = registrar_seguimiento(mes=2, monto="1")

        with pytest.raises(ValidationError) as error:
            self._actualizar(seguimiento, anio=2027)

        assert error.value.detail == {"mes": [_fuera_de_plazo("2027-02")]}
        seguimiento.refresh_from_db()
        assert seguimiento.anio == 2026

    @pytest.mark.parametrize(
        "datos",
        [
            {"observaciones": "Cifras revisadas."},
            {"avance_fisico_real": Decimal("12")},
            # A PUT repeats the month and the amount unchanged.
            {"anio": 2026, "mes": 2, "monto_ejecutado": Decimal("5")},
        ],
    )
    def test_a_change_the_marco_cannot_refuse_needs_no_b(
        self, registrar_seguimiento, proyectos_b, datos
    ):
        seguimiento = registrar_seguimiento(mes=2, monto="5")
        proyectos_b.llamadas.clear()
        proyectos_b.error = ProyectosNoDisponible("transport")

        self._actualizar(seguimiento, **datos)

        assert proyectos_b.llamadas == []
        seguimiento.refresh_from_db()
        assert seguimiento.registrado_por == "correctora"

    @pytest.mark.parametrize(
        "datos", [{"mes": 3}, {"anio": 2027}, {"monto_ejecutado": Decimal("6")}]
    )
    def test_b_unavailable_when_month_or_amount_change_is_503_and_changes_nothing(
        self, registrar_seguimiento, proyectos_b, datos
    ):
        seguimiento = registrar_seguimiento(mes=2, monto="5")
        proyectos_b.error = ProyectosNoDisponible("transport")

        with pytest.raises(ServicioNoDisponible):
            self._actualizar(seguimiento, **datos)

        seguimiento.refresh_from_db()
        assert (seguimiento.anio, seguimiento.mes) == (2026, 2)
        assert seguimiento.monto_ejecutado == Decimal("5.00")
        assert seguimiento.registrado_por == "supervisor"
