"""Programación endpoints, all under ``/programacion/<proyecto_id>/``.

Each view validates the input, calls one service (writes) or selector
(reads) and serialises what it gets back.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from app_c.models import Seguimiento
from app_c.selectors import (
    SeguimientoFilter,
    programacion_resumen_obtener,
    programacion_versiones_listar,
    seguimiento_listar,
    seguimiento_obtener,
)
from app_c.serializers import (
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


class ResumenView(APIView):
    """``GET /programacion/<proyecto_id>/``: plan in force against progress."""

    @extend_schema(responses=ResumenSerializer, operation_id="resumen_retrieve")
    def get(self, request, proyecto_id):
        resumen = programacion_resumen_obtener(proyecto_id=proyecto_id)
        return Response(ResumenSerializer(resumen).data)


class VersionesView(ListAPIView):
    """``/programacion/<proyecto_id>/versiones/``: list versions, or add one."""

    serializer_class = VersionSerializer

    def get_queryset(self):
        return programacion_versiones_listar(proyecto_id=self.kwargs["proyecto_id"])

    @extend_schema(request=VersionEntradaSerializer, responses={201: VersionSerializer})
    def post(self, request, proyecto_id):
        entrada = VersionEntradaSerializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        version = programacion_version_crear(
            proyecto_id=proyecto_id,
            creado_por=request.user.username,
            **entrada.validated_data,
        )
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class SeguimientoListaView(ListAPIView):
    """``/programacion/<proyecto_id>/seguimiento/``: list months, or report one."""

    serializer_class = SeguimientoSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = SeguimientoFilter
    # Only tells the schema generator the model; requests use get_queryset.
    queryset = Seguimiento.objects.none()

    def get_queryset(self):
        return seguimiento_listar(proyecto_id=self.kwargs["proyecto_id"])

    @extend_schema(
        request=SeguimientoEntradaSerializer, responses={201: SeguimientoSerializer}
    )
    def post(self, request, proyecto_id):
        entrada = SeguimientoEntradaSerializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        seguimiento = seguimiento_registrar(
            proyecto_id=proyecto_id,
            registrado_por=request.user.username,
            **entrada.validated_data,
        )
        return Response(
            SeguimientoSerializer(seguimiento).data, status=status.HTTP_201_CREATED
        )


class SeguimientoDetalleView(GenericAPIView):
    """``/programacion/<proyecto_id>/seguimiento/<id>/``: read, correct, delete."""

    serializer_class = SeguimientoSerializer

    def get_object(self):
        return seguimiento_obtener(
            proyecto_id=self.kwargs["proyecto_id"], seguimiento_id=self.kwargs["pk"]
        )

    def get(self, request, proyecto_id, pk):
        return Response(SeguimientoSerializer(self.get_object()).data)

    @extend_schema(request=SeguimientoEntradaSerializer)
    def put(self, request, proyecto_id, pk):
        return self._actualizar(request, parcial=False)

    @extend_schema(request=SeguimientoEntradaSerializer)
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
        )
        return Response(SeguimientoSerializer(seguimiento).data)
