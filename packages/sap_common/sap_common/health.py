"""Liveness and readiness views, open to anyone (probes carry no token)."""

import logging

from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger(__name__)

_EstadoSerializer = inline_serializer(
    name="EstadoServicio",
    fields={"estado": serializers.CharField(), "servicio": serializers.CharField()},
)


class HealthView(APIView):
    """Live: the process answers. Touches nothing else."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    service_name = "-"

    @extend_schema(responses=_EstadoSerializer, tags=["salud"])
    def get(self, request):
        return Response({"estado": "ok", "servicio": self.service_name})


class ReadyView(APIView):
    """Ready: the service's own database answers a trivial query."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    service_name = "-"

    @extend_schema(responses=_EstadoSerializer, tags=["salud"])
    def get(self, request):
        try:
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            logger.warning("readiness check failed: database unreachable")
            return Response(
                {"estado": "sin_base_de_datos", "servicio": self.service_name},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response({"estado": "ok", "servicio": self.service_name})
