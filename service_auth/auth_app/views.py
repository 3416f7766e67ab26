"""Auth endpoints: register, obtain and refresh tokens, and read oneself."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from auth_app.serializers import (
    RegistroSerializer,
    TokenRefreshSinUsuarioSerializer,
    UsuarioSerializer,
)
from auth_app.services import usuario_registrar


class RegistroView(APIView):
    """``POST /auth/register/``: anyone may create an account."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "credenciales"

    @extend_schema(request=RegistroSerializer, responses={201: UsuarioSerializer})
    def post(self, request):
        entrada = RegistroSerializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        usuario = usuario_registrar(**entrada.validated_data)
        return Response(UsuarioSerializer(usuario).data, status=status.HTTP_201_CREATED)


class TokenView(TokenObtainPairView):
    """``POST /auth/token/``: username and password for an access/refresh pair."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "credenciales"


class TokenRefreshConLimiteView(TokenRefreshView):
    """``POST /auth/token/refresh/``: a refresh token for a new access token."""

    serializer_class = TokenRefreshSinUsuarioSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "credenciales"


class YoView(APIView):
    """``GET /auth/me/``: the caller's own user."""

    @extend_schema(responses=UsuarioSerializer)
    def get(self, request):
        return Response(UsuarioSerializer(request.user).data)
