"""Input and output shapes of the programación API.

Input serializers check each value on its own (ranges, types). Rules that
look at several rows, or at what is already stored, live in ``services.py``.
"""

from rest_framework import serializers

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


class ResumenSerializer(serializers.Serializer):
    """A proyecto's programación at a glance, as service_proyectos shows it."""

    proyecto_id = serializers.IntegerField()
    version_vigente = serializers.IntegerField(allow_null=True)
    avance_fisico = AvanceFisicoSerializer()
    avance_financiero = AvanceFinancieroSerializer()
    meses = MesResumenSerializer(many=True)
