from datetime import date
from decimal import Decimal

import pytest

from app_c.indicadores import Marco
from app_c.selectors import (
    programacion_limites_obtener,
    programacion_resumen_obtener,
    programacion_versiones_listar,
    seguimiento_listar,
)
from app_c.tests.conftest import mes_programado

pytestmark = pytest.mark.django_db


@pytest.fixture
def proyecto_con_historia(crear_version, registrar_seguimiento):
    """A small proyecto whose figures are worked out by hand below.

    Baseline (v1): Jan 50 % / 1000, Feb 50 % / 2000.
    Reprogramación (v2, vigente): Jan 20 % / 1000.00, Feb 25 % / 1500.50,
    Mar 25 % / 2500, Apr 20 % / 2000  ->  90.00 % and 7000.50.
    Seguimiento: Jan 18.5 % / 900, Feb 20 % / 1250.25, May 5 % / 100
    (May lies outside the plan)  ->  43.50 % and 2250.25.
    Another proyecto's rows must not leak into any figure.
    """
    crear_version(
        [
            mes_programado(mes=1, avance="50", monto="1000"),
            mes_programado(mes=2, avance="50", monto="2000"),
        ]
    )
    crear_version(
        [
            mes_programado(mes=4, avance="20", monto="2000"),
            mes_programado(mes=1, avance="20", monto="1000.00"),
            mes_programado(mes=3, avance="25", monto="2500"),
            mes_programado(mes=2, avance="25", monto="1500.50"),
        ],
        motivo="Retraso en la licitación.",
    )
    registrar_seguimiento(mes=5, avance="5", monto="100")
    registrar_seguimiento(mes=1, avance="18.5", monto="900")
    registrar_seguimiento(mes=2, avance="20", monto="1250.25")
    crear_version([mes_programado(mes=1, avance="99", monto="99999")], proyecto=99)
    registrar_seguimiento(mes=1, avance="99", monto="99999", proyecto=99)


CLAVES_DERIVADAS = {"indicadores", "curva_s", "semaforo"}


def _sin_derivados(resumen):
    """The summary's stored-data part; the derived figures have their own tests."""
    assert set(resumen) >= CLAVES_DERIVADAS
    return {k: v for k, v in resumen.items() if k not in CLAVES_DERIVADAS}


def _mes(mes, programado, real, monto_programado, monto_ejecutado):
    def decimal(valor):
        return None if valor is None else Decimal(valor)

    return {
        "anio": 2026,
        "mes": mes,
        "avance_fisico_programado": decimal(programado),
        "avance_fisico_real": decimal(real),
        "monto_programado": decimal(monto_programado),
        "monto_ejecutado": decimal(monto_ejecutado),
    }


