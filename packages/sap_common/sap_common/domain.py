"""Domain vocabulary and model parts that more than one service shares.

Kept here so that empresas and proyectos name Bolivia's departamentos with the
same codes, and every audited row carries the same four fields.
"""

from django.core.exceptions import ValidationError
from django.db import models

# The years a proyecto and its monthly plan may span. Proyectos and
# programación share them: a proyecto whose dates fall outside could never
# be planned.
ANIO_MINIMO = 2000
ANIO_MAXIMO = 2100
MENSAJE_FECHA_FUERA_DE_RANGO = (
    f"La fecha debe estar entre los años {ANIO_MINIMO} y {ANIO_MAXIMO}."
)


def validar_fecha_en_rango(fecha) -> None:
    """Refuse a date whose year falls outside ``ANIO_MINIMO``..``ANIO_MAXIMO``."""
    if not ANIO_MINIMO <= fecha.year <= ANIO_MAXIMO:
        raise ValidationError(MENSAJE_FECHA_FUERA_DE_RANGO, code="fuera_de_rango")


class Departamento(models.TextChoices):
    """Bolivia's nine departamentos, in the order of their official codes."""

    CHUQUISACA = "CHUQUISACA", "Chuquisaca"
    LA_PAZ = "LA_PAZ", "La Paz"
    COCHABAMBA = "COCHABAMBA", "Cochabamba"
    ORURO = "ORURO", "Oruro"
    POTOSI = "POTOSI", "Potosí"
    TARIJA = "TARIJA", "Tarija"
    SANTA_CRUZ = "SANTA_CRUZ", "Santa Cruz"
    BENI = "BENI", "Beni"
    PANDO = "PANDO", "Pando"


class Auditado(models.Model):
    """Who created and last changed a row, and when.

    The usernames come from the caller's token (services set them); they are
    never taken from a request body.
    """

    creado_por = models.CharField(
        "creado por", max_length=150, blank=True, editable=False
    )
    actualizado_por = models.CharField(
        "actualizado por", max_length=150, blank=True, editable=False
    )
    creado_en = models.DateTimeField("creado en", auto_now_add=True)
    actualizado_en = models.DateTimeField("actualizado en", auto_now=True)

    class Meta:
        abstract = True
