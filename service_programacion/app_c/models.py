"""What was planned for each proyecto, month by month, and what was done.

``proyecto_id`` is the id of a proyecto in service_proyectos. It is a plain
integer, not a foreign key: that service owns its own database, and this one
never reads it.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from sap_common.domain import ANIO_MAXIMO, ANIO_MINIMO

PORCENTAJE_MAXIMO = Decimal("100")

MENSAJE_ANIO = f"El año debe estar entre {ANIO_MINIMO} y {ANIO_MAXIMO}."
MENSAJE_MES = "El mes debe estar entre 1 y 12."
MENSAJE_PORCENTAJE = "El avance físico debe estar entre 0 y 100."
MENSAJE_MONTO_NEGATIVO = "El monto no puede ser negativo."

# Shared by the model fields (admin forms) and the API's input serializers, so
# that both refuse the same values with the same words.
VALIDADORES_ANIO = [
    MinValueValidator(ANIO_MINIMO, MENSAJE_ANIO),
    MaxValueValidator(ANIO_MAXIMO, MENSAJE_ANIO),
]
VALIDADORES_MES = [
    MinValueValidator(1, MENSAJE_MES),
    MaxValueValidator(12, MENSAJE_MES),
]
VALIDADORES_PORCENTAJE = [
    MinValueValidator(Decimal("0"), MENSAJE_PORCENTAJE),
    MaxValueValidator(PORCENTAJE_MAXIMO, MENSAJE_PORCENTAJE),
]
VALIDADORES_MONTO = [MinValueValidator(Decimal("0"), MENSAJE_MONTO_NEGATIVO)]

# Percentages are 0.00 to 100.00; amounts reach the hundreds of billions.
PORCENTAJE = {"max_digits": 5, "decimal_places": 2}
MONTO = {"max_digits": 16, "decimal_places": 2}


# The database refuses what the validators refuse, whoever writes the row.
PERIODO_VALIDO = Q(
    anio__gte=ANIO_MINIMO, anio__lte=ANIO_MAXIMO, mes__gte=1, mes__lte=12
)


class ProgramacionVersion(models.Model):
    """One version of a proyecto's monthly plan.

    Version 1 is the original baseline. A reprogramación adds version 2, 3...
    and leaves the earlier ones untouched, so the baseline stays visible; the
    version with the highest ``numero`` is the one in force (vigente).
    """

    proyecto_id = models.PositiveBigIntegerField("proyecto")
    numero = models.PositiveIntegerField("número")
    motivo = models.TextField(
        blank=True, help_text="Por qué se reprograma; opcional en la versión 1."
    )
    creado_por = models.CharField("creado por", max_length=150)
    creado_en = models.DateTimeField("creado en", auto_now_add=True)

    class Meta:
        verbose_name = "versión de programación"
        verbose_name_plural = "versiones de programación"
        ordering = ["proyecto_id", "numero"]
        constraints = [
            # Two reprogramaciones saved at once cannot both take the same number.
            models.UniqueConstraint(
                fields=["proyecto_id", "numero"], name="version_numero_unico"
            ),
            models.CheckConstraint(condition=Q(numero__gte=1), name="version_numero_1"),
        ]

    def __str__(self):
        return f"Proyecto {self.proyecto_id} · versión {self.numero}"


class ProgramacionMensual(models.Model):
    """What one version plans for one month: physical share and amount."""

    version = models.ForeignKey(
        ProgramacionVersion, on_delete=models.CASCADE, related_name="meses"
    )
    anio = models.PositiveSmallIntegerField("año", validators=VALIDADORES_ANIO)
    mes = models.PositiveSmallIntegerField(validators=VALIDADORES_MES)
    avance_fisico_programado = models.DecimalField(
        "avance físico programado (%)",
        **PORCENTAJE,
        validators=VALIDADORES_PORCENTAJE,
        help_text="Porcentaje de la obra completa programado para este mes.",
    )
    monto_programado = models.DecimalField(
        "monto programado", **MONTO, validators=VALIDADORES_MONTO
    )

    class Meta:
        verbose_name = "mes programado"
        verbose_name_plural = "meses programados"
        ordering = ["version", "anio", "mes"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "anio", "mes"], name="programacion_mes_unico"
            ),
            models.CheckConstraint(
                condition=PERIODO_VALIDO, name="programacion_periodo_valido"
            ),
            models.CheckConstraint(
                condition=Q(avance_fisico_programado__gte=0)
                & Q(avance_fisico_programado__lte=PORCENTAJE_MAXIMO),
                name="programacion_porcentaje_valido",
            ),
            models.CheckConstraint(
                condition=Q(monto_programado__gte=0),
                name="programacion_monto_no_negativo",
            ),
        ]

    def __str__(self):
        return f"{self.version} · {self.anio}-{self.mes:02d}"


class Seguimiento(models.Model):
    """What was actually done in one month of a proyecto, as of ``fecha_corte``.

    One row per proyecto and month, independent of the plan's versions: a
    reprogramación changes the plan, never what was already done.
    """

    proyecto_id = models.PositiveBigIntegerField("proyecto")
    anio = models.PositiveSmallIntegerField("año", validators=VALIDADORES_ANIO)
    mes = models.PositiveSmallIntegerField(validators=VALIDADORES_MES)
    avance_fisico_real = models.DecimalField(
        "avance físico real (%)",
        **PORCENTAJE,
        validators=VALIDADORES_PORCENTAJE,
        help_text="Porcentaje de la obra completa ejecutado en este mes.",
    )
    monto_ejecutado = models.DecimalField(
        "monto ejecutado", **MONTO, validators=VALIDADORES_MONTO
    )
    fecha_corte = models.DateField("fecha de corte")
    observaciones = models.TextField(blank=True)
    registrado_por = models.CharField(
        "registrado por",
        max_length=150,
        help_text="Quien registró las cifras vigentes de este mes.",
    )
    creado_en = models.DateTimeField("creado en", auto_now_add=True)
    actualizado_en = models.DateTimeField("actualizado en", auto_now=True)

    class Meta:
        verbose_name = "seguimiento mensual"
        verbose_name_plural = "seguimiento mensual"
        ordering = ["proyecto_id", "anio", "mes"]
        constraints = [
            models.UniqueConstraint(
                fields=["proyecto_id", "anio", "mes"], name="seguimiento_mes_unico"
            ),
            models.CheckConstraint(
                condition=PERIODO_VALIDO, name="seguimiento_periodo_valido"
            ),
            models.CheckConstraint(
                condition=Q(avance_fisico_real__gte=0)
                & Q(avance_fisico_real__lte=PORCENTAJE_MAXIMO),
                name="seguimiento_porcentaje_valido",
            ),
            models.CheckConstraint(
                condition=Q(monto_ejecutado__gte=0),
                name="seguimiento_monto_no_negativo",
            ),
        ]

    def __str__(self):
        return f"Proyecto {self.proyecto_id} · {self.anio}-{self.mes:02d}"
