"""Write operations on proyectos.

Every write that sets an ``empresa_id`` first asks Service A whether that
empresa exists and is active. The question is asked after the local checks
(cheap, and a 400 should not wait on A) and before the write, and no database
transaction is open while it is asked: a slow A must not keep a connection
idle in a transaction, holding its snapshot and locks. Only the write itself
runs in ``transaction.atomic``.
"""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError

from app_b.client_empresas import empresa_obtener
from app_b.clients import DependencyUnavailable
from app_b.models import MENSAJE_CODIGO_DUPLICADO, Proyecto
from sap_common.errors import ServicioNoDisponible

logger = logging.getLogger(__name__)

EMPRESA_ACTIVA = "ACTIVA"
MENSAJE_EMPRESA_INEXISTENTE = "La empresa indicada no existe."
MENSAJE_EMPRESA_INACTIVA = "La empresa indicada no está activa."
MENSAJE_EMPRESAS_NO_DISPONIBLE = (
    "No se pudo verificar la empresa porque el servicio de empresas no está "
    "disponible. No se guardó ningún cambio; intente nuevamente en unos momentos."
)


def proyecto_crear(
    *, datos: dict, usuario: str, authorization: str, request_id: str
) -> Proyecto:
    """Create a proyecto from validated ``datos`` once A vouches for its empresa.

    ``usuario`` is the caller's username, kept in the audit fields.
    ``authorization`` and ``request_id`` are forwarded to A unchanged.
    Raises ``ValidationError`` (400) for a broken record or an empresa that
    does not exist or is not active, and ``ServicioNoDisponible`` (503) when
    A cannot answer; in every such case nothing is written.
    """
    proyecto = Proyecto(**datos, creado_por=usuario, actualizado_por=usuario)
    _validar(proyecto)
    _empresa_verificar(
        proyecto.empresa_id, authorization=authorization, request_id=request_id
    )
    _guardar(proyecto)
    logger.info(
        "proyecto created",
        extra={"proyecto_id": proyecto.pk, "empresa_id": proyecto.empresa_id},
    )
    return proyecto


def proyecto_actualizar(
    *,
    proyecto: Proyecto,
    datos: dict,
    usuario: str,
    authorization: str,
    request_id: str,
) -> Proyecto:
    """Apply validated ``datos`` (all fields, or some for a PATCH) to ``proyecto``.

    A is asked only when ``empresa_id`` changes: an unchanged empresa was
    already checked when it was set, and edits to other fields must keep
    working while A is down. Errors and guarantees as in ``proyecto_crear``.
    """
    cambia_empresa = (
        "empresa_id" in datos and datos["empresa_id"] != proyecto.empresa_id
    )
    for campo, valor in datos.items():
        setattr(proyecto, campo, valor)
    proyecto.actualizado_por = usuario
    _validar(proyecto)
    if cambia_empresa:
        _empresa_verificar(
            proyecto.empresa_id, authorization=authorization, request_id=request_id
        )
    _guardar(proyecto)
    logger.info(
        "proyecto updated",
        extra={
            "proyecto_id": proyecto.pk,
            "fields": sorted(datos),
            "empresa_changed": cambia_empresa,
        },
    )
    return proyecto


def proyecto_eliminar(*, proyecto: Proyecto) -> None:
    """Delete ``proyecto``. C is not told: a programación it holds stays there."""
    proyecto_id = proyecto.pk
    proyecto.delete()
    logger.info("proyecto deleted", extra={"proyecto_id": proyecto_id})


def _validar(proyecto: Proyecto) -> None:
    """Run the model's rules (fields, dates, unique codigo) as a 400."""
    try:
        proyecto.full_clean()
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def _empresa_verificar(empresa_id: int, *, authorization: str, request_id: str):
    """Ask A about ``empresa_id``: 400 if unknown or not active, 503 if A is down."""
    try:
        empresa = empresa_obtener(
            empresa_id, authorization=authorization, request_id=request_id
        )
    except DependencyUnavailable as exc:
        logger.warning(
            "empresa check failed: %s unavailable",
            exc.dependency,
            extra={
                "dependency": exc.dependency,
                "empresa_id": empresa_id,
                "reason": exc.reason,
            },
        )
        raise ServicioNoDisponible(MENSAJE_EMPRESAS_NO_DISPONIBLE) from exc
    if empresa is None:
        raise ValidationError({"empresa_id": [MENSAJE_EMPRESA_INEXISTENTE]})
    if empresa.get("estado") != EMPRESA_ACTIVA:
        raise ValidationError({"empresa_id": [MENSAJE_EMPRESA_INACTIVA]})


def _guardar(proyecto: Proyecto) -> None:
    """Save in its own transaction; a lost race for ``codigo`` is still a 400."""
    try:
        with transaction.atomic():
            proyecto.save()
    except IntegrityError as exc:
        duplicado = (
            Proyecto.objects.filter(codigo=proyecto.codigo)
            .exclude(pk=proyecto.pk)
            .exists()
        )
        if not duplicado:
            raise
        raise ValidationError({"codigo": [MENSAJE_CODIGO_DUPLICADO]}) from exc
