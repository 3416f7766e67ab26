"""ops/demo.py: the generated data keep programación's rules and earn the
semáforo each proyecto is meant to show.

No stack here: the generator is pure. The semáforo is worked out by
programación's own ``app_c.indicadores`` (plain arithmetic, no Django), so a
change to its rules that the demo no longer meets fails here first.
"""

import sys
from datetime import date
from decimal import Decimal

import pytest
from demo import (
    CENTRO_DE_SALUD,
    EXPECTED_SEMAFORO,
    INITIAL_MOTIVO,
    add_months,
    build_empresas,
    build_proyectos,
    last_closed_month,
    period_of,
    programacion_for,
    proyecto_payload,
)
from harness import ROOT

sys.path.insert(0, str(ROOT / "service_programacion"))

from app_c.indicadores import Marco, Umbrales, resumen_indicadores_calcular  # noqa: E402

# programación's default thresholds (SEMAFORO_VERDE_MIN, SEMAFORO_AMARILLO_MIN).
UMBRALES = Umbrales(verde_min=Decimal("0.95"), amarillo_min=Decimal("0.85"))
# Today, the turn of a year, a leap day and a short month.
TODAYS = [date(2026, 12, 3), date(2027, 1, 1), date(2028, 2, 29), date(2026, 4, 30)]

EMPRESAS = build_empresas()
PROYECTOS = build_proyectos(EMPRESAS)


def _generated(spec, today):
    """What the demo would send for ``spec``: proyecto, versions, seguimiento."""
    proyecto = proyecto_payload(spec, empresa_id=1, today=today)
    fin_real = proyecto["fecha_fin_real"]
    versiones, seguimiento = programacion_for(
        spec,
        date.fromisoformat(proyecto["fecha_inicio"]),
        date.fromisoformat(proyecto["fecha_fin_programada"]),
        date.fromisoformat(fin_real) if fin_real else None,
        today,
    )
    return proyecto, versiones, seguimiento


def _marco(proyecto) -> Marco:
    fin_real = proyecto["fecha_fin_real"]
    return Marco(
        monto_total=Decimal(proyecto["monto_total"]),
        fecha_inicio=date.fromisoformat(proyecto["fecha_inicio"]),
        fecha_fin_programada=date.fromisoformat(proyecto["fecha_fin_programada"]),
        estado=proyecto["estado"],
        fecha_fin_real=date.fromisoformat(fin_real) if fin_real else None,
    )


def _two_places(value: str) -> Decimal:
    number = Decimal(value)
    assert value == f"{number:.2f}", value
    return number


def _semaforo(proyecto, versiones, seguimiento, today) -> str:
    """The semáforo programación would show for this data on ``today``."""
    vacio = dict.fromkeys(
        [
            "avance_fisico_programado",
            "avance_fisico_real",
            "monto_programado",
            "monto_ejecutado",
        ]
    )
    meses = {}
    for fila in (versiones[-1]["meses"] if versiones else []) + seguimiento:
        valores = {
            campo: Decimal(valor)
            for campo, valor in fila.items()
            if campo in vacio and valor is not None
        }
        meses.setdefault((fila["anio"], fila["mes"]), dict(vacio)).update(valores)
    filas = [
        {"anio": anio, "mes": mes, **valores}
        for (anio, mes), valores in sorted(meses.items())
    ]
    resumen = resumen_indicadores_calcular(_marco(proyecto), filas, today, UMBRALES)
    return resumen["semaforo"]


def test_catalogue_is_deterministic():
    again = build_empresas()

    assert again == EMPRESAS
    assert build_proyectos(again) == PROYECTOS


def test_catalogue_has_unique_digit_only_nits_and_unique_codigos():
    nits = [empresa.nit for empresa in EMPRESAS]
    codigos = [spec.codigo for spec in PROYECTOS]

    assert len(EMPRESAS) == 20
    assert len(PROYECTOS) == 60
    assert all(nit.isascii() and nit.isdigit() for nit in nits)
    assert len(set(nits)) == len(nits)
    assert len(set(codigos)) == len(codigos)
    assert len({spec.nombre for spec in PROYECTOS}) == len(PROYECTOS)


def test_every_proyecto_goes_to_an_empresa_of_its_sector():
    sectores = {empresa.nit: empresa.sectores for empresa in EMPRESAS}

    for spec in PROYECTOS:
        assert spec.sector in sectores[spec.empresa_nit], spec.codigo


def test_catalogue_spans_every_departamento_and_sector():
    assert len({spec.departamento for spec in PROYECTOS}) == 9
    assert len({spec.sector for spec in PROYECTOS}) == 8


