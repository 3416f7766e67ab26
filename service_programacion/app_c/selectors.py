"""Reads: a proyecto's versions, its seguimiento, its marco and its summary."""

from datetime import date
from decimal import Decimal

import django_filters
from django.conf import settings
from django.db.models import QuerySet, Sum
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
