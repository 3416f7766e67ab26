"""Input and output shapes of the auth API."""

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)

Usuario = get_user_model()


class RegistroSerializer(serializers.Serializer):
    """What a person sends to register. The password is write-only.

    The username travels in every token and into the audit fields of the
    other services, so it keeps to Django's own rule: letters, digits and
    ``@.+-_``, with no spaces or control characters.
    """

    username = serializers.CharField(
        max_length=150, validators=[UnicodeUsernameValidator()]
    )
    email = serializers.EmailField()
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )


class UsuarioSerializer(serializers.ModelSerializer):
    """A user as the API shows it: never the password."""

    class Meta:
        model = Usuario
        fields = ["id", "username", "email", "is_staff", "date_joined"]
        read_only_fields = fields


class TokenConUsuarioSerializer(TokenObtainPairSerializer):
    """Token pair whose access token also names the user.

    The other services verify tokens without asking auth, so the claims they
    need for audit fields (``username``) and staff checks travel in the token.
    The e-mail does not: tokens end up in logs and browser storage.
    """

    @classmethod
    def get_token(cls, user):
        token = super().get_token(user)
        token["username"] = user.get_username()
        token["is_staff"] = user.is_staff
        return token


class TokenRefreshSinUsuarioSerializer(TokenRefreshSerializer):
    """simplejwt's refresh, with a user deleted since the token was issued
    answered as a 401 (simplejwt 5.5 lets ``DoesNotExist`` escape as a 500)."""

    default_error_messages = {
        "no_active_account": "La cuenta de este token no existe o no está activa."
    }

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except get_user_model().DoesNotExist as exc:
            raise AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            ) from exc
