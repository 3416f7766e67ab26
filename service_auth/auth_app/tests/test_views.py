import jwt
import pytest
from django.conf import settings
from rest_framework import status

from sap_common.parsers import MENSAJE_JSON_INVALIDO

pytestmark = pytest.mark.django_db

REGISTRO = "/auth/register/"


def _registro(username="funcionaria", password="Clave-Segura-2026", **extra):
    return {
        "username": username,
        "password": password,
        "email": "f@example.org",
    } | extra


class TestRegistro:
    def test_creates_user_and_never_echoes_the_password(
        self, api_client, django_user_model
    ):
        respuesta = api_client.post(REGISTRO, _registro(), format="json")

        assert respuesta.status_code == status.HTTP_201_CREATED
        cuerpo = respuesta.json()
        assert cuerpo["username"] == "funcionaria"
        assert "password" not in cuerpo
        usuario = django_user_model.objects.get(username="funcionaria")
        assert usuario.check_password("Clave-Segura-2026")

    def test_duplicate_username_is_a_clear_400(self, api_client, usuario):
        respuesta = api_client.post(
            REGISTRO, _registro(username="TECNICO1"), format="json"
        )

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        cuerpo = respuesta.json()
        assert cuerpo["codigo"] == "validacion"
        assert cuerpo["errores"]["username"] == [
            "Ya existe un usuario con ese nombre de usuario."
        ]

    @pytest.mark.parametrize(
        ("password", "fragmento"),
        [
            ("corta1", "demasiado corta"),
            ("12345678901", "completamente numérica"),
            ("password123", "demasiado común"),
        ],
    )
    def test_weak_password_is_refused_in_spanish(
        self, api_client, django_user_model, password, fragmento
    ):
        respuesta = api_client.post(
            REGISTRO, _registro(password=password), format="json"
        )

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        errores = " ".join(respuesta.json()["errores"]["password"])
        assert fragmento in errores
        assert not django_user_model.objects.filter(username="funcionaria").exists()

    def test_a_null_body_is_refused_in_spanish(self, api_client):
        respuesta = api_client.post(
            REGISTRO, data=b"null", content_type="application/json"
        )

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"] == {
            "non_field_errors": ["No se enviaron datos."]
        }

    def test_missing_fields_are_named(self, api_client):
        respuesta = api_client.post(REGISTRO, {}, format="json")

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        errores = respuesta.json()["errores"]
        assert set(errores) == {"username", "email", "password"}
        assert errores["email"] == ["Este campo es requerido."]

    @pytest.mark.parametrize(
        "cuerpo",
        [
            b"{no es json",
            b'{"username": "\xff"}',
            b'{"username": ' + b"9" * 5000 + b"}",
            # Deep enough to exhaust Python's recursion limit while decoding.
            b"[" * 100_000 + b"]" * 100_000,
        ],
        ids=["sintaxis", "no_utf8", "entero_enorme", "anidado"],
    )
    def test_unreadable_json_is_a_spanish_400_without_internals(
        self, api_client, cuerpo
    ):
        respuesta = api_client.post(
            REGISTRO, data=cuerpo, content_type="application/json"
        )

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["mensaje"] == MENSAJE_JSON_INVALIDO
        assert respuesta.json()["request_id"]

    @pytest.mark.parametrize(
        "username", ["con espacio", "a\u000bb", "<script>", "\u202egnp.exe"]
    )
    def test_username_outside_djangos_rule_is_refused(
        self, api_client, django_user_model, username
    ):
        respuesta = api_client.post(
            REGISTRO, _registro(username=username), format="json"
        )

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert "username" in respuesta.json()["errores"]
        assert not django_user_model.objects.exists()

    def test_email_already_in_use_is_a_clear_400(self, api_client, usuario):
        respuesta = api_client.post(
            REGISTRO,
            _registro(username="otra", email=usuario.email.upper()),
            format="json",
        )

        assert respuesta.status_code == status.HTTP_400_BAD_REQUEST
        assert respuesta.json()["errores"]["email"] == [
            "Ya existe un usuario con ese correo electrónico."
        ]


