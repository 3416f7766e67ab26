"""Programación endpoints, all under ``/programacion/<proyecto_id>/``.

Each view validates the input, calls one service (writes) or selector
(reads) and serialises what it gets back. The caller's ``Authorization``
header goes along to the services and to the summary, which read the
proyecto's marco from service_proyectos with it.

The views that write call service_proyectos first, so they opt out of
``ATOMIC_REQUESTS`` (``NonAtomicViewMixin``): their service functions open
the transaction around the write, once proyectos has answered.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from app_c import openapi_examples
from app_c.indicadores import ESTADOS
from app_c.models import Seguimiento
from app_c.selectors import (
    SeguimientoFilter,
    programacion_limites_obtener,
    programacion_resumen_obtener,
    programacion_versiones_listar,
    seguimiento_listar,
    seguimiento_obtener,
)
from app_c.serializers import (
    LimitesSerializer,
    MarcoSerializer,
    ResumenSerializer,
    SeguimientoEntradaSerializer,
    SeguimientoSerializer,
    VersionEntradaSerializer,
    VersionSerializer,
)
from app_c.services import (
    programacion_version_crear,
    seguimiento_actualizar,
    seguimiento_eliminar,
    seguimiento_registrar,
)
from sap_common.views import NonAtomicViewMixin

RESPUESTA_PROYECTO_NO_EXISTE = OpenApiResponse(
    description="El servicio de proyectos no conoce el proyecto: "
    "«El proyecto no existe.»"
)
RESPUESTA_PROYECTOS_NO_DISPONIBLE = OpenApiResponse(
    description="El servicio de proyectos no respondió a tiempo; no se guardó nada."
)
DESCRIPCION_MARCO_EN_ESCRITURA = (
    "Antes de guardar se consulta el proyecto en el servicio de proyectos: "
    "cada mes debe caer entre el mes de fecha_inicio y el de fecha_fin_real "
    "(o fecha_fin_programada), y los montos acumulados no pueden superar el "
    "monto_total (400 con el campo). Proyecto inexistente: 404. Servicio de "
    "proyectos no disponible: 503 y no se guarda nada."
)

PARAMETROS_MARCO = [
    OpenApiParameter(
        "monto_total",
        OpenApiTypes.DECIMAL,
        description="Monto total del proyecto, mayor que cero.",
    ),
    OpenApiParameter("fecha_inicio", OpenApiTypes.DATE),
    OpenApiParameter(
        "fecha_fin_programada",
        OpenApiTypes.DATE,
        description="No anterior a fecha_inicio.",
    ),
    OpenApiParameter("estado", OpenApiTypes.STR, enum=list(ESTADOS)),
    OpenApiParameter(
        "fecha_fin_real",
        OpenApiTypes.DATE,
        description="Opcional; no anterior a fecha_inicio.",
    ),
]


def _autorizacion(request) -> str:
    return request.META.get("HTTP_AUTHORIZATION", "")


class ResumenView(APIView):
    """``GET /programacion/<proyecto_id>/``: plan in force against progress."""

    @extend_schema(
        operation_id="resumen_retrieve",
        description=(
            "Programación vigente frente al seguimiento, con los indicadores "
            "que se calculan de ambos (nunca se guardan): avance físico y "
            "financiero a la fecha de corte, desviaciones, valor ganado (PV, "
            "EV, AC, SPI, CPI), saldo, plazo transcurrido, curva S y semáforo.\n\n"
            "Los indicadores necesitan el marco del proyecto (monto_total, "
            "fechas, estado), que es del servicio de proyectos. Quien lo tiene "
            "lo envía como parámetros (todos juntos; fecha_fin_real es "
            "opcional): así lo hace el detalle del servicio de proyectos. Sin "
            "ellos, este servicio lo consulta al de proyectos: 404 si el "
            "proyecto no existe, 503 si ese servicio no responde."
        ),
        parameters=PARAMETROS_MARCO,
        responses={
            200: ResumenSerializer,
            400: OpenApiResponse(
                description="Un parámetro del marco falta o no es válido."
            ),
            404: RESPUESTA_PROYECTO_NO_EXISTE,
            503: OpenApiResponse(
                description="El servicio de proyectos no respondió a tiempo."
            ),
        },
        examples=[
            OpenApiExample(
                "Proyecto en ejecución, algo atrasado",
                value=openapi_examples.RESUMEN,
                response_only=True,
                status_codes=["200"],
            )
        ],
    )
    def get(self, request, proyecto_id):
        marco = MarcoSerializer.desde_parametros(request.query_params)
        resumen = programacion_resumen_obtener(
            proyecto_id=proyecto_id, marco=marco, authorization=_autorizacion(request)
        )
        return Response(ResumenSerializer(resumen).data)


class LimitesView(APIView):
    """``GET /programacion/<proyecto_id>/limites/``: what binds the proyecto.

    Read by service_proyectos before it changes or deletes a proyecto, so it
    needs no marco and never calls back into that service.
    """

    @extend_schema(
        summary="Límites que la programación impone al proyecto",
        description=(
            "Lo que este servicio guarda del proyecto y que los datos del "
            "propio proyecto deben seguir respetando. El servicio de proyectos "
            "lo consulta antes de cambiar un proyecto: el mes de fecha_inicio "
            "no puede quedar después de primer_periodo, el de fecha_fin_real "
            "(o fecha_fin_programada) no puede quedar antes de ultimo_periodo, "
            "y monto_total no puede bajar de monto_programado ni de "
            "monto_ejecutado. Mientras tiene_registros sea true, el proyecto "
            "no se puede eliminar.\n\n"
            "Los periodos abarcan los meses de la versión vigente y todo el "
            "seguimiento; las versiones anteriores son la línea base histórica "
            "y no limitan las fechas, aunque sí cuentan en tiene_registros. "
            "Siempre responde 200: sin programación ni seguimiento, "
            "tiene_registros es false, los periodos null y los montos 0.00. "
            "No consulta el servicio de proyectos."
        ),
        responses={200: LimitesSerializer},
        examples=[
            OpenApiExample(
                "Reprogramado a cuatro meses, ya ejecutados",
                value=openapi_examples.LIMITES,
                response_only=True,
                status_codes=["200"],
            )
        ],
    )
    def get(self, request, proyecto_id):
        limites = programacion_limites_obtener(proyecto_id=proyecto_id)
        return Response(LimitesSerializer(limites).data)


class VersionesView(NonAtomicViewMixin, ListAPIView):
    """``/programacion/<proyecto_id>/versiones/``: list versions, or add one."""

    serializer_class = VersionSerializer

    def get_queryset(self):
        return programacion_versiones_listar(proyecto_id=self.kwargs["proyecto_id"])

    @extend_schema(
        request=VersionEntradaSerializer,
        description=DESCRIPCION_MARCO_EN_ESCRITURA,
        responses={
            201: VersionSerializer,
            404: RESPUESTA_PROYECTO_NO_EXISTE,
            503: RESPUESTA_PROYECTOS_NO_DISPONIBLE,
        },
    )
    def post(self, request, proyecto_id):
        entrada = VersionEntradaSerializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        version = programacion_version_crear(
            proyecto_id=proyecto_id,
            creado_por=request.user.username,
            authorization=_autorizacion(request),
            **entrada.validated_data,
        )
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class SeguimientoListaView(NonAtomicViewMixin, ListAPIView):
    """``/programacion/<proyecto_id>/seguimiento/``: list months, or report one."""

    serializer_class = SeguimientoSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = SeguimientoFilter
    # Only tells the schema generator the model; requests use get_queryset.
    queryset = Seguimiento.objects.none()

    def get_queryset(self):
        return seguimiento_listar(proyecto_id=self.kwargs["proyecto_id"])

    @extend_schema(
        request=SeguimientoEntradaSerializer,
        description=DESCRIPCION_MARCO_EN_ESCRITURA,
        responses={
            201: SeguimientoSerializer,
            404: RESPUESTA_PROYECTO_NO_EXISTE,
            503: RESPUESTA_PROYECTOS_NO_DISPONIBLE,
        },
    )
    def post(self, request, proyecto_id):
        entrada = SeguimientoEntradaSerializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        seguimiento = seguimiento_registrar(
            proyecto_id=proyecto_id,
            registrado_por=request.user.username,
            authorization=_autorizacion(request),
            **entrada.validated_data,
        )
        return Response(
            SeguimientoSerializer(seguimiento).data, status=status.HTTP_201_CREATED
        )


RESPUESTAS_ACTUALIZAR = {
    200: SeguimientoSerializer,
    404: OpenApiResponse(description="El seguimiento o el proyecto no existe."),
    503: RESPUESTA_PROYECTOS_NO_DISPONIBLE,
}


class SeguimientoDetalleView(NonAtomicViewMixin, GenericAPIView):
    """``/programacion/<proyecto_id>/seguimiento/<id>/``: read, correct, delete."""

    serializer_class = SeguimientoSerializer

    def get_object(self):
        return seguimiento_obtener(
            proyecto_id=self.kwargs["proyecto_id"], seguimiento_id=self.kwargs["pk"]
        )

    def get(self, request, proyecto_id, pk):
        return Response(SeguimientoSerializer(self.get_object()).data)

    @extend_schema(
        request=SeguimientoEntradaSerializer,
        description=DESCRIPCION_MARCO_EN_ESCRITURA,
        responses=RESPUESTAS_ACTUALIZAR,
    )
    def put(self, request, proyecto_id, pk):
        return self._actualizar(request, parcial=False)

    @extend_schema(
        request=SeguimientoEntradaSerializer,
        description=DESCRIPCION_MARCO_EN_ESCRITURA
        + " Solo se consulta si cambia el mes, el año o el monto ejecutado.",
        responses=RESPUESTAS_ACTUALIZAR,
    )
    def patch(self, request, proyecto_id, pk):
        return self._actualizar(request, parcial=True)

    def delete(self, request, proyecto_id, pk):
        seguimiento_eliminar(seguimiento=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _actualizar(self, request, *, parcial: bool):
        seguimiento = self.get_object()
        entrada = SeguimientoEntradaSerializer(data=request.data, partial=parcial)
        entrada.is_valid(raise_exception=True)
        seguimiento = seguimiento_actualizar(
            seguimiento=seguimiento,
            datos=entrada.validated_data,
            registrado_por=request.user.username,
            authorization=_autorizacion(request),
        )
        return Response(SeguimientoSerializer(seguimiento).data)
