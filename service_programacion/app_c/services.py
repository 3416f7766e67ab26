"""Writes: new versions of a proyecto's plan, and its monthly seguimiento.

Every function here either writes all it was asked to or nothing, and
refuses a broken rule with a ``ValidationError`` that names the field.

The rules that need the proyecto itself (its months fall within its dates,
its amounts stay within its monto_total) read its marco from
service_proyectos, the source of truth, before taking any lock or writing
anything. A proyecto that service does not know is a 404; that service
being unavailable is a 503 and nothing is written. The marco is checked at
write time only: if service_proyectos later shortens the dates or lowers the
amount, the rows already stored stay as they are.
"""

import logging
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError

from app_c.indicadores import Marco
from app_c.models import (
    PORCENTAJE_MAXIMO,
    ProgramacionMensual,
    ProgramacionVersion,
    Seguimiento,
)
from app_c.selectors import marco_obtener

logger = logging.getLogger(__name__)

MENSAJE_MOTIVO_REQUERIDO = "Indique el motivo de la reprogramación."
MENSAJE_MES_REPETIDO = (
    "El mes {periodo} está repetido; cada mes va una sola vez por versión."
)
MENSAJE_PROGRAMADO_EXCEDIDO = (
    "El avance físico programado suma {total} %; no puede superar el 100 %."
)
MENSAJE_SEGUIMIENTO_DUPLICADO = (
    "Ya existe un seguimiento de {periodo} para este proyecto."
)
MENSAJE_REAL_EXCEDIDO = (
    "Con este mes el avance físico real acumulado del proyecto sería "
    "{total} %; no puede superar el 100 %."
)

MENSAJE_CORTE_ANTERIOR = (
    "La fecha de corte no puede ser anterior al inicio del mes informado ({periodo})."
)
MENSAJE_MES_FUTURO = (
    "El mes {periodo} aún no ha comenzado: su avance no puede registrarse todavía."
)
MENSAJE_CORTE_FUTURO = "La fecha de corte no puede ser posterior a hoy ({hoy})."
MENSAJE_FUERA_DE_PLAZO = (
    "El mes {periodo} está fuera del plazo del proyecto ({desde} a {hasta})."
)
MENSAJE_MONTO_PROGRAMADO_EXCEDIDO = (
    "El monto programado suma {total}; no puede superar el monto total del "
    "proyecto ({monto_total})."
)
MENSAJE_EJECUTADO_EXCEDIDO = (
    "Con este mes el monto ejecutado acumulado del proyecto sería {total}; no "
    "puede superar el monto total del proyecto ({monto_total})."
)
MENSAJE_PROYECTOS_NO_DISPONIBLE = (
    "El servicio de proyectos no está disponible y no se pudo validar la "
    "operación con los datos del proyecto; no se guardó ningún cambio. "
    "Intente nuevamente en unos momentos."
)

CAMPOS_SEGUIMIENTO = (
    "anio",
    "mes",
    "avance_fisico_real",
    "monto_ejecutado",
    "fecha_corte",
    "observaciones",
)
# The fields of a seguimiento that the rules reading the marco look at.
CAMPOS_MARCO = ("anio", "mes", "monto_ejecutado")


