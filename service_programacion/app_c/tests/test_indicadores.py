from datetime import date
from decimal import Decimal

import pytest

from app_c.indicadores import (
    AMARILLO,
    ROJO,
    SIN_DATOS,
    VERDE,
    Marco,
    Umbrales,
    curva_s_calcular,
    indicadores_calcular,
    mes_de_corte,
    plazo_transcurrido,
    resumen_indicadores_calcular,
    semaforo_calcular,
)

UMBRALES = Umbrales(verde_min=Decimal("0.95"), amarillo_min=Decimal("0.85"))


def _d(valor):
    return None if valor is None else Decimal(valor)


def mes(numero, programado=None, real=None, monto=None, ejecutado=None, anio=2026):
    """One row of the summary's month list; ``None`` where a side is missing."""
    return {
        "anio": anio,
        "mes": numero,
        "avance_fisico_programado": _d(programado),
        "avance_fisico_real": _d(real),
        "monto_programado": _d(monto),
        "monto_ejecutado": _d(ejecutado),
    }


def marco(**cambios):
    datos = {
        "monto_total": Decimal("1000000.00"),
        "fecha_inicio": date(2026, 1, 15),
        "fecha_fin_programada": date(2026, 6, 30),
        "estado": "EN_EJECUCION",
    } | cambios
    return Marco(**datos)


# The worked example. Plan in force (May plans nothing) and seguimiento:
#
#   month   planned %   planned amount   real %   executed amount
#   Jan       10.00        80,000.00      8.00       70,000.00
#   Feb       20.00       150,000.00     15.00      160,000.00
#   Mar       30.00       250,000.00     20.50      180,000.50
#   Apr       25.00       300,000.00       -             -
#   Jun       15.00       120,000.00       -             -
#
# monto_total 1,000,000.00; dates 2026-01-15 to 2026-06-30; today 2026-04-10.
EJEMPLO = [
    mes(1, "10", "8", "80000", "70000"),
    mes(2, "20", "15", "150000", "160000"),
    mes(3, "30", "20.5", "250000", "180000.50"),
    mes(4, "25", None, "300000", None),
    mes(6, "15", None, "120000", None),
]
HOY = date(2026, 4, 10)


class TestIndicadoresCalcular:
    def test_the_worked_example(self):
        indicadores = indicadores_calcular(marco(), EJEMPLO, HOY)

        assert indicadores == {
            # Latest reported month: March. April is planned but not reported.
            "corte": {"anio": 2026, "mes": 3},
            # 10 + 20 + 30
            "fisico_programado": Decimal("60.00"),
            # 8 + 15 + 20.5
            "fisico_real": Decimal("43.50"),
            # 43.50 - 60.00
            "desviacion_fisica": Decimal("-16.50"),
            # (80,000 + 150,000 + 250,000) / 1,000,000 = 480,000 / 1,000,000
            "financiero_programado": Decimal("48.00"),
            # (70,000 + 160,000 + 180,000.50) / 1,000,000 = 41.00005 % -> 41.00
            "financiero_ejecutado": Decimal("41.00"),
            "monto_programado_a_la_fecha": Decimal("480000.00"),
            # 410,000.50 - 480,000.00
            "desviacion_financiera": Decimal("-69999.50"),
            # PV = 60 % of 1,000,000
            "valor_planificado": Decimal("600000.00"),
            # EV = 43.5 % of 1,000,000
            "valor_ganado": Decimal("435000.00"),
            # AC: 70,000 + 160,000 + 180,000.50 executed
            "costo_real": Decimal("410000.50"),
            # 435,000 / 600,000 = 0.725 -> 0.73 (halves round up)
            "spi": Decimal("0.73"),
            # 435,000 / 410,000.50 = 1.06097... -> 1.06
            "cpi": Decimal("1.06"),
            # 1,000,000 - 410,000.50
            "saldo_por_ejecutar": Decimal("589999.50"),
            # Jan 15 -> Apr 10 is 16 + 28 + 31 + 10 = 85 days of the
            # 16 + 28 + 31 + 30 + 31 + 30 = 166 planned: 51.2048 % -> 51.20
            "plazo_transcurrido": Decimal("51.20"),
        }

    def test_planned_to_date_stops_at_the_last_report_not_at_today(self):
        # Today is past April, yet April is not reported: it is not counted
        # as planned either, so SPI compares the same months on both sides.
        indicadores = indicadores_calcular(marco(), EJEMPLO, date(2026, 5, 20))

        assert indicadores["corte"] == {"anio": 2026, "mes": 3}
        assert indicadores["fisico_programado"] == Decimal("60.00")

    def test_reports_outside_the_plan_count(self):
        meses = [mes(1, real="5", ejecutado="1000"), mes(2, "50", "10", "100", "2")]

        indicadores = indicadores_calcular(marco(), meses, HOY)

        assert indicadores["fisico_real"] == Decimal("15.00")
        assert indicadores["costo_real"] == Decimal("1002.00")

    def test_spi_is_null_when_nothing_was_planned_to_date(self):
        # A report in January; the plan only starts in March.
        meses = [mes(1, real="2", ejecutado="500"), mes(3, "100", monto="9")]

        indicadores = indicadores_calcular(marco(), meses, HOY)

        assert indicadores["valor_planificado"] == Decimal("0.00")
        assert indicadores["spi"] is None
        # 2 % of 1,000,000 = 20,000 earned for 500 spent.
        assert indicadores["cpi"] == Decimal("40.00")

    def test_cpi_is_null_when_nothing_was_spent(self):
        meses = [mes(1, "10", "12", "100", "0")]

        indicadores = indicadores_calcular(marco(), meses, HOY)

        assert indicadores["costo_real"] == Decimal("0.00")
        assert indicadores["cpi"] is None
        # 120,000 / 100,000
        assert indicadores["spi"] == Decimal("1.20")

    def test_without_seguimiento_nothing_done_is_measured_at_the_last_closed_month(
        self,
    ):
        # Today is in April: January to March were due, none was reported.
        solo_plan = [
            mes(f["mes"], f["avance_fisico_programado"], monto=f["monto_programado"])
            for f in EJEMPLO
        ]

        indicadores = indicadores_calcular(marco(), solo_plan, HOY)

        assert indicadores["corte"] == {"anio": 2026, "mes": 3}
        assert indicadores["fisico_programado"] == Decimal("60.00")
        assert indicadores["fisico_real"] == Decimal("0.00")
        assert indicadores["spi"] == Decimal("0.00")
        assert indicadores["cpi"] is None
        assert indicadores["saldo_por_ejecutar"] == Decimal("1000000.00")


