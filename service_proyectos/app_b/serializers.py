"""Input and output shapes of the proyectos API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from app_b.models import Proyecto
from app_b.selectors import (
    EMPRESA_NO_ENCONTRADA,
    ESTADO_LOCAL,
    ESTADO_LOCAL_POR_FALLA,
    ESTADO_REDIS,
    ESTADOS_CIRCUITO,
    ESTADOS_EMPRESA,
    ESTADOS_PROGRAMACION,
    PARTE_NO_DISPONIBLE,
)


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


class FrescuraParteSerializer(serializers.Serializer):
    """How fresh one part of the detalle is; subclasses set ``estado``."""

    obtenida_en = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Cuándo se obtuvo del servicio lo que se muestra: ahora si "
        "respondió, la fecha de la copia si es una copia guardada; null si no "
        "hay nada que mostrar.",
    )
    antiguedad_segundos = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Segundos transcurridos desde obtenida_en (0 si es actual).",
    )


class FrescuraEmpresaSerializer(FrescuraParteSerializer):
    """Freshness of the empresa part."""

    estado = serializers.ChoiceField(
        choices=ESTADOS_EMPRESA,
        read_only=True,
        help_text="actual: respondió el servicio de empresas; copia_guardada: "
        "no respondió y se muestra la última respuesta guardada; "
        "no_disponible: no respondió y no hay copia; no_encontrada: el "
        "servicio no conoce la empresa.",
    )


class FrescuraProgramacionSerializer(FrescuraParteSerializer):
    """Freshness of the programación part."""

    estado = serializers.ChoiceField(
        choices=ESTADOS_PROGRAMACION,
        read_only=True,
        help_text="actual: respondió el servicio de programación; "
        "copia_guardada: no respondió y se muestra la última respuesta "
        "guardada; no_disponible: no respondió y no hay copia; sin_datos: el "
        "proyecto aún no tiene programación.",
    )


class FrescuraSerializer(serializers.Serializer):
    """Freshness of each part that comes from another service."""

    empresa = FrescuraEmpresaSerializer(read_only=True)
    programacion = FrescuraProgramacionSerializer(read_only=True)


class ProyectoDetalleSerializer(serializers.Serializer):
    """The consolidated view of one proyecto with its empresa and programación.

    Read-only output of ``GET /proyectos/detalle/<id>/``. A part whose service
    did not answer in time is its last kept copy, or a Spanish string when
    there is none; ``frescura`` and ``mensaje`` say so. The answer is still a
    200.
    """

    proyecto = ProyectoSerializer(read_only=True)
    empresa = EmpresaParteField(
        read_only=True,
        help_text="Objeto de la empresa (actual o copia guardada), o el texto "
        f"«{PARTE_NO_DISPONIBLE}» o «{EMPRESA_NO_ENCONTRADA}».",
    )
    programacion = ProgramacionParteField(
        read_only=True,
        allow_null=True,
        help_text="Objeto de la programación (actual o copia guardada), null "
        "si el proyecto aún no tiene una, o el texto "
        f"«{PARTE_NO_DISPONIBLE}».",
    )
    mensaje = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="null cuando toda la información está disponible y es "
        "actual; si no, explica qué falta o qué proviene de una copia guardada.",
    )
    frescura = FrescuraSerializer(
        read_only=True,
        help_text="Para la empresa y la programación: si son actuales, una "
        "copia guardada (y desde cuándo), o por qué faltan.",
    )


class PoliticaSerializer(serializers.Serializer):
    """The retry, breaker and budget numbers a dependency is called with."""

    reintentos = serializers.IntegerField(
        help_text="Reintentos tras el primer intento, solo ante fallas "
        "transitorias (conexión, tiempo agotado, 500/502/503/504)."
    )
    espera_inicial_s = serializers.FloatField(
        help_text="Primera espera entre intentos; se duplica en cada reintento."
    )
    espera_maxima_s = serializers.FloatField(
        help_text="Tope de la espera entre intentos, antes del jitter."
    )
    jitter = serializers.FloatField(
        help_text="Fracción aleatoria máxima que se suma a cada espera."
    )
    timeout_conexion_s = serializers.FloatField(
        help_text="Tiempo máximo para conectar en cada intento."
    )
    timeout_lectura_s = serializers.FloatField(
        help_text="Tiempo máximo sin recibir datos en cada intento."
    )
    fallos_para_abrir = serializers.IntegerField(
        help_text="Fallos consecutivos que abren el circuito."
    )
    reset_timeout_s = serializers.FloatField(
        help_text="Tiempo que el circuito queda abierto antes de una llamada de prueba."
    )
    presupuesto_detalle_s = serializers.FloatField(
        help_text="Tiempo total que el detalle puede esperar a ambos servicios."
    )
    copia_guardada_ttl_s = serializers.IntegerField(
        help_text="Vigencia de una copia guardada de la última respuesta."
    )


class DependenciaResilienciaSerializer(serializers.Serializer):
    """One dependency's circuit breaker as it stands, and its policy."""

    estado = serializers.ChoiceField(
        choices=list(ESTADOS_CIRCUITO.values()),
        help_text="CERRADO: se llama con normalidad; ABIERTO: se responde sin "
        "llamar hasta la próxima prueba; SEMIABIERTO: una llamada de prueba "
        "decide si se cierra.",
    )
    fallos_consecutivos = serializers.IntegerField(
        help_text="Fallos seguidos contados desde la última respuesta válida."
    )
    abierto_desde = serializers.DateTimeField(
        allow_null=True, help_text="Cuándo se abrió; null si está cerrado."
    )
    segundos_para_prueba = serializers.FloatField(
        allow_null=True,
        help_text="Segundos hasta que se permita la llamada de prueba (0 si ya "
        "se permite); null si no está abierto.",
    )
    estado_compartido = serializers.ChoiceField(
        choices=[ESTADO_REDIS, ESTADO_LOCAL, ESTADO_LOCAL_POR_FALLA],
        help_text="redis: el estado lo comparten todos los procesos; local: "
        "cada proceso lleva el suyo (sin REDIS_URL); local_por_falla_de_redis: "
        "Redis no responde y este proceso usa su último estado conocido.",
    )
    politica = PoliticaSerializer()


class ResilienciaSerializer(serializers.Serializer):
    """Output of ``GET /proyectos/resiliencia/``: one entry per dependency."""

    empresas = DependenciaResilienciaSerializer(
        help_text="Llamadas al servicio de empresas."
    )
    programacion = DependenciaResilienciaSerializer(
        help_text="Llamadas al servicio de programación."
    )