class TestToken:
    def test_access_token_is_rs256_and_names_the_user(self, tokens, usuario):
        cabecera = jwt.get_unverified_header(tokens["access"])
        claims = jwt.decode(
            tokens["access"],
            settings.SIMPLE_JWT["VERIFYING_KEY"],
            algorithms=["RS256"],
            audience="sap",
            issuer="sap-auth",
        )

        assert cabecera["alg"] == "RS256"
        assert claims["user_id"] == str(usuario.pk)
        assert claims["username"] == "tecnico1"
        assert "email" not in claims

    def test_wrong_password_is_401_in_spanish(self, api_client, usuario):
        respuesta = api_client.post(
            "/auth/token/", {"username": "tecnico1", "password": "x"}, format="json"
        )

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED
        assert respuesta.json()["codigo"] == "no_autenticado"
        assert "credenciales" in respuesta.json()["mensaje"]

    def test_refresh_gives_a_new_access_token(self, api_client, tokens):
        respuesta = api_client.post(
            "/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
        )

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json()["access"] != tokens["access"]

    def test_refresh_for_a_deleted_user_is_401(self, api_client, tokens, usuario):
        usuario.delete()

        respuesta = api_client.post(
            "/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
        )

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED
        assert respuesta.json() == {
            "codigo": "no_autenticado",
            "mensaje": "La cuenta de este token no existe o no está activa.",
            "request_id": respuesta.json()["request_id"],
        }

    def test_an_unreadable_refresh_token_is_refused_in_spanish(self, api_client):
        respuesta = api_client.post(
            "/auth/token/refresh/", {"refresh": "no-es-un-token"}, format="json"
        )

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED
        assert respuesta.json()["mensaje"] == "El token no es válido o ha expirado."

    def test_repeated_guessing_is_throttled(self, api_client, settings):
        intentos = [
            api_client.post(
                "/auth/token/", {"username": "x", "password": "y"}, format="json"
            ).status_code
            for _ in range(31)
        ]

        assert intentos[-1] == status.HTTP_429_TOO_MANY_REQUESTS

    def test_a_forged_forwarded_for_does_not_escape_the_throttle(self, api_client):
        # The client writes an address of its own; the gateway appends the
        # address it really saw, as nginx's $proxy_add_x_forwarded_for does.
        intentos = [
            api_client.post(
                "/auth/token/",
                {"username": "x", "password": "y"},
                format="json",
                HTTP_X_FORWARDED_FOR=f"10.0.0.{intento}, 203.0.113.7",
            ).status_code
            for intento in range(31)
        ]

        assert intentos[-1] == status.HTTP_429_TOO_MANY_REQUESTS


class TestYo:
    def test_returns_the_callers_own_user(self, api_client, tokens):
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

        respuesta = api_client.get("/auth/me/")

        assert respuesta.status_code == status.HTTP_200_OK
        assert respuesta.json()["username"] == "tecnico1"

    def test_requires_a_token(self, api_client):
        respuesta = api_client.get("/auth/me/")

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED

    def test_token_signed_with_another_key_is_refused(self, api_client, usuario):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        otra = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = otra.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        falso = jwt.encode(
            {
                "user_id": str(usuario.pk),
                "aud": "sap",
                "iss": "sap-auth",
                "token_type": "access",
                "exp": 4102444800,
                "jti": "x",
            },
            pem,
            algorithm="RS256",
        )
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {falso}")

        respuesta = api_client.get("/auth/me/")

        assert respuesta.status_code == status.HTTP_401_UNAUTHORIZED


class TestSalud:
    def test_health_and_ready_need_no_token(self, api_client):
        assert api_client.get("/auth/health/").json() == {
            "estado": "ok",
            "servicio": "auth",
        }
        assert api_client.get("/auth/ready/").status_code == status.HTTP_200_OK

    def test_unknown_path_is_json_404(self, api_client):
        respuesta = api_client.get("/auth/no-existe/")

        assert respuesta.status_code == status.HTTP_404_NOT_FOUND
        assert respuesta.json()["codigo"] == "no_encontrado"

    def test_schema_is_public(self, api_client):
        assert api_client.get("/auth/schema/").status_code == status.HTTP_200_OK


class TestMetricas:
    def test_prometheus_metrics_are_served_outside_the_public_prefix(self, api_client):
        api_client.get("/auth/health/")

        respuesta = api_client.get("/metrics")

        assert respuesta.status_code == status.HTTP_200_OK
        texto = respuesta.content.decode()
        assert "django_http_requests_latency_seconds_by_view_method" in texto


class TestSaludSinBaseDeDatos:
    @pytest.fixture
    def base_caida(self, monkeypatch):
        from django.db import OperationalError
        from django.db.backends.base.base import BaseDatabaseWrapper

        def falla(self):
            raise OperationalError("could not connect to server")

        monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", falla)

    def test_health_answers_without_the_database(self, api_client, base_caida):
        assert api_client.get("/auth/health/").status_code == status.HTTP_200_OK

    def test_ready_says_503_without_the_database(self, api_client, base_caida):
        respuesta = api_client.get("/auth/ready/")

        assert respuesta.status_code == status.HTTP_503_SERVICE_UNAVAILABLE
        assert respuesta.json()["estado"] == "sin_base_de_datos"
        assert "connect" not in respuesta.content.decode()

    def test_docs_are_self_hosted(self, api_client):
        respuesta = api_client.get("/auth/docs/")

        assert respuesta.status_code == status.HTTP_200_OK
        assert "/auth/static/drf_spectacular_sidecar/" in respuesta.content.decode()
