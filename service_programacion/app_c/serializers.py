"""Input and output shapes of the programación API.

Input serializers check each value on its own (ranges, types). Rules that
look at several rows, or at what is already stored, live in ``services.py``.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from rest_framework import serializers

from app_c.indicadores import ESTADOS, SEMAFOROS, Marco
from app_c.models import (
    MONTO,
    PORCENTAJE,
    VALIDADORES_ANIO,
    VALIDADORES_MES,
    VALIDADORES_MONTO,
    VALIDADORES_PORCENTAJE,
    ProgramacionMensual,
    ProgramacionVersion,
    Seguimiento,
)

MENSAJE_SIN_MESES = "Incluya al menos un mes en la programación."
MENSAJE_MONTO_TOTAL = "El monto total debe ser mayor que cero."
MENSAJE_FIN_PROGRAMADA = (
    "La fecha de fin programada no puede ser anterior a la fecha de inicio."
)
MENSAJE_FIN_REAL = "La fecha de fin real no puede ser anterior a la fecha de inicio."


def _porcentaje():
    return serializers.DecimalField(**PORCENTAJE, validators=VALIDADORES_PORCENTAJE)


def _monto():
    return serializers.DecimalField(**MONTO, validators=VALIDADORES_MONTO)


class MesProgramadoEntradaSerializer(serializers.Serializer):
    """One month of a new version of the plan."""

    anio = serializers.IntegerField(validators=VALIDADORES_ANIO)
    mes = serializers.IntegerField(validators=VALIDADORES_MES)
    avance_fisico_programado = _porcentaje()
    monto_programado = _monto()


class VersionEntradaSerializer(serializers.Serializer):
    """A new version: why it is made and every month it plans."""

    motivo = serializers.CharField(required=False, allow_blank=True, default="")
    meses = MesProgramadoEntradaSerializer(many=True)

    def validate_meses(self, meses):
        # Checked here rather than with allow_empty, whose error DRF nests
        # under "non_field_errors" instead of naming the field.
        if not meses:
            raise serializers.ValidationError(MENSAJE_SIN_MESES)
        return meses


class MesProgramadoSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgramacionMensual
        fields = ["anio", "mes", "avance_fisico_programado", "monto_programado"]
        read_only_fields = fields


class VersionSerializer(serializers.ModelSerializer):
    """A version as the API shows it, with its months in order."""

    meses = MesProgramadoSerializer(many=True, read_only=True)

    class Meta:
        model = ProgramacionVersion
        fields = [
            "id",
            "proyecto_id",
            "numero",
            "motivo",
            "creado_por",
            "creado_en",
            "meses",
        ]
        read_only_fields = fields


class SeguimientoEntradaSerializer(serializers.Serializer):
    """What someone reports for one month of a proyecto."""

    anio = serializers.IntegerField(validators=VALIDADORES_ANIO)
    mes = serializers.IntegerField(validators=VALIDADORES_MES)
    avance_fisico_real = _porcentaje()
    monto_ejecutado = _monto()
    fecha_corte = serializers.DateField()
    observaciones = serializers.CharField(required=False, allow_blank=True, default="")


class SeguimientoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Seguimiento
        fields = [
            "id",
            "proyecto_id",
            "anio",
            "mes",
            "avance_fisico_real",
            "monto_ejecutado",
            "fecha_corte",
            "observaciones",
            "registrado_por",
            "creado_en",
            "actualizado_en",
        ]
        read_only_fields = fields


class _TotalField(serializers.DecimalField):
    """A sum: two decimals, no limit on the number of digits."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=None, decimal_places=2, **kwargs)


class AvanceFisicoSerializer(serializers.Serializer):
    programado = _TotalField()
    real = _TotalField()


class AvanceFinancieroSerializer(serializers.Serializer):
    programado = _TotalField()
    ejecutado = _TotalField()


class MesResumenSerializer(serializers.Serializer):
    """One month, plan against done; a side with no row is ``null``."""

    anio = serializers.IntegerField()
    mes = serializers.IntegerField()
    avance_fisico_programado = _TotalField(allow_null=True)
    avance_fisico_real = _TotalField(allow_null=True)
    monto_programado = _TotalField(allow_null=True)
    monto_ejecutado = _TotalField(allow_null=True)


class MarcoSerializer(serializers.Serializer):
    """A proyecto's marco: what service_proyectos owns and C's figures read.

    Reads both the query parameters service_proyectos sends with a summary
    request and that service's own answer about a proyecto (whose other
    fields it ignores). The date rules are service_proyectos' own, repeated
    here because query parameters can come from anyone holding a token.
    """

    CAMPOS = (
        "monto_total",
        "fecha_inicio",
        "fecha_fin_programada",
        "estado",
        "fecha_fin_real",
    )

    monto_total = serializers.DecimalField(
        **MONTO,
        # Not min_value: its message would not say what service_proyectos says.
        validators=[MinValueValidator(Decimal("0.01"), MENSAJE_MONTO_TOTAL)],
    )
    fecha_inicio = serializers.DateField()
    fecha_fin_programada = serializers.DateField()
    estado = serializers.ChoiceField(choices=ESTADOS)
    fecha_fin_real = serializers.DateField(
        required=False, allow_null=True, default=None
    )

    def validate(self, attrs):
        errores = {}
        inicio = attrs["fecha_inicio"]
        if attrs["fecha_fin_programada"] < inicio:
            errores["fecha_fin_programada"] = [MENSAJE_FIN_PROGRAMADA]
        if attrs["fecha_fin_real"] is not None and attrs["fecha_fin_real"] < inicio:
            errores["fecha_fin_real"] = [MENSAJE_FIN_REAL]
        if errores:
            raise serializers.ValidationError(errores)
        return attrs

    @classmethod
    def desde_parametros(cls, parametros) -> Marco | None:
        """The marco sent as query parameters, or None when none was sent.

        Any one marco parameter makes the whole marco required, so a caller
        who sends part of it hears which parameter is missing instead of
        having the rest silently fetched elsewhere.
        """
        if not any(campo in parametros for campo in cls.CAMPOS):
            return None
        entrada = cls(data=parametros)
        entrada.is_valid(raise_exception=True)
        return Marco(**entrada.validated_data)


