"""Proyecto endpoints: CRUD, CSV export and the detalle that joins A and C.

``ATOMIC_REQUESTS`` is on for every service, which would wrap each view in
one transaction. The views here opt out with ``non_atomic_requests``: they
call A or C over the network, and a transaction held open through those
calls (up to the detalle's whole budget) pins a connection idle in a
transaction with its snapshot and row locks. Instead the services wrap only
the write in ``transaction.atomic``, after A has answered; reads need no
transaction at all.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from app_b.filters import ProyectoFilterSet
from app_b.selectors import (
    ACTUAL,
    COPIA_GUARDADA,
    EMPRESA_NO_ENCONTRADA,
    MENSAJE_COPIA,
    MENSAJE_EMPRESA_NO_ENCONTRADA,
    MENSAJE_PARCIAL,
    NO_DISPONIBLE,
    NO_ENCONTRADA,
    PARTE_NO_DISPONIBLE,
    proyecto_detalle_obtener,
    proyecto_listar,
    proyecto_obtener,
    resiliencia_obtener,
)
from app_b.serializers import (
    ProyectoDetalleSerializer,
    ProyectoSerializer,
    ResilienciaSerializer,
)
from app_b.services import proyecto_actualizar, proyecto_crear, proyecto_eliminar
from sap_common.request_id import get_request_id
from sap_common.views import ListaExportableMixin, NonAtomicViewMixin

__all__ = ["ProyectoDetalleView", "ProyectoViewSet", "ResilienciaView"]

PARAMETRO_FORMATO = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv"],
    description="csv exporta la lista filtrada completa, sin paginar.",
)
RESPUESTA_EMPRESAS_NO_DISPONIBLE = OpenApiResponse(
    description="El servicio de empresas no respondió: no se guardó nada."
)
DESCRIPCION_EMPRESA = (
    "Antes de guardar un proyecto nuevo, o un cambio de empresa_id, se consulta "
    "al servicio de empresas: la empresa debe existir y estar ACTIVA (si no, "
    "400 en empresa_id). Si ese servicio no responde, 503 y no se guarda nada."
)
DESCRIPCION_ACTUALIZAR = DESCRIPCION_EMPRESA + (
    " Un cambio de monto_total o de las fechas se consulta además al servicio "
    "de programación: el monto no puede quedar por debajo de lo programado o "
    "ejecutado, ni las fechas dejar fuera un mes con programación o "
    "seguimiento (400 en ese campo; 503 si no responde)."
)
RESPUESTA_DEPENDENCIA_NO_DISPONIBLE = OpenApiResponse(
    description="El servicio de empresas o el de programación no respondió: no "
    "se guardó nada."
)
DESCRIPCION_ELIMINAR = (
    "Un proyecto con programación o seguimiento registrados no se elimina (409): "
    "se cambia su estado a CANCELADO. Si el servicio de programación no "
    "responde, 503 y no se elimina nada."
)


def _dependency_context(request) -> dict:
    """What a call to A or C carries from the caller's request."""
    return {
        "authorization": request.META.get("HTTP_AUTHORIZATION", ""),
        "request_id": get_request_id(),
    }


