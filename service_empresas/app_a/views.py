"""Empresa endpoints: list, create, read, update and retire (soft delete)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.response import Response

from app_a.filters import EmpresaFilterSet
from app_a.selectors import empresa_listar, empresa_obtener
from app_a.serializers import EmpresaSerializer
from app_a.services import empresa_actualizar, empresa_crear, empresa_desactivar
from sap_common.views import ListaExportableMixin

__all__ = ["EmpresaViewSet"]

PARAMETRO_FORMATO = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv"],
    description="`csv` exporta la lista filtrada completa, sin paginar.",
)


@extend_schema_view(
    list=extend_schema(
        summary="Listar empresas",
        description=(
            "Lista paginada de empresas en cualquier estado, con filtros por "
            "estado, departamento y tipo, búsqueda (`search`) por NIT y razón "
            "social, y orden (`ordering`). Con `format=csv` exporta todas las "
            "filas que cumplen los filtros."
        ),
        parameters=[PARAMETRO_FORMATO],
        responses={
            (200, "application/json"): EmpresaSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
        },
    ),
    create=extend_schema(
        summary="Registrar una empresa",
        description=(
            "Crea una empresa ACTIVA. El NIT solo admite dígitos y no puede "
            "repetirse. Los campos de auditoría se toman del token."
        ),
    ),
    retrieve=extend_schema(
        summary="Obtener una empresa",
        description=(
            "Una empresa por id, en cualquier estado (también INACTIVA); "
            "404 si no existe."
        ),
    ),
    update=extend_schema(
        summary="Reemplazar una empresa",
        description=(
            "Reemplaza los datos editables; también permite cambiar el estado "
            "(por ejemplo, reactivar una empresa INACTIVA)."
        ),
    ),
    partial_update=extend_schema(
        summary="Modificar campos de una empresa",
        description="Cambia solo los campos enviados.",
    ),
    destroy=extend_schema(
        summary="Dar de baja una empresa",
        description=(
            "No borra la empresa: su estado pasa a INACTIVA y responde 204. Los "
            "proyectos pueden referirse a ella, así que el registro se conserva y "
            "sigue disponible en GET /empresas/{id}/. Dar de baja una empresa ya "
            "inactiva no cambia nada."
        ),
    ),
)
class EmpresaViewSet(ListaExportableMixin, viewsets.GenericViewSet):
    """``/empresas/`` and ``/empresas/<id>/``; every action needs a token.

    ``DELETE`` never removes a row: it retires the empresa (``estado`` becomes
    ``INACTIVA``) because projects may point at it, and the empresa stays
    readable by id. Writes go through ``app_a.services``, which record the
    caller's username in the audit fields.
    """

    serializer_class = EmpresaSerializer
    filterset_class = EmpresaFilterSet
    search_fields = ["nit", "razon_social"]
    ordering_fields = [
        "razon_social",
        "nit",
        "tipo",
        "departamento",
        "estado",
        "creado_en",
        "actualizado_en",
    ]
    csv_filename = "empresas.csv"
    # Ids are integers; anything else under /empresas/ is another route or a 404.
    lookup_value_converter = "int"

    def get_queryset(self):
        return empresa_listar()

    def get_object(self):
        empresa = empresa_obtener(empresa_id=self.kwargs["pk"])
        self.check_object_permissions(self.request, empresa)
        return empresa

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request):
        entrada = self.get_serializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        empresa = empresa_crear(
            datos=entrada.validated_data, usuario=request.user.username
        )
        return Response(
            self.get_serializer(empresa).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, pk=None, partial=False):
        entrada = self.get_serializer(
            self.get_object(), data=request.data, partial=partial
        )
        entrada.is_valid(raise_exception=True)
        empresa = empresa_actualizar(
            empresa=entrada.instance,
            datos=entrada.validated_data,
            usuario=request.user.username,
        )
        return Response(self.get_serializer(empresa).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    def destroy(self, request, pk=None):
        empresa_desactivar(empresa=self.get_object(), usuario=request.user.username)
        return Response(status=status.HTTP_204_NO_CONTENT)
