"""Public investment projects, the records Service B owns."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from sap_common.domain import Auditado, Departamento, validar_fecha_en_rango

MENSAJE_CODIGO_DUPLICADO = "Ya existe un proyecto con este código."
MENSAJE_MONTO_NO_POSITIVO = "El monto total debe ser mayor que cero."
MENSAJE_FIN_PROGRAMADO_ANTERIOR = (
    "La fecha de fin programada no puede ser anterior a la fecha de inicio."
)
MENSAJE_FIN_REAL_ANTERIOR = (
    "La fecha de fin real no puede ser anterior a la fecha de inicio."
)


class Sector(models.TextChoices):
    SALUD = "SALUD", "Salud"
    EDUCACION = "EDUCACION", "Educación"
    TRANSPORTE = "TRANSPORTE", "Transporte"
    SANEAMIENTO_BASICO = "SANEAMIENTO_BASICO", "Saneamiento básico"
    ENERGIA = "ENERGIA", "Energía"
    AGROPECUARIO = "AGROPECUARIO", "Agropecuario"
    VIVIENDA = "VIVIENDA", "Vivienda"
    OTROS = "OTROS", "Otros"


class Moneda(models.TextChoices):
    BOB = "BOB", "Bolivianos"
    USD = "USD", "Dólares estadounidenses"


class FuenteFinanciamiento(models.TextChoices):
    TGN = "TGN", "Tesoro General de la Nación"
    RECURSOS_PROPIOS = "RECURSOS_PROPIOS", "Recursos propios"
    CREDITO_EXTERNO = "CREDITO_EXTERNO", "Crédito externo"
    DONACION = "DONACION", "Donación"
    OTROS = "OTROS", "Otros"


class Fase(models.TextChoices):
    PREINVERSION = "PREINVERSION", "Preinversión"
    EJECUCION = "EJECUCION", "Ejecución"
    OPERACION = "OPERACION", "Operación"
    CERRADO = "CERRADO", "Cerrado"


class Estado(models.TextChoices):
    PROGRAMADO = "PROGRAMADO", "Programado"
    EN_EJECUCION = "EN_EJECUCION", "En ejecución"
    PARALIZADO = "PARALIZADO", "Paralizado"
    CONCLUIDO = "CONCLUIDO", "Concluido"
    CANCELADO = "CANCELADO", "Cancelado"


def validar_monto_positivo(valor: Decimal) -> None:
    """A project with no money is not a project: the amount must exceed zero."""
    if valor is not None and valor <= 0:
        raise ValidationError(MENSAJE_MONTO_NO_POSITIVO, code="monto_no_positivo")


class Proyecto(Auditado):
    """A public investment project, located in Bolivia and run by one empresa.

    ``empresa_id`` points at an empresa of Service A, which is the source of
    truth for empresas; there is no foreign key across services, so the
    service layer asks A before it stores a new or changed ``empresa_id``.

    ``clean()`` names the offending field in Spanish; the check constraints
    repeat the same rules so that no write path can store a broken row.
    """

    codigo = models.CharField(
        "código",
        max_length=30,
        unique=True,
        help_text="Código nacional del proyecto de inversión pública.",
        error_messages={"unique": MENSAJE_CODIGO_DUPLICADO},
    )
    nombre = models.CharField("nombre", max_length=255)
    descripcion = models.TextField("descripción", blank=True)
    sector = models.CharField("sector", max_length=20, choices=Sector.choices)
    departamento = models.CharField(
        "departamento", max_length=20, choices=Departamento.choices
    )
    provincia = models.CharField("provincia", max_length=100)
    municipio = models.CharField("municipio", max_length=100)
    empresa_id = models.PositiveBigIntegerField(
        "empresa",
        db_index=True,
        help_text="Identificador de la empresa ejecutora en el servicio de empresas.",
    )
    entidad_ejecutora = models.CharField("entidad ejecutora", max_length=255)
    monto_total = models.DecimalField(
        "monto total",
        max_digits=16,
        decimal_places=2,
        validators=[validar_monto_positivo],
    )
    moneda = models.CharField(
        "moneda", max_length=3, choices=Moneda.choices, default=Moneda.BOB
    )
    fuente_financiamiento = models.CharField(
        "fuente de financiamiento",
        max_length=20,
        choices=FuenteFinanciamiento.choices,
    )
    fase = models.CharField("fase", max_length=20, choices=Fase.choices)
    estado = models.CharField("estado", max_length=20, choices=Estado.choices)
    fecha_inicio = models.DateField(
        "fecha de inicio", validators=[validar_fecha_en_rango]
    )
    fecha_fin_programada = models.DateField(
        "fecha de fin programada", validators=[validar_fecha_en_rango]
    )
    fecha_fin_real = models.DateField(
        "fecha de fin real", null=True, blank=True, validators=[validar_fecha_en_rango]
    )

    # Usernames from the caller's token: users live in auth, not here.

    class Meta:
        verbose_name = "proyecto"
        verbose_name_plural = "proyectos"
        ordering = ["codigo"]
        indexes = [
            models.Index(fields=["estado"], name="proyecto_estado_idx"),
            models.Index(fields=["fecha_inicio"], name="proyecto_fecha_inicio_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(monto_total__gt=0), name="proyecto_monto_total_positivo"
            ),
            models.CheckConstraint(
                condition=Q(fecha_fin_programada__gte=F("fecha_inicio")),
                name="proyecto_fin_programada_tras_inicio",
            ),
            models.CheckConstraint(
                condition=Q(fecha_fin_real__isnull=True)
                | Q(fecha_fin_real__gte=F("fecha_inicio")),
                name="proyecto_fin_real_tras_inicio",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.codigo} · {self.nombre}"

    def clean(self) -> None:
        """Check the dates against each other, naming the field that is wrong."""
        errores = {}
        # A missing date already has its own "required" error from clean_fields.
        if self.fecha_inicio is None:
            return
        fin_programada = self.fecha_fin_programada
        if fin_programada is not None and fin_programada < self.fecha_inicio:
            errores["fecha_fin_programada"] = MENSAJE_FIN_PROGRAMADO_ANTERIOR
        if self.fecha_fin_real is not None and self.fecha_fin_real < self.fecha_inicio:
            errores["fecha_fin_real"] = MENSAJE_FIN_REAL_ANTERIOR
        if errores:
            raise ValidationError(errores)
