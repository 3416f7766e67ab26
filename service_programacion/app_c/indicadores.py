"""The figures public investment offices track, worked out from plan and progress.

Pure functions of a proyecto's marco (the figures service_proyectos owns),
its months and today's date: no database, no settings, no clock. The
selector gathers the inputs; this module only does arithmetic, so a worked
example can pin every figure. Nothing computed here is ever stored.

``meses`` is the summary's month list: one dict per calendar month with
``anio``, ``mes``, ``avance_fisico_programado`` and ``monto_programado``
(from the plan in force, ``None`` if it plans nothing that month) and
``avance_fisico_real`` and ``monto_ejecutado`` (from seguimiento, ``None`` if
the month was not reported). Percentages are shares of the whole work, so
they add up across months.

"To date" means up to the corte month, the latest month with seguimiento.
Planned and actual are then measured at the same month, so the SPI compares
like with like and a month nobody has reported yet does not read as a delay.
With no seguimiento at all the corte is the last closed month (the one
before today's): whatever was planned up to it counts as not done, while a
plan that starts this month is not yet behind.

Every figure is a ``Decimal`` rounded half up to two places. A ratio whose
divisor is zero is ``None``, never infinite.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

PARALIZADO = "PARALIZADO"
CONCLUIDO = "CONCLUIDO"
# The estados service_proyectos gives a proyecto; keep in step with it.
ESTADOS = ("PROGRAMADO", "EN_EJECUCION", PARALIZADO, CONCLUIDO, "CANCELADO")

VERDE = "VERDE"
AMARILLO = "AMARILLO"
ROJO = "ROJO"
SIN_DATOS = "SIN_DATOS"
SEMAFOROS = (VERDE, AMARILLO, ROJO, SIN_DATOS)

CERO = Decimal("0")
CIEN = Decimal("100")
CENTAVO = Decimal("0.01")


@dataclass(frozen=True)
class Marco:
    """What service_proyectos says about a proyecto that these figures need.

    ``monto_total`` is always above zero: service_proyectos refuses anything
    else, and so does the serializer that reads a marco.
    """

    monto_total: Decimal
    fecha_inicio: date
    fecha_fin_programada: date
    estado: str
    fecha_fin_real: date | None = None

    @property
    def fecha_fin(self) -> date:
        """Last day work may be planned or reported: the real end once known."""
        return self.fecha_fin_real or self.fecha_fin_programada


@dataclass(frozen=True)
class Umbrales:
    """Lowest SPI of a green and of an amber semáforo."""

    verde_min: Decimal
    amarillo_min: Decimal


def redondear(valor: Decimal) -> Decimal:
    """Two decimal places, halves rounded up, as a person would round money."""
    return valor.quantize(CENTAVO, rounding=ROUND_HALF_UP)


def _periodo(fila: dict) -> tuple[int, int]:
    return (fila["anio"], fila["mes"])


def _planificado(fila: dict) -> bool:
    return fila["avance_fisico_programado"] is not None


def _reportado(fila: dict) -> bool:
    return fila["avance_fisico_real"] is not None


def _mes_anterior(dia: date) -> tuple[int, int]:
    if dia.month == 1:
        return (dia.year - 1, 12)
    return (dia.year, dia.month - 1)


def _siguiente(periodo: tuple[int, int]) -> tuple[int, int]:
    anio, mes = periodo
    return (anio + 1, 1) if mes == 12 else (anio, mes + 1)


def _suma(meses: list[dict], campo: str, hasta: tuple[int, int]) -> Decimal:
    return sum(
        (f[campo] for f in meses if f[campo] is not None and _periodo(f) <= hasta),
        CERO,
    )


def _cociente(dividendo: Decimal, divisor: Decimal) -> Decimal | None:
    if divisor == 0:
        return None
    return redondear(dividendo / divisor)


def mes_de_corte(meses: list[dict], hoy: date) -> tuple[int, int]:
    """The month "to date" figures stop at: the latest reported one.

    Without any seguimiento, the last closed month (the one before ``hoy``).
    """
    reportados = [_periodo(f) for f in meses if _reportado(f)]
    if reportados:
        return max(reportados)
    return _mes_anterior(hoy)


def plazo_transcurrido(marco: Marco, hoy: date) -> Decimal:
    """Share of the planned days (inicio to fin programada) gone by, 0 to 100."""
    planificados = (marco.fecha_fin_programada - marco.fecha_inicio).days
    transcurridos = (hoy - marco.fecha_inicio).days
    if planificados == 0:
        # A one-day plan: nothing has gone by before it, all of it after.
        return redondear(CIEN if transcurridos >= 0 else CERO)
    porcentaje = Decimal(transcurridos) * CIEN / Decimal(planificados)
    return redondear(min(max(porcentaje, CERO), CIEN))


def indicadores_calcular(marco: Marco, meses: list[dict], hoy: date) -> dict:
    """Physical, financial and earned-value figures at the corte month.

    PV (valor planificado) and EV (valor ganado) value the planned and the
    actual physical progress at the proyecto's ``monto_total``; AC (costo
    real) is what was executed. SPI = EV / PV and CPI = EV / AC, ``None``
    when the divisor is zero.
    """
    corte = mes_de_corte(meses, hoy)
    total = marco.monto_total
    fisico_programado = _suma(meses, "avance_fisico_programado", corte)
    fisico_real = _suma(meses, "avance_fisico_real", corte)
    monto_programado = _suma(meses, "monto_programado", corte)
    ejecutado = _suma(meses, "monto_ejecutado", corte)
    valor_planificado = fisico_programado * total / CIEN
    valor_ganado = fisico_real * total / CIEN

    return {
        "corte": {"anio": corte[0], "mes": corte[1]},
        "fisico_programado": redondear(fisico_programado),
        "fisico_real": redondear(fisico_real),
        "desviacion_fisica": redondear(fisico_real - fisico_programado),
        "financiero_programado": redondear(monto_programado * CIEN / total),
        "financiero_ejecutado": redondear(ejecutado * CIEN / total),
        "monto_programado_a_la_fecha": redondear(monto_programado),
        "desviacion_financiera": redondear(ejecutado - monto_programado),
        "valor_planificado": redondear(valor_planificado),
        "valor_ganado": redondear(valor_ganado),
        "costo_real": redondear(ejecutado),
        "spi": _cociente(valor_ganado, valor_planificado),
        "cpi": _cociente(valor_ganado, ejecutado),
        "saldo_por_ejecutar": redondear(total - ejecutado),
        "plazo_transcurrido": plazo_transcurrido(marco, hoy),
    }


def curva_s_calcular(meses: list[dict], hoy: date) -> list[dict]:
    """Cumulative planned and actual series, month by month (the S curve).

    The curve runs over every calendar month of the plan in force, widened
    to any month reported outside it so that no report drops out; months
    with no row keep the running totals flat. The actual series is ``None``
    after the corte month: nothing is known about those months yet. Without
    a plan there is no curve.
    """
    if not any(_planificado(f) for f in meses):
        return []
    por_periodo = {_periodo(f): f for f in meses}
    periodo, ultimo = min(por_periodo), max(por_periodo)
    corte = mes_de_corte(meses, hoy)

    acumulado = {
        "avance_fisico_programado": CERO,
        "avance_fisico_real": CERO,
        "monto_programado": CERO,
        "monto_ejecutado": CERO,
    }
    curva = []
    while periodo <= ultimo:
        fila = por_periodo.get(periodo, {})
        for campo in acumulado:
            acumulado[campo] += fila.get(campo) or CERO
        conocido = periodo <= corte
        curva.append(
            {
                "anio": periodo[0],
                "mes": periodo[1],
                "fisico_programado_acumulado": redondear(
                    acumulado["avance_fisico_programado"]
                ),
                "fisico_real_acumulado": (
                    redondear(acumulado["avance_fisico_real"]) if conocido else None
                ),
                "financiero_programado_acumulado": redondear(
                    acumulado["monto_programado"]
                ),
                "financiero_ejecutado_acumulado": (
                    redondear(acumulado["monto_ejecutado"]) if conocido else None
                ),
            }
        )
        periodo = _siguiente(periodo)
    return curva


def semaforo_calcular(
    marco: Marco, meses: list[dict], spi: Decimal | None, hoy: date, umbrales: Umbrales
) -> str:
    """One colour for the proyecto's state, most serious reason first.

    ROJO when the proyecto is paralizado or past its fecha_fin_programada
    without being concluido: those come from the marco and stand even
    without a plan. Otherwise SIN_DATOS without a plan; then the SPI against
    the thresholds. A plan with nothing due yet (SPI ``None``, PV of zero)
    is not behind, so it is VERDE.
    """
    if marco.estado == PARALIZADO:
        return ROJO
    if hoy > marco.fecha_fin_programada and marco.estado != CONCLUIDO:
        return ROJO
    if not any(_planificado(f) for f in meses):
        return SIN_DATOS
    if spi is None or spi >= umbrales.verde_min:
        return VERDE
    if spi >= umbrales.amarillo_min:
        return AMARILLO
    return ROJO


def resumen_indicadores_calcular(
    marco: Marco, meses: list[dict], hoy: date, umbrales: Umbrales
) -> dict:
    """``indicadores``, ``curva_s`` and ``semaforo`` of one proyecto.

    The semáforo reads the SPI as shown, rounded to two places, so the colour
    never disagrees with the number beside it.
    """
    indicadores = indicadores_calcular(marco, meses, hoy)
    return {
        "indicadores": indicadores,
        "curva_s": curva_s_calcular(meses, hoy),
        "semaforo": semaforo_calcular(marco, meses, indicadores["spi"], hoy, umbrales),
    }