@pytest.mark.parametrize("today", TODAYS)
def test_plans_keep_programacion_rules(today):
    for spec in PROYECTOS:
        proyecto, versiones, _ = _generated(spec, today)
        marco = _marco(proyecto)
        desde, hasta = period_of(marco.fecha_inicio), period_of(marco.fecha_fin)

        assert marco.fecha_inicio <= marco.fecha_fin_programada
        if versiones:
            assert 12 <= len(versiones[-1]["meses"]) <= 24, spec.codigo
            assert versiones[0]["motivo"] == INITIAL_MOTIVO
            assert all(version["motivo"].strip() for version in versiones[1:])
        for version in versiones:
            meses = version["meses"]
            periodos = [(m["anio"], m["mes"]) for m in meses]
            fisico = sum(_two_places(m["avance_fisico_programado"]) for m in meses)
            monto = sum(_two_places(m["monto_programado"]) for m in meses)

            assert len(set(periodos)) == len(periodos)
            assert all(desde <= periodo <= hasta for periodo in periodos), spec.codigo
            assert fisico == Decimal("100.00"), spec.codigo
            assert monto <= marco.monto_total, spec.codigo
            assert all(Decimal(m["avance_fisico_programado"]) >= 0 for m in meses)


@pytest.mark.parametrize("today", TODAYS)
def test_seguimiento_keeps_programacion_rules_and_stops_at_the_last_closed_month(
    today,
):
    for spec in PROYECTOS:
        proyecto, _, seguimiento = _generated(spec, today)
        marco = _marco(proyecto)
        desde = period_of(marco.fecha_inicio)
        hasta = min(period_of(marco.fecha_fin), last_closed_month(today))
        periodos = [(m["anio"], m["mes"]) for m in seguimiento]
        fisico = sum(_two_places(m["avance_fisico_real"]) for m in seguimiento)
        monto = sum(_two_places(m["monto_ejecutado"]) for m in seguimiento)

        assert periodos == sorted(set(periodos))
        assert all(desde <= periodo <= hasta for periodo in periodos), spec.codigo
        assert fisico <= Decimal("100.00"), spec.codigo
        assert monto <= marco.monto_total, spec.codigo
        assert all(date.fromisoformat(m["fecha_corte"]) < today for m in seguimiento)


@pytest.mark.parametrize("today", TODAYS)
def test_each_proyecto_earns_the_semaforo_of_its_profile(today):
    for spec in PROYECTOS:
        proyecto, versiones, seguimiento = _generated(spec, today)

        semaforo = _semaforo(proyecto, versiones, seguimiento, today)

        assert semaforo == EXPECTED_SEMAFORO[spec.profile], spec.codigo


def test_every_semaforo_colour_and_a_reprogramacion_show_up():
    today = TODAYS[0]
    generated = [_generated(spec, today) for spec in PROYECTOS]

    colours = {_semaforo(*data, today) for data in generated}
    assert colours == {"VERDE", "AMARILLO", "ROJO", "SIN_DATOS"}
    assert any(len(versiones) == 2 for _, versiones, _ in generated)
    assert {p["estado"] for p, _, _ in generated} == {
        "EN_EJECUCION",
        "PARALIZADO",
        "CONCLUIDO",
        "PROGRAMADO",
    }


def test_centro_de_salud_is_late_with_a_year_of_seguimiento_behind_plan():
    spec = next(spec for spec in PROYECTOS if spec.nombre == CENTRO_DE_SALUD)
    today = TODAYS[0]
    proyecto, versiones, seguimiento = _generated(spec, today)

    assert proyecto["sector"] == "SALUD"
    assert _semaforo(proyecto, versiones, seguimiento, today) in {"AMARILLO", "ROJO"}
    assert len(seguimiento) >= 10
    assert (seguimiento[-1]["anio"], seguimiento[-1]["mes"]) == add_months(
        period_of(today), -1
    )


@pytest.mark.parametrize("today", TODAYS)
def test_a_later_run_only_adds_the_months_closed_since(today):
    """Plans come from the stored dates, so an older proyecto stays consistent."""
    later = date(today.year + 1, today.month, 1)
    for spec in PROYECTOS:
        proyecto, versiones, seguimiento = _generated(spec, today)
        fin_real = proyecto["fecha_fin_real"]
        versiones_luego, seguimiento_luego = programacion_for(
            spec,
            date.fromisoformat(proyecto["fecha_inicio"]),
            date.fromisoformat(proyecto["fecha_fin_programada"]),
            date.fromisoformat(fin_real) if fin_real else None,
            later,
        )

        assert versiones_luego == versiones
        assert seguimiento_luego[: len(seguimiento)] == seguimiento