class CorteSerializer(serializers.Serializer):
    anio = serializers.IntegerField()
    mes = serializers.IntegerField()


class IndicadoresSerializer(serializers.Serializer):
    """A proyecto's figures at the corte month, computed on every request.

    Percentages run from 0 to 100; amounts are in the proyecto's currency.
    """

    corte = CorteSerializer(
        help_text="Mes hasta el que se mide «a la fecha»: el último mes con "
        "seguimiento o, si aún no hay ninguno, el último mes cerrado."
    )
    fisico_programado = _TotalField(help_text="Avance físico programado (%).")
    fisico_real = _TotalField(help_text="Avance físico real (%).")
    desviacion_fisica = _TotalField(
        help_text="Real menos programado, en puntos porcentuales."
    )
    financiero_programado = _TotalField(
        help_text="Monto programado como % del monto total."
    )
    financiero_ejecutado = _TotalField(
        help_text="Monto ejecutado como % del monto total."
    )
    monto_programado_a_la_fecha = _TotalField()
    desviacion_financiera = _TotalField(
        help_text="Monto ejecutado menos monto programado a la fecha."
    )
    valor_planificado = _TotalField(
        help_text="PV: avance físico programado × monto total."
    )
    valor_ganado = _TotalField(help_text="EV: avance físico real × monto total.")
    costo_real = _TotalField(help_text="AC: monto ejecutado a la fecha.")
    spi = _TotalField(
        allow_null=True, help_text="EV / PV; null si PV es cero (nada vencido aún)."
    )
    cpi = _TotalField(allow_null=True, help_text="EV / AC; null si AC es cero.")
    saldo_por_ejecutar = _TotalField(help_text="Monto total menos costo real.")
    plazo_transcurrido = _TotalField(
        help_text="Días transcurridos sobre días programados (%), entre 0 y 100."
    )


class CurvaSMesSerializer(serializers.Serializer):
    """One month of the S curve; the real series is null after the corte."""

    anio = serializers.IntegerField()
    mes = serializers.IntegerField()
    fisico_programado_acumulado = _TotalField()
    fisico_real_acumulado = _TotalField(allow_null=True)
    financiero_programado_acumulado = _TotalField()
    financiero_ejecutado_acumulado = _TotalField(allow_null=True)


class ResumenSerializer(serializers.Serializer):
    """A proyecto's programación at a glance, as service_proyectos shows it."""

    proyecto_id = serializers.IntegerField()
    version_vigente = serializers.IntegerField(allow_null=True)
    avance_fisico = AvanceFisicoSerializer()
    avance_financiero = AvanceFinancieroSerializer()
    meses = MesResumenSerializer(many=True)
    indicadores = IndicadoresSerializer()
    curva_s = CurvaSMesSerializer(many=True)
    semaforo = serializers.ChoiceField(
        choices=SEMAFOROS,
        help_text="ROJO si el proyecto está paralizado, o vencido sin concluir; "
        "si no, SIN_DATOS mientras no tenga programación; si no, por el SPI: "
        "VERDE desde 0.95, AMARILLO desde 0.85, ROJO debajo (umbrales "
        "configurables). Sin nada vencido aún (SPI null), VERDE.",
    )


class LimitesSerializer(serializers.Serializer):
    """What C holds that a proyecto's own record must keep covering.

    service_proyectos reads it before it changes or deletes a proyecto.
    """

    proyecto_id = serializers.IntegerField()
    tiene_registros = serializers.BooleanField(
        help_text="Hay alguna versión de programación (vigente o anterior) o "
        "algún seguimiento: mientras sea true el proyecto no se puede eliminar."
    )
    primer_periodo = serializers.CharField(
        allow_null=True,
        help_text="Primer mes (AAAA-MM) entre la programación vigente y el "
        "seguimiento; null si no hay ninguno. La fecha de inicio del proyecto "
        "no puede quedar después de este mes.",
    )
    ultimo_periodo = serializers.CharField(
        allow_null=True,
        help_text="Último mes (AAAA-MM) entre la programación vigente y el "
        "seguimiento; null si no hay ninguno. La fecha de fin del proyecto no "
        "puede quedar antes de este mes.",
    )
    monto_programado = _TotalField(
        help_text="Suma de la programación vigente; el monto total del "
        "proyecto no puede ser menor."
    )
    monto_ejecutado = _TotalField(
        help_text="Suma de todo el seguimiento; el monto total del proyecto no "
        "puede ser menor."
    )