class TestMesDeCorte:
    def test_is_the_latest_reported_month_across_years(self):
        meses = [mes(12, real="1", anio=2025), mes(2, real="1"), mes(5, "10")]

        assert mes_de_corte(meses, date(2026, 9, 1)) == (2026, 2)

    @pytest.mark.parametrize(
        ("hoy", "corte"),
        [(date(2026, 4, 10), (2026, 3)), (date(2026, 1, 31), (2025, 12))],
    )
    def test_without_reports_is_the_month_before_today(self, hoy, corte):
        assert mes_de_corte([mes(1, "10")], hoy) == corte


class TestPlazoTranscurrido:
    @pytest.mark.parametrize(
        ("hoy", "esperado"),
        [
            (date(2026, 1, 1), "0.00"),
            (date(2026, 1, 15), "0.00"),
            # 1 of 166 days: 0.6024 %
            (date(2026, 1, 16), "0.60"),
            (date(2026, 6, 30), "100.00"),
            (date(2027, 3, 1), "100.00"),
        ],
    )
    def test_is_the_share_of_planned_days_clamped_to_0_100(self, hoy, esperado):
        assert plazo_transcurrido(marco(), hoy) == Decimal(esperado)

    @pytest.mark.parametrize(
        ("hoy", "esperado"), [(date(2026, 3, 9), "0.00"), (date(2026, 3, 10), "100.00")]
    )
    def test_a_one_day_plan_is_all_or_nothing(self, hoy, esperado):
        un_dia = marco(
            fecha_inicio=date(2026, 3, 10), fecha_fin_programada=date(2026, 3, 10)
        )

        assert plazo_transcurrido(un_dia, hoy) == Decimal(esperado)


