"""Write operations on empresas. Each one records who made it."""

import logging
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError

from app_a.models import MENSAJE_NIT_DUPLICADO, Empresa

__all__ = ["empresa_actualizar", "empresa_crear", "empresa_desactivar"]

logger = logging.getLogger(__name__)

# Set here from the caller, never taken from the data a client sent.
CAMPOS_AUDITORIA = frozenset(
    {"creado_por", "actualizado_por", "creado_en", "actualizado_en"}
)


def _sin_auditoria(datos: Mapping[str, Any]) -> dict[str, Any]:
    return {
        campo: valor for campo, valor in datos.items() if campo not in CAMPOS_AUDITORIA
    }


def _guardar(empresa: Empresa, **save_kwargs) -> None:
    """Save, turning a lost race for a NIT into the same 400 as a plain duplicate.

    The serializer already refuses a NIT that is taken, but two requests can
    both pass that check; the unique index then decides. The savepoint keeps
    the surrounding request transaction usable after the failed insert.
    """
    try:
        with transaction.atomic():
            empresa.save(**save_kwargs)
    except IntegrityError as exc:
        otra = Empresa.objects.filter(nit=empresa.nit).exclude(pk=empresa.pk)
        if otra.exists():
            raise ValidationError({"nit": [MENSAJE_NIT_DUPLICADO]}) from exc
        raise


def empresa_crear(*, datos: Mapping[str, Any], usuario: str) -> Empresa:
    """Create an empresa from validated ``datos``; ``usuario`` is the author.

    A NIT already in use is a ``ValidationError`` on ``nit``.
    """
    empresa = Empresa(
        **_sin_auditoria(datos), creado_por=usuario, actualizado_por=usuario
    )
    _guardar(empresa)
    logger.info("empresa created", extra={"empresa_id": empresa.pk})
    return empresa


def empresa_actualizar(
    *, empresa: Empresa, datos: Mapping[str, Any], usuario: str
) -> Empresa:
    """Change the fields in ``datos`` (all of them, or some for a PATCH).

    Only those fields and the audit fields are written, so a concurrent
    change to another field is not overwritten with a stale value.
    """
    datos = _sin_auditoria(datos)
    for campo, valor in datos.items():
        setattr(empresa, campo, valor)
    empresa.actualizado_por = usuario
    _guardar(empresa, update_fields=[*datos, "actualizado_por", "actualizado_en"])
    logger.info(
        "empresa updated", extra={"empresa_id": empresa.pk, "fields": sorted(datos)}
    )
    return empresa


def empresa_desactivar(*, empresa: Empresa, usuario: str) -> Empresa:
    """Retire an empresa: ``estado`` becomes ``INACTIVA``; the row stays.

    This is what ``DELETE`` does. Projects keep pointing at a row that still
    exists. Retiring an empresa that is already out of service changes
    nothing, not even its audit fields: an ``INHABILITADA`` one keeps that
    estado, since the disqualification is a fact worth more than "retired".
    """
    if empresa.estado in (Empresa.Estado.INACTIVA, Empresa.Estado.INHABILITADA):
        return empresa
    empresa.estado = Empresa.Estado.INACTIVA
    empresa.actualizado_por = usuario
    empresa.save(update_fields=["estado", "actualizado_por", "actualizado_en"])
    logger.info("empresa deactivated", extra={"empresa_id": empresa.pk})
    return empresa
