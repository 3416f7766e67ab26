import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from app_b.models import Proyecto

pytestmark = pytest.mark.django_db


def _errores(proyecto) -> dict:
    with pytest.raises(ValidationError) as exc:
        proyecto.full_clean()
    return exc.value.message_dict


class TestReglas:
    def test_end_before_start_names_fecha_fin_programada(self, crear_proyecto):
        proyecto = crear_proyecto()
        proyecto.fecha_fin_programada = proyecto.fecha_inicio - datetime.timedelta(1)

        assert _errores(proyecto) == {
            "fecha_fin_programada": [
                "La fecha de fin programada no puede ser anterior a la fecha de inicio."
            ]
        }

    def test_real_end_before_start_names_fecha_fin_real(self, crear_proyecto):
        proyecto = crear_proyecto()
        proyecto.fecha_fin_real = proyecto.fecha_inicio - datetime.timedelta(1)

        assert _errores(proyecto) == {
            "fecha_fin_real": [
                "La fecha de fin real no puede ser anterior a la fecha de inicio."
            ]
        }

    def test_both_dates_on_the_start_day_are_valid(self, crear_proyecto):
        proyecto = crear_proyecto()
        proyecto.fecha_fin_programada = proyecto.fecha_inicio
        proyecto.fecha_fin_real = proyecto.fecha_inicio

        proyecto.full_clean()

    @pytest.mark.parametrize("monto", [Decimal("0"), Decimal("-0.01")])
    def test_amount_must_exceed_zero(self, crear_proyecto, monto):
        proyecto = crear_proyecto()
        proyecto.monto_total = monto

        assert _errores(proyecto) == {
            "monto_total": ["El monto total debe ser mayor que cero."]
        }

    def test_duplicate_codigo_has_its_own_message(self, crear_proyecto):
        existente = crear_proyecto()
        copia = crear_proyecto(codigo="OTRO")
        copia.codigo = existente.codigo

        assert _errores(copia) == {"codigo": ["Ya existe un proyecto con este código."]}

    def test_moneda_defaults_to_bolivianos(self, crear_proyecto):
        assert crear_proyecto().moneda == "BOB"


class TestRestricciones:
    """The database refuses what clean() would, even if clean() is skipped."""

    @pytest.mark.parametrize(
        "campos",
        [
            {"monto_total": Decimal("0")},
            {"fecha_fin_programada": datetime.date(2026, 2, 1)},
            {"fecha_fin_real": datetime.date(2026, 2, 1)},
        ],
        ids=["monto", "fin_programada", "fin_real"],
    )
    def test_broken_rows_cannot_be_stored(self, crear_proyecto, campos):
        # fecha_inicio is 2026-03-01 in the factory.
        with pytest.raises(IntegrityError), transaction.atomic():
            crear_proyecto(**campos)

        assert not Proyecto.objects.exists()