class TestCurvaS:
    def test_the_worked_example_month_by_month(self):
        curva = curva_s_calcular(EJEMPLO, HOY)

        def fila(numero, programado, real, monto, ejecutado):
            return {
                "anio": 2026,
                "mes": numero,
                "fisico_programado_acumulado": _d(programado),
                "fisico_real_acumulado": _d(real),
                "financiero_programado_acumulado": _d(monto),
                "financiero_ejecutado_acumulado": _d(ejecutado),
            }

        assert curva == [
            fila(1, "10.00", "8.00", "80000.00", "70000.00"),
            # 10 + 20; 8 + 15; 80,000 + 150,000; 70,000 + 160,000
            fila(2, "30.00", "23.00", "230000.00", "230000.00"),
            # + 30; + 20.5; + 250,000; + 180,000.50
            fila(3, "60.00", "43.50", "480000.00", "410000.50"),
            # Past the corte (March) nothing real is known yet.
            fila(4, "85.00", None, "780000.00", None),
            # May plans nothing: the planned curve stays flat.
            fila(5, "85.00", None, "780000.00", None),
            fila(6, "100.00", None, "900000.00", None),
        ]

    def test_widens_to_reports_outside_the_plan(self):
        meses = [
            mes(12, real="1", ejecutado="10", anio=2025),
            mes(2, "50", "2", "100", "20"),
            mes(3, "50", monto="100"),
            mes(5, real="3", ejecutado="30"),
        ]

        curva = curva_s_calcular(meses, HOY)

        assert [(f["anio"], f["mes"]) for f in curva] == [
            (2025, 12),
            (2026, 1),
            (2026, 2),
            (2026, 3),
            (2026, 4),
            (2026, 5),
        ]
        assert [f["fisico_real_acumulado"] for f in curva] == [
            Decimal(v) for v in ["1", "1", "3", "3", "3", "6"]
        ]
        assert [f["fisico_programado_acumulado"] for f in curva] == [
            Decimal(v) for v in ["0", "0", "50", "100", "100", "100"]
        ]

    def test_without_reports_the_real_series_is_zero_up_to_the_last_closed_month(
        self,
    ):
        meses = [mes(2, "40", monto="4"), mes(5, "60", monto="6")]

        curva = curva_s_calcular(meses, HOY)

        assert [f["fisico_real_acumulado"] for f in curva] == [
            Decimal("0"),
            Decimal("0"),
            None,
            None,
        ]

    def test_is_empty_without_a_plan(self):
        assert curva_s_calcular([mes(1, real="10", ejecutado="5")], HOY) == []


# A plan whose SPI is whatever each case passes in.
PLAN = [mes(1, "100", monto="1")]


class TestSemaforo:
    @pytest.mark.parametrize(
        ("spi", "color"),
        [
            ("1.20", VERDE),
            ("0.95", VERDE),
            ("0.94", AMARILLO),
            ("0.85", AMARILLO),
            ("0.84", ROJO),
            ("0.00", ROJO),
            (None, VERDE),
        ],
    )
    def test_follows_the_spi_thresholds(self, spi, color):
        assert semaforo_calcular(marco(), PLAN, _d(spi), HOY, UMBRALES) == color

    def test_thresholds_come_from_the_caller(self):
        exigentes = Umbrales(verde_min=Decimal("1.00"), amarillo_min=Decimal("0.99"))

        assert (
            semaforo_calcular(marco(), PLAN, Decimal("0.99"), HOY, exigentes)
            == AMARILLO
        )

    def test_paralizado_is_red_even_on_schedule(self):
        paralizado = marco(estado="PARALIZADO")

        assert semaforo_calcular(paralizado, PLAN, Decimal("1.00"), HOY, UMBRALES) == (
            ROJO
        )

    @pytest.mark.parametrize(
        ("estado", "hoy", "color"),
        [
            ("EN_EJECUCION", date(2026, 7, 1), ROJO),
            ("CANCELADO", date(2026, 7, 1), ROJO),
            ("CONCLUIDO", date(2026, 7, 1), VERDE),
            # The last planned day itself is not yet overdue.
            ("EN_EJECUCION", date(2026, 6, 30), VERDE),
        ],
    )
    def test_past_the_planned_end_without_concluding_is_red(self, estado, hoy, color):
        resultado = semaforo_calcular(
            marco(estado=estado), PLAN, Decimal("1.00"), hoy, UMBRALES
        )

        assert resultado == color

    def test_no_plan_is_sin_datos(self):
        reportado = [mes(1, real="10", ejecutado="5")]

        assert semaforo_calcular(marco(), reportado, None, HOY, UMBRALES) == SIN_DATOS
        assert semaforo_calcular(marco(), [], None, HOY, UMBRALES) == SIN_DATOS

    @pytest.mark.parametrize(
        "cambios",
        [{"estado": "PARALIZADO"}, {"fecha_fin_programada": date(2026, 3, 31)}],
    )
    def test_paralizado_or_overdue_is_red_even_without_a_plan(self, cambios):
        assert semaforo_calcular(marco(**cambios), [], None, HOY, UMBRALES) == ROJO


class TestResumenIndicadoresCalcular:
    def test_gathers_the_three_parts_of_the_worked_example(self):
        resumen = resumen_indicadores_calcular(marco(), EJEMPLO, HOY, UMBRALES)

        assert resumen["indicadores"] == indicadores_calcular(marco(), EJEMPLO, HOY)
        assert resumen["curva_s"] == curva_s_calcular(EJEMPLO, HOY)
        # SPI 0.73 is below 0.85.
        assert resumen["semaforo"] == ROJO

    def test_the_semaforo_reads_the_spi_as_shown(self):
        # EV / PV = 94.96 / 100 = 0.9496, shown as 0.95: green, not amber.
        meses = [mes(1, "100", "94.96", "10", "10")]

        resumen = resumen_indicadores_calcular(marco(), meses, HOY, UMBRALES)

        assert resumen["indicadores"]["spi"] == Decimal("0.95")
        assert resumen["semaforo"] == VERDE
