"""One error body for every service, in Spanish, with field errors.

Every error that leaves a service has this shape::

    {"codigo": "validacion",
     "mensaje": "Los datos enviados no son válidos.",
     "errores": {"nit": ["Este campo es requerido."]},
     "request_id": "3f0c..."}

``errores`` appears only for validation errors. Exception text, tracebacks and
internal addresses never reach a client: unexpected errors are logged with
their traceback and answered with a generic 500.
"""

import functools
import logging
import re

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from sap_common.request_id import get_request_id

logger = logging.getLogger(__name__)

MENSAJE_VALIDACION = "Los datos enviados no son válidos."
MENSAJE_INTERNO = "Ocurrió un error interno. Intente nuevamente más tarde."
MENSAJE_NO_ENCONTRADO = "El recurso solicitado no existe."
# Every way a token can be unusable (bad signature, expired, wrong type or
# audience) gets one sentence: simplejwt's own Spanish lacks its accents and
# never mentions expiry, and a client can do the same thing about all of them.
MENSAJE_TOKEN_INVALIDO = "El token no es válido o ha expirado."
TOKEN_INVALIDO = "token_not_valid"


class ServicioNoDisponible(exceptions.APIException):
    """A dependency this request needs is unavailable: answer 503, write nothing."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = (
        "Un servicio del que depende esta operación no está disponible. "
        "Intente nuevamente en unos momentos."
    )
    default_code = "servicio_no_disponible"


class Conflicto(exceptions.APIException):
    """The write clashes with data that another service or request holds: 409."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "La operación no es posible en el estado actual del recurso."
    default_code = "conflicto"


class SolicitudDemasiadoGrande(exceptions.APIException):
    """A body past Django's upload limit, as a service reached without the
    gateway meets it (the gateway refuses it first, with the same codigo)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "El cuerpo de la solicitud supera el tamaño máximo permitido."
    default_code = "solicitud_demasiado_grande"


_CODES = {
    status.HTTP_400_BAD_REQUEST: "solicitud_invalida",
    status.HTTP_401_UNAUTHORIZED: "no_autenticado",
    status.HTTP_403_FORBIDDEN: "permiso_denegado",
    status.HTTP_404_NOT_FOUND: "no_encontrado",
    status.HTTP_405_METHOD_NOT_ALLOWED: "metodo_no_permitido",
    status.HTTP_406_NOT_ACCEPTABLE: "formato_no_aceptable",
    status.HTTP_409_CONFLICT: "conflicto",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "tipo_de_contenido_no_soportado",
    status.HTTP_429_TOO_MANY_REQUESTS: "demasiadas_solicitudes",
    status.HTTP_503_SERVICE_UNAVAILABLE: "servicio_no_disponible",
}


# Messages that DRF and simplejwt send in English whatever the language: some
# have no Spanish translation, and "No data provided" is not translatable.
_EN_ESPANOL = {
    "A valid biginteger is required.": "Introduzca un número entero válido.",
    "No data provided": "No se enviaron datos.",
}


# DRF's messages for a value of the wrong JSON type name the Python type it
# became ("list", "str"); a client knows JSON, so these say what was expected.
MENSAJE_NO_ES_OBJETO = "Se esperaba un objeto JSON."
_POR_CODIGO = {
    "not_a_list": "Se esperaba una lista.",
    "not_a_dict": MENSAJE_NO_ES_OBJETO,
}


@functools.cache
def _no_es_objeto() -> re.Pattern:
    # DRF's "Invalid data. Expected a dictionary, but got {datatype}." as
    # translated, with any type name: its code, "invalid", is shared by others.
    plantilla = str(Serializer.default_error_messages["invalid"])
    partes = [re.escape(parte) for parte in plantilla.split("{datatype}")]
    return re.compile(r"\w+".join(partes))


def _en_espanol(detail):
    """``detail`` with English and Python-flavoured messages replaced, keys kept."""
    if isinstance(detail, dict):
        return {campo: _en_espanol(valor) for campo, valor in detail.items()}
    if isinstance(detail, list | tuple):
        return [_en_espanol(valor) for valor in detail]
    code = getattr(detail, "code", None)
    if code in _POR_CODIGO:
        return ErrorDetail(_POR_CODIGO[code], code)
    if code == "invalid" and _no_es_objeto().fullmatch(str(detail)):
        return ErrorDetail(MENSAJE_NO_ES_OBJETO, code)
    return _EN_ESPANOL.get(str(detail), detail)


def error_body(codigo: str, mensaje: str, errores=None) -> dict:
    """Build the error payload shared by all services."""
    body = {"codigo": codigo, "mensaje": mensaje, "request_id": get_request_id()}
    if errores is not None:
        body["errores"] = errores
    return body


def _text(detail) -> str:
    if isinstance(detail, list | tuple) and detail:
        return _text(detail[0])
    if isinstance(detail, dict) and detail:
        return _text(next(iter(detail.values())))
    return str(detail)


def exception_handler(exc, context):
    """DRF exception handler: map every exception to the shared error body.

    Whatever the request wrote before failing is rolled back: an error
    response never leaves half a write behind (``ATOMIC_REQUESTS``). A view
    served outside that transaction (``atomic_request = False``) has none to
    undo; its service functions roll back their own.
    """
    if getattr(context.get("view"), "atomic_request", True):
        set_rollback()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(MENSAJE_NO_ENCONTRADO)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = SolicitudDemasiadoGrande()

    if isinstance(exc, exceptions.ValidationError):
        errores = _en_espanol(
            exc.detail
            if isinstance(exc.detail, dict)
            else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
        )
        body = error_body("validacion", MENSAJE_VALIDACION, errores)
        return Response(body, status=exc.status_code)

    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        codigo = _CODES.get(exc.status_code, str(exc.default_code))
        if exc.default_code == TOKEN_INVALIDO:
            mensaje = MENSAJE_TOKEN_INVALIDO
        else:
            mensaje = _text(_en_espanol(exc.detail))
        body = error_body(codigo, mensaje)
        return Response(body, status=exc.status_code, headers=headers)

    view = context.get("view")
    logger.exception(
        "unhandled exception in %s",
        type(view).__name__ if view else "unknown view",
        extra={"exception_type": type(exc).__name__},
    )
    return Response(
        error_body("error_interno", MENSAJE_INTERNO),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def not_found_view(request, exception=None):
    """``handler404`` for paths outside DRF: JSON, never Django's HTML page."""
    return JsonResponse(
        error_body("no_encontrado", MENSAJE_NO_ENCONTRADO),
        status=status.HTTP_404_NOT_FOUND,
    )


def server_error_view(request):
    """``handler500`` for errors outside DRF: JSON with no detail."""
    return JsonResponse(
        error_body("error_interno", MENSAJE_INTERNO),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def bad_request_view(request, exception=None):
    """``handler400`` (for example a disallowed Host header): JSON."""
    return JsonResponse(
        error_body("solicitud_invalida", "La solicitud no es válida."),
        status=status.HTTP_400_BAD_REQUEST,
    )


def permission_denied_view(request, exception=None):
    """``handler403`` outside DRF: JSON."""
    return JsonResponse(
        error_body("permiso_denegado", "No tiene permiso para esta operación."),
        status=status.HTTP_403_FORBIDDEN,
    )