class Conflicto(APIException):
    """Another write of the same proyecto won a race: the client may retry."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "Otra reprogramación de este proyecto se registró al mismo tiempo. "
        "Consulte las versiones y vuelva a intentarlo."
    )
    default_code = "conflicto"


def _periodo(anio: int, mes: int) -> str:
    return f"{anio}-{mes:02d}"


def _cifra(valor: Decimal) -> str:
    """A percentage or an amount as the messages show it: two decimals."""
    return f"{valor:.2f}"


def _marco(proyecto_id: int, authorization: str) -> Marco:
    """The proyecto's marco, read before any lock is taken.

    The advisory lock makes other writes to the proyecto wait; holding it
    through a network call would make them wait on service_proyectos too.
    """
    return marco_obtener(
        proyecto_id=proyecto_id,
        authorization=authorization,
        mensaje_no_disponible=MENSAJE_PROYECTOS_NO_DISPONIBLE,
    )


def _validar_en_plazo(marco: Marco, anio: int, mes: int, campo: str) -> None:
    """The month lies between the months of fecha_inicio and the proyecto's end.

    The end is fecha_fin_real once the proyecto has one, else its
    fecha_fin_programada. Whole months count: a proyecto that starts on the
    20th may plan and report that month.
    """
    desde, hasta = marco.fecha_inicio, marco.fecha_fin
    if not (desde.year, desde.month) <= (anio, mes) <= (hasta.year, hasta.month):
        mensaje = MENSAJE_FUERA_DE_PLAZO.format(
            periodo=_periodo(anio, mes),
            desde=_periodo(desde.year, desde.month),
            hasta=_periodo(hasta.year, hasta.month),
        )
        raise ValidationError({campo: [mensaje]})


def _bloquear_proyecto(proyecto_id: int) -> None:
    """Make writes to one proyecto take turns until the transaction ends.

    The 100 % ceiling is a rule over all of a proyecto's rows, and the next
    version number depends on the versions already stored: two requests that
    both read before either writes could together break them. A
    transaction-scoped advisory lock on PostgreSQL serialises them without
    touching other proyectos. SQLite, the development fallback, begins every
    transaction with the database's write lock (``transaction_mode``
    IMMEDIATE in the shared settings), so writers already take turns there;
    the unique constraints back both.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [proyecto_id])


def _validar_meses_programados(meses: list[dict]) -> None:
    """Each month once per version, and at most 100 % of the work in total."""
    vistos = set()
    for mes in meses:
        clave = (mes["anio"], mes["mes"])
        if clave in vistos:
            periodo = _periodo(*clave)
            raise ValidationError(
                {"meses": [MENSAJE_MES_REPETIDO.format(periodo=periodo)]}
            )
        vistos.add(clave)

    total = sum((mes["avance_fisico_programado"] for mes in meses), Decimal("0"))
    if total > PORCENTAJE_MAXIMO:
        mensaje = MENSAJE_PROGRAMADO_EXCEDIDO.format(total=_cifra(total))
        raise ValidationError({"meses": [mensaje]})


def _siguiente_numero(proyecto_id: int) -> int:
    ultimo = ProgramacionVersion.objects.filter(proyecto_id=proyecto_id).aggregate(
        ultimo=Max("numero")
    )["ultimo"]
    return (ultimo or 0) + 1


def _validar_contra_marco(marco: Marco, meses: list[dict]) -> None:
    """Every month within the proyecto's dates; the plan within its monto_total."""
    for mes in meses:
        _validar_en_plazo(marco, mes["anio"], mes["mes"], "meses")

    total = sum((mes["monto_programado"] for mes in meses), Decimal("0"))
    if total > marco.monto_total:
        mensaje = MENSAJE_MONTO_PROGRAMADO_EXCEDIDO.format(
            total=_cifra(total), monto_total=_cifra(marco.monto_total)
        )
        raise ValidationError({"meses": [mensaje]})


