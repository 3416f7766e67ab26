"""Reads: a proyecto's versions, seguimiento, marco, summary and limits."""

from datetime import date
from decimal import Decimal

import django_filters
from django.conf import settings
from django.db.models import Count, F, IntegerField, Max, Min, QuerySet, Sum
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework.exceptions import NotFound

from app_c import client_proyectos
from app_c.indicadores import Marco, Umbrales, resumen_indicadores_calcular
from app_c.models import ProgramacionMensual, ProgramacionVersion, Seguimiento
from sap_common.errors import ServicioNoDisponible

CERO = Decimal("0.00")

MENSAJE_PROYECTO_NO_EXISTE = "El proyecto no existe."
MENSAJE_PROYECTOS_NO_DISPONIBLE = (
    "El servicio de proyectos no está disponible y no se pudo consultar el "
    "proyecto. Intente nuevamente en unos momentos."
)


class SeguimientoFilter(django_filters.FilterSet):
    """``?anio=2026`` narrows a proyecto's seguimiento to one year."""

    class Meta:
        model = Seguimiento
        fields = ["anio"]


def programacion_versiones_listar(*, proyecto_id: int) -> QuerySet:
    """Every version of a proyecto, baseline first, months prefetched."""
    return (
        ProgramacionVersion.objects.filter(proyecto_id=proyecto_id)
        .prefetch_related("meses")
        .order_by("numero")
    )


def seguimiento_listar(*, proyecto_id: int) -> QuerySet:
    """A proyecto's seguimiento in calendar order."""
    return Seguimiento.objects.filter(proyecto_id=proyecto_id).order_by("anio", "mes")


def seguimiento_obtener(*, proyecto_id: int, seguimiento_id: int) -> Seguimiento:
    """One seguimiento of this proyecto; a 404 if it belongs to another."""
    return get_object_or_404(Seguimiento, proyecto_id=proyecto_id, pk=seguimiento_id)


def marco_obtener(
    *,
    proyecto_id: int,
    authorization: str,
    mensaje_no_disponible: str = MENSAJE_PROYECTOS_NO_DISPONIBLE,
) -> Marco:
    """The proyecto's marco as service_proyectos has it, or the API error.

    A proyecto service_proyectos does not know is a 404: its id is part of
    the URL asked for, so the resource asked for does not exist. That
    service being unavailable is a 503 with ``mensaje_no_disponible``.
    """
    try:
        return client_proyectos.proyecto_marco_obtener(
            proyecto_id, authorization=authorization
        )
    except client_proyectos.ProyectoNoEncontrado as exc:
        raise NotFound(MENSAJE_PROYECTO_NO_EXISTE) from exc
    except client_proyectos.ProyectosNoDisponible as exc:
        raise ServicioNoDisponible(mensaje_no_disponible) from exc


def _umbrales() -> Umbrales:
    return Umbrales(
        verde_min=Decimal(str(settings.SEMAFORO_VERDE_MIN)),
        amarillo_min=Decimal(str(settings.SEMAFORO_AMARILLO_MIN)),
    )