@extend_schema_view(
    list=extend_schema(parameters=[PARAMETRO_FORMATO]),
    create=extend_schema(
        description=DESCRIPCION_EMPRESA,
        responses={201: ProyectoSerializer, 503: RESPUESTA_EMPRESAS_NO_DISPONIBLE},
    ),
    update=extend_schema(
        description=DESCRIPCION_ACTUALIZAR,
        responses={200: ProyectoSerializer, 503: RESPUESTA_DEPENDENCIA_NO_DISPONIBLE},
    ),
    partial_update=extend_schema(
        description=DESCRIPCION_ACTUALIZAR,
        responses={200: ProyectoSerializer, 503: RESPUESTA_DEPENDENCIA_NO_DISPONIBLE},
    ),
    destroy=extend_schema(
        description=DESCRIPCION_ELIMINAR,
        responses={
            204: None,
            409: OpenApiResponse(description="Tiene programación o seguimiento."),
            503: OpenApiResponse(
                description="El servicio de programación no respondió."
            ),
        },
    ),
)
class ProyectoViewSet(
    NonAtomicViewMixin, ListaExportableMixin, viewsets.GenericViewSet
):
    """``/proyectos/`` and ``/proyectos/<id>/``; every action needs a token.

    Writes go through ``app_b.services``, which check the empresa with A and
    record the caller's username in the audit fields.
    """

    serializer_class = ProyectoSerializer
    filterset_class = ProyectoFilterSet
    search_fields = ["codigo", "nombre"]
    ordering_fields = [
        "codigo",
        "nombre",
        "sector",
        "departamento",
        "estado",
        "fase",
        "monto_total",
        "fecha_inicio",
        "fecha_fin_programada",
        "creado_en",
        "actualizado_en",
    ]
    csv_filename = "proyectos.csv"
    # Ids are digits; anything else under /proyectos/ is another route or a 404.
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return proyecto_listar()

    def get_object(self):
        proyecto = proyecto_obtener(proyecto_id=self.kwargs["pk"])
        self.check_object_permissions(self.request, proyecto)
        return proyecto

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request):
        entrada = self.get_serializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        proyecto = proyecto_crear(
            datos=entrada.validated_data,
            usuario=request.user.username,
            **_dependency_context(request),
        )
        return Response(
            self.get_serializer(proyecto).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, pk=None, partial=False):
        entrada = self.get_serializer(
            self.get_object(), data=request.data, partial=partial
        )
        entrada.is_valid(raise_exception=True)
        proyecto = proyecto_actualizar(
            proyecto=entrada.instance,
            datos=entrada.validated_data,
            usuario=request.user.username,
            **_dependency_context(request),
        )
        return Response(self.get_serializer(proyecto).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    def destroy(self, request, pk=None):
        proyecto_eliminar(proyecto=self.get_object(), **_dependency_context(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


_EMPRESA_EJEMPLO = {
    "id": 7,
    "nit": "1020304050",
    "razon_social": "Constructora Illimani S.R.L.",
    "estado": "ACTIVA",
}
_PROGRAMACION_EJEMPLO = {
    "proyecto_id": 42,
    "version_vigente": 2,
    "avance_fisico": {"programado": "100.00", "real": "35.50"},
    "avance_financiero": {"programado": "1500000.00", "ejecutado": "512000.00"},
    "meses": [
        {
            "anio": 2026,
            "mes": 2,
            "avance_fisico_programado": "10.00",
            "avance_fisico_real": "9.50",
            "monto_programado": "150000.00",
            "monto_ejecutado": "140000.00",
        }
    ],
    # Computed by C from the marco B sends; see C's schema for every field.
    "indicadores": {
        "corte": {"anio": 2026, "mes": 2},
        "fisico_programado": "10.00",
        "fisico_real": "9.50",
        "desviacion_fisica": "-0.50",
        "financiero_programado": "10.00",
        "financiero_ejecutado": "9.33",
        "monto_programado_a_la_fecha": "150000.00",
        "desviacion_financiera": "-10000.00",
        "valor_planificado": "150000.00",
        "valor_ganado": "142500.00",
        "costo_real": "140000.00",
        "spi": "0.95",
        "cpi": "1.02",
        "saldo_por_ejecutar": "1360000.00",
        "plazo_transcurrido": "12.50",
    },
    "curva_s": [
        {
            "anio": 2026,
            "mes": 2,
            "fisico_programado_acumulado": "10.00",
            "fisico_real_acumulado": "9.50",
            "financiero_programado_acumulado": "150000.00",
            "financiero_ejecutado_acumulado": "140000.00",
        }
    ],
    "semaforo": "VERDE",
}
_PROYECTO_EJEMPLO = {
    "id": 42,
    "codigo": "0004-00123-00",
    "nombre": "Construcción del puente vehicular Río Choqueyapu",
    "descripcion": "",
    "sector": "TRANSPORTE",
    "departamento": "LA_PAZ",
    "provincia": "Murillo",
    "municipio": "La Paz",
    "empresa_id": 7,
    "entidad_ejecutora": "Gobierno Autónomo Municipal de La Paz",
    "monto_total": "1500000.00",
    "moneda": "BOB",
    "fuente_financiamiento": "TGN",
    "fase": "EJECUCION",
    "estado": "EN_EJECUCION",
    "fecha_inicio": "2026-02-01",
    "fecha_fin_programada": "2026-12-31",
    "fecha_fin_real": None,
    "creado_por": "tecnico",
    "actualizado_por": "tecnico",
    "creado_en": "2026-01-15T10:00:00-04:00",
    "actualizado_en": "2026-01-15T10:00:00-04:00",
}


_AHORA = "2026-06-10T09:30:00-04:00"
_COPIA_DE = "2026-06-10T07:05:12-04:00"


def _frescura(estado, *, desde=_AHORA, antiguedad=0):
    return {"estado": estado, "obtenida_en": desde, "antiguedad_segundos": antiguedad}


_ACTUAL = _frescura(ACTUAL)
_SIN_NADA = _frescura(NO_DISPONIBLE, desde=None, antiguedad=None)


def _ejemplo(nombre, resumen, empresa, programacion, mensaje, frescura):
    return OpenApiExample(
        nombre,
        summary=resumen,
        value={
            "proyecto": _PROYECTO_EJEMPLO,
            "empresa": empresa,
            "programacion": programacion,
            "mensaje": mensaje,
            "frescura": dict(zip(("empresa", "programacion"), frescura, strict=True)),
        },
        response_only=True,
    )


class ProyectoDetalleView(NonAtomicViewMixin, APIView):
    """``GET /proyectos/detalle/<id>/``: a proyecto with its empresa and plan."""

    @extend_schema(
        summary="Detalle consolidado de un proyecto",
        description=(
            "Devuelve el proyecto junto con su empresa (servicio de empresas) y "
            "su programación (servicio de programación), consultados a la vez "
            "con un tiempo máximo común. Al servicio de programación se le "
            "envían el monto, las fechas y el estado del proyecto para que "
            "calcule sus indicadores. Si uno de ellos no responde a tiempo, la "
            "respuesta sigue siendo 200: esa parte es la última respuesta "
            "guardada de ese servicio, si la hay, o el texto "
            f"«{PARTE_NO_DISPONIBLE}». «frescura» indica, para cada parte, si "
            "es actual o una copia guardada (y desde cuándo), y «mensaje» lo "
            "explica."
        ),
        responses={
            200: OpenApiResponse(
                ProyectoDetalleSerializer,
                description="Completo o degradado; «mensaje» es null si todo "
                "está disponible y es actual.",
                examples=[
                    _ejemplo(
                        "completo",
                        "Empresa y programación disponibles",
                        _EMPRESA_EJEMPLO,
                        _PROGRAMACION_EJEMPLO,
                        None,
                        (_ACTUAL, _ACTUAL),
                    ),
                    _ejemplo(
                        "empresa_copia_guardada",
                        "El servicio de empresas no respondió: se muestra la "
                        "última respuesta guardada",
                        _EMPRESA_EJEMPLO,
                        _PROGRAMACION_EJEMPLO,
                        MENSAJE_COPIA,
                        (
                            _frescura(COPIA_GUARDADA, desde=_COPIA_DE, antiguedad=8688),
                            _ACTUAL,
                        ),
                    ),
                    _ejemplo(
                        "empresa_no_disponible",
                        "El servicio de empresas no respondió y no hay copia guardada",
                        PARTE_NO_DISPONIBLE,
                        _PROGRAMACION_EJEMPLO,
                        MENSAJE_PARCIAL,
                        (_SIN_NADA, _ACTUAL),
                    ),
                    _ejemplo(
                        "programacion_no_disponible",
                        "El servicio de programación no respondió y no hay "
                        "copia guardada",
                        _EMPRESA_EJEMPLO,
                        PARTE_NO_DISPONIBLE,
                        MENSAJE_PARCIAL,
                        (_ACTUAL, _SIN_NADA),
                    ),
                    _ejemplo(
                        "ninguno_disponible",
                        "Ninguno de los dos servicios respondió y no hay copias",
                        PARTE_NO_DISPONIBLE,
                        PARTE_NO_DISPONIBLE,
                        MENSAJE_PARCIAL,
                        (_SIN_NADA, _SIN_NADA),
                    ),
                    _ejemplo(
                        "empresa_no_encontrada",
                        "El servicio de empresas no conoce la empresa",
                        EMPRESA_NO_ENCONTRADA,
                        _PROGRAMACION_EJEMPLO,
                        MENSAJE_EMPRESA_NO_ENCONTRADA,
                        (_frescura(NO_ENCONTRADA), _ACTUAL),
                    ),
                ],
            ),
            404: OpenApiResponse(description="El proyecto no existe."),
        },
    )
    def get(self, request, proyecto_id):
        proyecto = proyecto_obtener(proyecto_id=proyecto_id)
        detalle = proyecto_detalle_obtener(proyecto, **_dependency_context(request))
        return Response(ProyectoDetalleSerializer(detalle).data)


_POLITICA_EJEMPLO = {
    "reintentos": 3,
    "espera_inicial_s": 1.0,
    "espera_maxima_s": 8.0,
    "jitter": 0.5,
    "timeout_conexion_s": 1.0,
    "timeout_lectura_s": 3.0,
    "fallos_para_abrir": 4,
    "reset_timeout_s": 30.0,
    "presupuesto_detalle_s": 10.0,
    "copia_guardada_ttl_s": 86400,
}


class ResilienciaView(NonAtomicViewMixin, APIView):
    """``GET /proyectos/resiliencia/``: B's breakers towards A and C, for operators.

    It reads breaker state only (from this process, or Redis), never the
    database, and it calls neither A nor C.
    """

    @extend_schema(
        summary="Estado de los circuitos hacia empresas y programación",
        description=(
            "Para cada servicio del que depende este: el estado de su circuito "
            "(CERRADO, ABIERTO o SEMIABIERTO), los fallos consecutivos, desde "
            "cuándo está abierto y cuánto falta para la llamada de prueba, "
            "dónde se guarda ese estado (Redis o cada proceso) y la política "
            "de reintentos, tiempos y copias guardadas en vigor. No consulta "
            "a esos servicios."
        ),
        responses={
            200: OpenApiResponse(
                ResilienciaSerializer,
                examples=[
                    OpenApiExample(
                        "empresas_abierto",
                        summary="El circuito hacia empresas está abierto",
                        value={
                            "empresas": {
                                "estado": "ABIERTO",
                                "fallos_consecutivos": 4,
                                "abierto_desde": "2026-06-10T09:29:48-04:00",
                                "segundos_para_prueba": 18.0,
                                "estado_compartido": "redis",
                                "politica": _POLITICA_EJEMPLO,
                            },
                            "programacion": {
                                "estado": "CERRADO",
                                "fallos_consecutivos": 0,
                                "abierto_desde": None,
                                "segundos_para_prueba": None,
                                "estado_compartido": "redis",
                                "politica": _POLITICA_EJEMPLO,
                            },
                        },
                        response_only=True,
                    )
                ],
            )
        },
    )
    def get(self, request):
        return Response(ResilienciaSerializer(resiliencia_obtener()).data)
