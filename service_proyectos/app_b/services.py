"""Write operations on proyectos.

Every write that sets an ``empresa_id`` first asks Service A whether that
empresa exists and is active. A change of the amount or the dates that
Service C's rules read, and a deletion, first ask C what it holds for the
proyecto, so that no plan or seguimiento is left outside its proyecto or
without one. The questions are asked after the local checks (cheap, and a
400 should not wait on another service) and before the write, and no
database transaction is open while they are asked: a slow dependency must not
keep a connection idle in a transaction, holding its snapshot and locks. Only
the write itself runs in ``transaction.atomic``.

TODO(an outbox or a saga between B and C): C may record a month between B's
question and B's write; the window is one request long.
"""

import logging
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError

from app_b.client_empresas import empresa_obtener
from app_b.client_programacion import limites_obtener
from app_b.clients import DependencyUnavailable
from app_b.models import MENSAJE_CODIGO_DUPLICADO, Proyecto
from sap_common.errors import Conflicto, ServicioNoDisponible

logger = logging.getLogger(__name__)

EMPRESA_ACTIVA = "ACTIVA"
MENSAJE_EMPRESA_INEXISTENTE = "La empresa indicada no existe."
MENSAJE_EMPRESA_INACTIVA = "La empresa indicada no está activa."
MENSAJE_EMPRESAS_NO_DISPONIBLE = (
    "No se pudo verificar la empresa porque el servicio de empresas no está "
    "disponible. No se guardó ningún cambio; intente nuevamente en unos momentos."
)
MENSAJE_PROGRAMACION_NO_DISPONIBLE = (
    "No se pudo verificar la programación del proyecto porque el servicio de "
    "programación no está disponible. No se guardó ningún cambio; intente "
    "nuevamente en unos momentos."
)
MENSAJE_MONTO_COMPROMETIDO = (
    "La programación o el seguimiento del proyecto ya suman {monto}; el monto "
    "total no puede ser menor."
)
MENSAJE_INICIO_POSTERIOR = (
    "El proyecto tiene programación o seguimiento desde {periodo}; la fecha de "
    "inicio no puede ser posterior a ese mes."
)
MENSAJE_FIN_ANTERIOR = (
    "El proyecto tiene programación o seguimiento hasta {periodo}; la fecha de "
    "fin no puede ser anterior a ese mes."
)
MENSAJE_CON_REGISTROS = (
    "El proyecto tiene programación o seguimiento registrados y no puede "
    "eliminarse; cambie su estado a CANCELADO."
)
# The fields of a proyecto that C's rules read: changing one may leave C's
# months or amounts outside the record.
CAMPOS_QUE_LIMITA_C = (
    "monto_total",
    "fecha_inicio",
    "fecha_fin_programada",
    "fecha_fin_real",
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
    working while A is down. C is asked, likewise, only when a field of
    ``CAMPOS_QUE_LIMITA_C`` changes: the amount cannot drop below what C has
    planned or recorded as executed, and the dates must keep every month C
    holds. Errors and guarantees as in ``proyecto_crear``.
    """
    cambia_empresa = (
        "empresa_id" in datos and datos["empresa_id"] != proyecto.empresa_id
    )
    cambia_marco = any(
        campo in datos and datos[campo] != getattr(proyecto, campo)
        for campo in CAMPOS_QUE_LIMITA_C
    )
    for campo, valor in datos.items():
        setattr(proyecto, campo, valor)
    proyecto.actualizado_por = usuario
    _validar(proyecto)
    if cambia_empresa:
        _empresa_verificar(
            proyecto.empresa_id, authorization=authorization, request_id=request_id
        )
    if cambia_marco:
        _limites_verificar(proyecto, authorization=authorization, request_id=request_id)
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


def proyecto_eliminar(*, proyecto: Proyecto, authorization: str, request_id: str):
    """Delete ``proyecto``, unless C holds a plan or seguimiento for it.

    Such a proyecto is part of the record of public investment: it is
    cancelled (``estado`` CANCELADO), not deleted, and the refusal is a 409.
    Raises ``ServicioNoDisponible`` (503) when C cannot answer; nothing is
    deleted then.
    """
    limites = _limites_obtener(
        proyecto.pk, authorization=authorization, request_id=request_id
    )
    if limites and limites.get("tiene_registros"):
        raise Conflicto(MENSAJE_CON_REGISTROS)
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


def _limites_obtener(proyecto_id: int, *, authorization: str, request_id: str):
    """C's limites for the proyecto (None if C knows nothing of it); 503 if down."""
    try:
        return limites_obtener(
            proyecto_id, authorization=authorization, request_id=request_id
        )
    except DependencyUnavailable as exc:
        logger.warning(
            "programacion check failed: %s unavailable",
            exc.dependency,
            extra={
                "dependency": exc.dependency,
                "proyecto_id": proyecto_id,
                "reason": exc.reason,
            },
        )
        raise ServicioNoDisponible(MENSAJE_PROGRAMACION_NO_DISPONIBLE) from exc


def _mes(periodo: str) -> tuple[int, int]:
    anio, mes = periodo.split("-")
    return int(anio), int(mes)


def _limites_verificar(proyecto: Proyecto, *, authorization: str, request_id: str):
    """400 naming each field whose new value would leave C's data outside it.

    Months count whole, as C counts them: a proyecto that starts on the 20th
    keeps the month it starts in. The end is ``fecha_fin_real`` once the
    proyecto has one, else ``fecha_fin_programada``.
    """
    limites = _limites_obtener(
        proyecto.pk, authorization=authorization, request_id=request_id
    )
    if not limites:
        return
    try:
        comprometido = max(
            Decimal(limites["monto_programado"]), Decimal(limites["monto_ejecutado"])
        )
        primero, ultimo = limites["primer_periodo"], limites["ultimo_periodo"]
        primero = _mes(primero) if primero else None
        ultimo = _mes(ultimo) if ultimo else None
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        # An answer B cannot read proves nothing; refuse as if C were down.
        logger.error(
            "programacion limites unreadable",
            extra={"dependency": "programacion", "proyecto_id": proyecto.pk},
        )
        raise ServicioNoDisponible(MENSAJE_PROGRAMACION_NO_DISPONIBLE) from exc

    errores = {}
    if proyecto.monto_total < comprometido:
        monto = format(comprometido.quantize(Decimal("0.01")), "f")
        errores["monto_total"] = [MENSAJE_MONTO_COMPROMETIDO.format(monto=monto)]
    inicio = proyecto.fecha_inicio
    if primero and (inicio.year, inicio.month) > primero:
        periodo = f"{primero[0]}-{primero[1]:02d}"
        errores["fecha_inicio"] = [MENSAJE_INICIO_POSTERIOR.format(periodo=periodo)]
    campo_fin = "fecha_fin_real" if proyecto.fecha_fin_real else "fecha_fin_programada"
    fin = getattr(proyecto, campo_fin)
    if ultimo and (fin.year, fin.month) < ultimo:
        periodo = f"{ultimo[0]}-{ultimo[1]:02d}"
        errores[campo_fin] = [MENSAJE_FIN_ANTERIOR.format(periodo=periodo)]
    if errores:
        raise ValidationError(errores)


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