def programacion_resumen_obtener(
    *,
    proyecto_id: int,
    marco: Marco | None = None,
    authorization: str = "",
    hoy: date | None = None,
) -> dict:
    """Plan in force against what was done, with the figures derived from both.

    ``marco`` is the proyecto's marco when the caller sent it; without it
    the marco is read from service_proyectos with the caller's
    ``authorization``. service_proyectos' own detalle always sends it, so
    that serving its detalle never makes this service call back into it:
    under load, each detalle would hold one of its worker threads while
    waiting for another, and enough of them at once would exhaust its pool.

    Four queries whatever the size of the plan, three when there is none.
    The totals are sums the database computes over the stored months; they
    are never stored themselves. A month present on one side only shows
    ``None`` on the other: planned but not yet reported, or reported
    outside the plan. ``indicadores``, ``curva_s`` and ``semaforo`` come
    from ``app_c.indicadores`` as of ``hoy`` (today by default).
    """
    if marco is None:
        marco = marco_obtener(proyecto_id=proyecto_id, authorization=authorization)
    hoy = hoy or timezone.localdate()

    vigente = (
        ProgramacionVersion.objects.filter(proyecto_id=proyecto_id)
        .order_by("-numero")
        .annotate(
            fisico=Sum("meses__avance_fisico_programado"),
            monto=Sum("meses__monto_programado"),
        )
        .values("pk", "numero", "fisico", "monto")
        .first()
    )
    programados = []
    if vigente is not None:
        programados = ProgramacionMensual.objects.filter(
            version_id=vigente["pk"]
        ).values("anio", "mes", "avance_fisico_programado", "monto_programado")

    seguimiento = Seguimiento.objects.filter(proyecto_id=proyecto_id)
    realizado = seguimiento.aggregate(
        fisico=Sum("avance_fisico_real"), monto=Sum("monto_ejecutado")
    )
    reportados = seguimiento.values(
        "anio", "mes", "avance_fisico_real", "monto_ejecutado"
    )

    por_mes: dict[tuple[int, int], dict] = {}
    vacio = {
        "avance_fisico_programado": None,
        "avance_fisico_real": None,
        "monto_programado": None,
        "monto_ejecutado": None,
    }
    for fila in [*programados, *reportados]:
        clave = (fila["anio"], fila["mes"])
        por_mes.setdefault(clave, {**vacio}).update(fila)

    meses = [por_mes[clave] for clave in sorted(por_mes)]
    vigente = vigente or {"numero": None, "fisico": None, "monto": None}
    return {
        "proyecto_id": proyecto_id,
        "version_vigente": vigente["numero"],
        "avance_fisico": {
            "programado": vigente["fisico"] or CERO,
            "real": realizado["fisico"] or CERO,
        },
        "avance_financiero": {
            "programado": vigente["monto"] or CERO,
            "ejecutado": realizado["monto"] or CERO,
        },
        "meses": meses,
        **resumen_indicadores_calcular(marco, meses, hoy, _umbrales()),
    }


def _clave_de_periodo(anio: str, mes: str):
    """One integer per month (2026-02 is 202602) that sorts as months do.

    It lets the database find the first and last month with Min and Max. The
    cast makes the product integer arithmetic: the year is a smallint, and a
    driver that sent 100 as a smallint too would overflow.
    """
    return Cast(anio, IntegerField()) * 100 + F(mes)


def _periodo(clave: int | None) -> str | None:
    return None if clave is None else f"{clave // 100}-{clave % 100:02d}"


def programacion_limites_obtener(*, proyecto_id: int) -> dict:
    """What this service holds that the proyecto's own record must keep.

    service_proyectos asks before it changes or deletes a proyecto: its
    dates must still span ``primer_periodo`` to ``ultimo_periodo``, its
    monto_total must still cover ``monto_programado`` and
    ``monto_ejecutado``, and while ``tiene_registros`` it cannot be deleted.

    Any version counts as a record, but only the vigente one binds: earlier
    versions are the historic baseline, kept as they were even when the
    proyecto's dates have since moved. Every seguimiento binds, as what was
    done does not change with the plan.

    Two queries whatever the size of the plan, and never a call to
    service_proyectos: it is the one asking, and needs no marco for this.
    """
    vigente = (
        ProgramacionVersion.objects.filter(proyecto_id=proyecto_id)
        .order_by("-numero")
        .annotate(
            primero=Min(_clave_de_periodo("meses__anio", "meses__mes")),
            ultimo=Max(_clave_de_periodo("meses__anio", "meses__mes")),
            monto=Sum("meses__monto_programado"),
        )
        .values("primero", "ultimo", "monto")
        .first()
    )
    realizado = Seguimiento.objects.filter(proyecto_id=proyecto_id).aggregate(
        filas=Count("pk"),
        primero=Min(_clave_de_periodo("anio", "mes")),
        ultimo=Max(_clave_de_periodo("anio", "mes")),
        monto=Sum("monto_ejecutado"),
    )

    programado = vigente or {"primero": None, "ultimo": None, "monto": None}
    ambos = (programado, realizado)
    primeros = [f["primero"] for f in ambos if f["primero"] is not None]
    ultimos = [f["ultimo"] for f in ambos if f["ultimo"] is not None]
    return {
        "proyecto_id": proyecto_id,
        "tiene_registros": vigente is not None or realizado["filas"] > 0,
        "primer_periodo": _periodo(min(primeros, default=None)),
        "ultimo_periodo": _periodo(max(ultimos, default=None)),
        "monto_programado": programado["monto"] or CERO,
        "monto_ejecutado": realizado["monto"] or CERO,
    }
