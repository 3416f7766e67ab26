"""Write operations on users."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError

logger = logging.getLogger(__name__)

Usuario = get_user_model()

MENSAJE_USUARIO_DUPLICADO = "Ya existe un usuario con ese nombre de usuario."
MENSAJE_CORREO_DUPLICADO = "Ya existe un usuario con ese correo electrónico."


def usuario_registrar(*, username: str, email: str, password: str):
    """Create a user after Django's password validators accept the password.

    A duplicate username is a 400 with a clear message, also when two requests
    race for the same name and the database's unique index decides. An
    e-mail already in use is refused too: it is how a person is told apart.
    """
    if Usuario.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [MENSAJE_USUARIO_DUPLICADO]})
    if Usuario.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [MENSAJE_CORREO_DUPLICADO]})

    candidato = Usuario(username=username, email=email)
    try:
        validate_password(password, user=candidato)
    except DjangoValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from exc

    candidato.set_password(password)
    try:
        with transaction.atomic():
            candidato.save()
    except IntegrityError as exc:
        raise ValidationError({"username": [MENSAJE_USUARIO_DUPLICADO]}) from exc

    logger.info("user registered", extra={"user_id": candidato.pk})
    return candidato