class TestProgramacionResumenObtener:
    def test_compares_the_vigente_plan_with_what_was_done(
        self, proyecto_con_historia, proyecto_id
    ):
        resumen = programacion_resumen_obtener(proyecto_id=proyecto_id)

        assert _sin_derivados(resumen) == {
            "proyecto_id": proyecto_id,
            "version_vigente": 2,
            "avance_fisico": {
                "programado": Decimal("90.00"),
                "real": Decimal("43.50"),
            },
            "avance_financiero": {
                "programado": Decimal("7000.50"),
                "ejecutado": Decimal("2250.25"),
            },
            "meses": [
                _mes(1, "20", "18.5", "1000", "900"),
                _mes(2, "25", "20", "1500.50", "1250.25"),
                _mes(3, "25", None, "2500", None),
                _mes(4, "20", None, "2000", None),
                _mes(5, None, "5", None, "100"),
            ],
        }

    def test_a_proyecto_without_data_has_zeros_and_no_months(self):
        resumen = programacion_resumen_obtener(proyecto_id=404)

        assert _sin_derivados(resumen) == {
            "proyecto_id": 404,
            "version_vigente": None,
            "avance_fisico": {"programado": Decimal("0"), "real": Decimal("0")},
            "avance_financiero": {
                "programado": Decimal("0"),
                "ejecutado": Decimal("0"),
            },
            "meses": [],
        }

    def test_seguimiento_without_a_plan_still_counts(
        self, registrar_seguimiento, proyecto_id
    ):
        registrar_seguimiento(mes=6, avance="7.25", monto="10")

        resumen = programacion_resumen_obtener(proyecto_id=proyecto_id)

        assert resumen["version_vigente"] is None
        assert resumen["avance_fisico"]["real"] == Decimal("7.25")
        assert resumen["meses"] == [_mes(6, None, "7.25", None, "10")]

    def test_derives_the_figures_from_the_marco_and_today(
        self, proyecto_con_historia, proyecto_id, proyectos_b
    ):
        marco = Marco(
            monto_total=Decimal("10000.00"),
            fecha_inicio=date(2026, 1, 1),
            fecha_fin_programada=date(2026, 12, 31),
            estado="EN_EJECUCION",
        )
        proyectos_b.llamadas.clear()

        resumen = programacion_resumen_obtener(
            proyecto_id=proyecto_id, marco=marco, hoy=date(2026, 6, 10)
        )

        indicadores = resumen["indicadores"]
        # The report of May, outside the plan, is the latest: the corte.
        assert indicadores["corte"] == {"anio": 2026, "mes": 5}
        # Plan in force (v2) to May: 20 + 25 + 25 + 20; done: 18.5 + 20 + 5.
        assert indicadores["fisico_programado"] == Decimal("90.00")
        assert indicadores["fisico_real"] == Decimal("43.50")
        # 4,350 / 9,000 = 0.483
        assert indicadores["spi"] == Decimal("0.48")
        assert resumen["semaforo"] == "ROJO"
        assert [(m["anio"], m["mes"]) for m in resumen["curva_s"]] == [
            (2026, mes) for mes in range(1, 6)
        ]
        assert proyectos_b.llamadas == []

    def test_without_a_marco_asks_b_with_the_callers_token(
        self, proyecto_id, proyectos_b
    ):
        programacion_resumen_obtener(
            proyecto_id=proyecto_id, authorization="Bearer abc"
        )

        assert proyectos_b.llamadas == [(proyecto_id, "Bearer abc")]

    @pytest.mark.parametrize(
        ("verde", "amarillo", "color"),
        [(0.95, 0.85, "ROJO"), (0.50, 0.40, "AMARILLO"), (0.45, 0.40, "VERDE")],
    )
    def test_semaforo_thresholds_come_from_settings(
        self, proyecto_con_historia, proyecto_id, settings, verde, amarillo, color
    ):
        settings.SEMAFORO_VERDE_MIN = verde
        settings.SEMAFORO_AMARILLO_MIN = amarillo

        resumen = programacion_resumen_obtener(
            proyecto_id=proyecto_id, hoy=date(2026, 6, 10)
        )

        # SPI 0.48, as above.
        assert resumen["semaforo"] == color

    @pytest.mark.parametrize("meses", [1, 24])
    def test_costs_four_queries_whatever_the_size(
        self,
        crear_version,
        registrar_seguimiento,
        proyecto_id,
        django_assert_num_queries,
        meses,
    ):
        plan = [
            mes_programado(anio=2026 + i // 12, mes=i % 12 + 1, avance="1")
            for i in range(meses)
        ]
        crear_version(plan)
        crear_version(plan, motivo="Otra vez")
        for i in range(min(meses, 12)):
            registrar_seguimiento(mes=i + 1, avance="1")

        with django_assert_num_queries(4):
            resumen = programacion_resumen_obtener(proyecto_id=proyecto_id)

        assert len(resumen["meses"]) == meses

    def test_costs_three_queries_when_there_is_no_plan(self, django_assert_num_queries):
        with django_assert_num_queries(3):
            programacion_resumen_obtener(proyecto_id=404)


class TestProgramacionLimitesObtener:
    def test_limites_cover_the_vigente_plan_and_every_seguimiento(
        self, proyecto_con_historia, proyecto_id
    ):
        limites = programacion_limites_obtener(proyecto_id=proyecto_id)

        # v2 plans January to April; May was reported outside the plan.
        assert limites == {
            "proyecto_id": proyecto_id,
            "tiene_registros": True,
            "primer_periodo": "2026-01",
            "ultimo_periodo": "2026-05",
            "monto_programado": Decimal("7000.50"),
            "monto_ejecutado": Decimal("2250.25"),
        }

    def test_earlier_versions_bind_neither_the_periods_nor_the_amount(
        self, crear_version, proyecto_id
    ):
        crear_version(
            [mes_programado(mes=m, avance="5", monto="1000") for m in range(1, 13)]
        )
        crear_version(
            [
                mes_programado(anio=2027, mes=2, monto="400"),
                mes_programado(anio=2026, mes=11, monto="100"),
                mes_programado(anio=2027, mes=1, monto="300"),
                mes_programado(anio=2026, mes=12, monto="200"),
            ],
            motivo="Inicio postergado.",
        )

        limites = programacion_limites_obtener(proyecto_id=proyecto_id)

        # The baseline's January 2026 and its 12,000 are history, not limits;
        # November 2026 comes before January 2027 although its month is larger.
        assert limites["tiene_registros"] is True
        assert (limites["primer_periodo"], limites["ultimo_periodo"]) == (
            "2026-11",
            "2027-02",
        )
        assert limites["monto_programado"] == Decimal("1000.00")
        assert limites["monto_ejecutado"] == Decimal("0")

    def test_seguimiento_without_a_plan_is_a_record_and_sets_the_periods(
        self, registrar_seguimiento, proyecto_id
    ):
        registrar_seguimiento(anio=2027, mes=1, monto="20.50")
        registrar_seguimiento(anio=2026, mes=12, monto="10")

        limites = programacion_limites_obtener(proyecto_id=proyecto_id)

        assert limites == {
            "proyecto_id": proyecto_id,
            "tiene_registros": True,
            "primer_periodo": "2026-12",
            "ultimo_periodo": "2027-01",
            "monto_programado": Decimal("0"),
            "monto_ejecutado": Decimal("30.50"),
        }

    def test_a_proyecto_without_data_has_no_records_no_periods_and_zeros(
        self, proyecto_con_historia
    ):
        limites = programacion_limites_obtener(proyecto_id=404)

        assert limites == {
            "proyecto_id": 404,
            "tiene_registros": False,
            "primer_periodo": None,
            "ultimo_periodo": None,
            "monto_programado": Decimal("0"),
            "monto_ejecutado": Decimal("0"),
        }

    def test_never_asks_service_proyectos(
        self, proyecto_con_historia, proyecto_id, proyectos_b
    ):
        proyectos_b.llamadas.clear()

        programacion_limites_obtener(proyecto_id=proyecto_id)

        assert proyectos_b.llamadas == []

    @pytest.mark.parametrize("meses", [0, 1, 24])
    def test_costs_two_queries_whatever_the_size(
        self,
        crear_version,
        registrar_seguimiento,
        proyecto_id,
        django_assert_num_queries,
        meses,
    ):
        plan = [
            mes_programado(anio=2026 + i // 12, mes=i % 12 + 1, avance="1")
            for i in range(meses)
        ]
        if plan:
            crear_version(plan)
            crear_version(plan, motivo="Otra vez")
        for i in range(min(meses, 12)):
            registrar_seguimiento(mes=i + 1, avance="1")

        with django_assert_num_queries(2):
            limites = programacion_limites_obtener(proyecto_id=proyecto_id)

        assert limites["tiene_registros"] is (meses > 0)


class TestListados:
    def test_versions_come_baseline_first_with_months_in_order(
        self, proyecto_con_historia, proyecto_id, django_assert_num_queries
    ):
        with django_assert_num_queries(2):
            versiones = [
                (v.numero, [(m.anio, m.mes) for m in v.meses.all()])
                for v in programacion_versiones_listar(proyecto_id=proyecto_id)
            ]

        assert versiones == [
            (1, [(2026, 1), (2026, 2)]),
            (2, [(2026, 1), (2026, 2), (2026, 3), (2026, 4)]),
        ]

    def test_seguimiento_comes_in_calendar_order(
        self, registrar_seguimiento, proyecto_id
    ):
        registrar_seguimiento(anio=2027, mes=1)
        registrar_seguimiento(anio=2026, mes=12)
        registrar_seguimiento(anio=2026, mes=2)

        periodos = [
            (s.anio, s.mes) for s in seguimiento_listar(proyecto_id=proyecto_id)
        ]

        assert periodos == [(2026, 2), (2026, 12), (2027, 1)]