def programacion_version_crear(
    *,
    proyecto_id: int,
    meses: list[dict],
    creado_por: str,
    authorization: str,
    motivo: str = "",
) -> ProgramacionVersion:
    """Store the next version of a proyecto's plan with all its months.

    The first version is the baseline; every later one is a reprogramación
    and must say why. Earlier versions are never changed. Each version
    stands alone, so its months must fit the proyecto's dates and its
    amounts add up to no more than the proyecto's monto_total. The marco is
    read from service_proyectos with the caller's ``authorization``.
    """
    # Rules on the request alone first: no call for a request already wrong.
    _validar_meses_programados(meses)
    _validar_contra_marco(_marco(proyecto_id, authorization), meses)
    motivo = motivo.strip()

    with transaction.atomic():
        _bloquear_proyecto(proyecto_id)
        numero = _siguiente_numero(proyecto_id)
        if numero > 1 and not motivo:
            raise ValidationError({"motivo": [MENSAJE_MOTIVO_REQUERIDO]})

        try:
            # A savepoint, so a lost race leaves the outer transaction usable.
            with transaction.atomic():
                version = ProgramacionVersion.objects.create(
                    proyecto_id=proyecto_id,
                    numero=numero,
                    motivo=motivo,
                    creado_por=creado_por,
                )
        except IntegrityError as exc:
            logger.warning(
                "version number taken by a concurrent write",
                extra={"proyecto_id": proyecto_id, "numero": numero},
            )
            raise Conflicto() from exc

        ProgramacionMensual.objects.bulk_create(
            ProgramacionMensual(version=version, **mes) for mes in meses
        )

    logger.info(
        "programacion version created",
        extra={"proyecto_id": proyecto_id, "numero": numero, "meses": len(meses)},
    )
    return version


def _validar_seguimiento(
    *,
    proyecto_id: int,
    anio: int,
    mes: int,
    avance_fisico_real: Decimal,
    monto_ejecutado: Decimal,
    fecha_corte: date,
    marco: Marco | None,
    excluido: Seguimiento | None = None,
) -> None:
    """One seguimiento per month; the proyecto's real progress stays ≤ 100 %.

    Seguimiento reports what was done: neither its month nor its cut-off
    date may lie in the future, and the cut-off cannot come before the month
    it reports on. With a ``marco``, also: the month within the proyecto's
    dates, and all that was executed in the proyecto within its monto_total.
    """
    if marco is not None:
        _validar_en_plazo(marco, anio, mes, "mes")
    hoy = _hoy()
    if (anio, mes) > (hoy.year, hoy.month):
        mensaje = MENSAJE_MES_FUTURO.format(periodo=_periodo(anio, mes))
        raise ValidationError({"mes": [mensaje]})

    otros = Seguimiento.objects.filter(proyecto_id=proyecto_id)
    if excluido is not None:
        otros = otros.exclude(pk=excluido.pk)

    if otros.filter(anio=anio, mes=mes).exists():
        periodo = _periodo(anio, mes)
        raise ValidationError(
            {"mes": [MENSAJE_SEGUIMIENTO_DUPLICADO.format(periodo=periodo)]}
        )

    acumulado = otros.aggregate(
        fisico=Sum("avance_fisico_real"), monto=Sum("monto_ejecutado")
    )
    total = (acumulado["fisico"] or Decimal("0")) + avance_fisico_real
    if total > PORCENTAJE_MAXIMO:
        mensaje = MENSAJE_REAL_EXCEDIDO.format(total=_cifra(total))
        raise ValidationError({"avance_fisico_real": [mensaje]})

    ejecutado = (acumulado["monto"] or Decimal("0")) + monto_ejecutado
    if marco is not None and ejecutado > marco.monto_total:
        mensaje = MENSAJE_EJECUTADO_EXCEDIDO.format(
            total=_cifra(ejecutado), monto_total=_cifra(marco.monto_total)
        )
        raise ValidationError({"monto_ejecutado": [mensaje]})

    if fecha_corte < date(anio, mes, 1):
        mensaje = MENSAJE_CORTE_ANTERIOR.format(periodo=_periodo(anio, mes))
        raise ValidationError({"fecha_corte": [mensaje]})
    if fecha_corte > hoy:
        mensaje = MENSAJE_CORTE_FUTURO.format(hoy=hoy.isoformat())
        raise ValidationError({"fecha_corte": [mensaje]})


def _hoy() -> date:
    """Today in the platform's time zone; tests replace it to fix the date."""
    return timezone.localdate()


