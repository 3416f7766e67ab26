"""Input and output shapes of the proyectos API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from app_b.models import Proyecto
from app_b.selectors import EMPRESA_NO_ENCONTRADA, PARTE_NO_DISPONIBLE


class ProyectoSerializer(serializers.ModelSerializer):
    """A proyecto as the API reads and writes it.

    Field rules (choices, the positive amount, the unique ``codigo``) come
    from the model, so the API and the admin give the same messages. The
    rules that compare dates run in the service, on the merged record.
    """

    class Meta:
        model = Proyecto
        fields = [
            "id",
            "codigo",
            "nombre",
            "descripcion",
            "sector",
            "departamento",
            "provincia",
            "municipio",
            "empresa_id",
            "entidad_ejecutora",
            "monto_total",
            "moneda",
            "fuente_financiamiento",
            "fase",
            "estado",
            "fecha_inicio",
            "fecha_fin_programada",
            "fecha_fin_real",
            "creado_por",
            "actualizado_por",
            "creado_en",
            "actualizado_en",
        ]
        read_only_fields = [
            "id",
            "creado_por",
            "actualizado_por",
            "creado_en",
            "actualizado_en",
        ]


_NO_DISPONIBLE = {"type": "string", "enum": [PARTE_NO_DISPONIBLE]}


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "object",
                "description": "La empresa tal como la devuelve el servicio de "
                "empresas.",
                "properties": {
                    "id": {"type": "integer"},
                    "nit": {"type": "string"},
                    "razon_social": {"type": "string"},
                    "estado": {"type": "string"},
                },
                "additionalProperties": True,
            },
            {"type": "string", "enum": [PARTE_NO_DISPONIBLE, EMPRESA_NO_ENCONTRADA]},
        ]
    }
)
class EmpresaParteField(serializers.JSONField):
    """The empresa from A, or a Spanish word for why it is missing."""


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "object",
                "description": "La programación tal como la devuelve el servicio "
                "de programación.",
                "additionalProperties": True,
            },
            _NO_DISPONIBLE,
        ],
        "nullable": True,
    }
)
class ProgramacionParteField(serializers.JSONField):
    """The programación from C, ``null`` when C has none, or "unavailable"."""


class ProyectoDetalleSerializer(serializers.Serializer):
    """The consolidated view of one proyecto with its empresa and programación.

    Read-only output of ``GET /proyectos/detalle/<id>/``. A part whose service
    did not answer in time is a Spanish string instead of an object, and
    ``mensaje`` says so; the answer is still a 200.
    """

    proyecto = ProyectoSerializer(read_only=True)
    empresa = EmpresaParteField(
        read_only=True,
        help_text="Objeto de la empresa, o el texto "
        f"«{PARTE_NO_DISPONIBLE}» o «{EMPRESA_NO_ENCONTRADA}».",
    )
    programacion = ProgramacionParteField(
        read_only=True,
        allow_null=True,
        help_text="Objeto de la programación, null si el proyecto aún no "
        f"tiene una, o el texto «{PARTE_NO_DISPONIBLE}».",
    )
    mensaje = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="null cuando toda la información está disponible; si no, "
        "explica qué falta.",
    )