def _guardar_seguimiento(seguimiento: Seguimiento) -> None:
    """Save, turning a lost race for the same month into the usual 400."""
    try:
        with transaction.atomic():
            seguimiento.save()
    except IntegrityError as exc:
        periodo = _periodo(seguimiento.anio, seguimiento.mes)
        raise ValidationError(
            {"mes": [MENSAJE_SEGUIMIENTO_DUPLICADO.format(periodo=periodo)]}
        ) from exc


def seguimiento_registrar(
    *,
    proyecto_id: int,
    anio: int,
    mes: int,
    avance_fisico_real: Decimal,
    monto_ejecutado: Decimal,
    fecha_corte,
    registrado_por: str,
    authorization: str,
    observaciones: str = "",
) -> Seguimiento:
    """Record what was done in one month of a proyecto.

    The month must lie within the proyecto's dates and, with it, all that
    was executed in the proyecto must stay within its monto_total; the
    marco is read from service_proyectos with the caller's ``authorization``.
    """
    marco = _marco(proyecto_id, authorization)
    with transaction.atomic():
        _bloquear_proyecto(proyecto_id)
        _validar_seguimiento(
            proyecto_id=proyecto_id,
            anio=anio,
            mes=mes,
            avance_fisico_real=avance_fisico_real,
            monto_ejecutado=monto_ejecutado,
            fecha_corte=fecha_corte,
            marco=marco,
        )
        seguimiento = Seguimiento(
            proyecto_id=proyecto_id,
            anio=anio,
            mes=mes,
            avance_fisico_real=avance_fisico_real,
            monto_ejecutado=monto_ejecutado,
            fecha_corte=fecha_corte,
            observaciones=observaciones,
            registrado_por=registrado_por,
        )
        _guardar_seguimiento(seguimiento)

    logger.info(
        "seguimiento recorded",
        extra={"proyecto_id": proyecto_id, "seguimiento_id": seguimiento.pk},
    )
    return seguimiento


def seguimiento_actualizar(
    *, seguimiento: Seguimiento, datos: dict, registrado_por: str, authorization: str
) -> Seguimiento:
    """Change some or all figures of a month, under the same rules.

    ``datos`` holds only the fields to change (a PATCH sends a few). Whoever
    changes the figures becomes the one who recorded them. The marco is
    read from service_proyectos only when the month or the amount changes:
    a correction of anything else cannot break the rules that need it, and
    does not depend on that service being up.
    """
    nuevos = {
        campo: datos.get(campo, getattr(seguimiento, campo))
        for campo in CAMPOS_SEGUIMIENTO
    }
    marco = None
    if any(nuevos[campo] != getattr(seguimiento, campo) for campo in CAMPOS_MARCO):
        marco = _marco(seguimiento.proyecto_id, authorization)

    with transaction.atomic():
        _bloquear_proyecto(seguimiento.proyecto_id)
        _validar_seguimiento(
            proyecto_id=seguimiento.proyecto_id,
            anio=nuevos["anio"],
            mes=nuevos["mes"],
            avance_fisico_real=nuevos["avance_fisico_real"],
            monto_ejecutado=nuevos["monto_ejecutado"],
            fecha_corte=nuevos["fecha_corte"],
            marco=marco,
            excluido=seguimiento,
        )
        for campo, valor in nuevos.items():
            setattr(seguimiento, campo, valor)
        seguimiento.registrado_por = registrado_por
        _guardar_seguimiento(seguimiento)

    logger.info(
        "seguimiento updated",
        extra={
            "proyecto_id": seguimiento.proyecto_id,
            "seguimiento_id": seguimiento.pk,
        },
    )
    return seguimiento


def seguimiento_eliminar(*, seguimiento: Seguimiento) -> None:
    """Delete one month's seguimiento."""
    proyecto_id, seguimiento_id = seguimiento.proyecto_id, seguimiento.pk
    seguimiento.delete()
    logger.info(
        "seguimiento deleted",
        extra={"proyecto_id": proyecto_id, "seguimiento_id": seguimiento_id},
    )
