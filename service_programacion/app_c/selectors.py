"""Reads: a proyecto's versions, its seguimiento and its summary."""

from decimal import Decimal

import django_filters
from django.db.models import QuerySet, Sum
from django.shortcuts import get_object_or_404

from app_c.models import ProgramacionMensual, ProgramacionVersion, Seguimiento

CERO = Decimal("0.00")


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


def programacion_resumen_obtener(*, proyecto_id: int) -> dict:
    """Plan in force against what was done, in total and month by month.

    Four queries whatever the size of the plan, three when there is none.
    The totals are sums the database computes over the stored months; they
    are never stored themselves. A month present on one side only shows
    ``None`` on the other: planned but not yet reported, or reported
    outside the plan.
    """
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

    meses: dict[tuple[int, int], dict] = {}
    vacio = {
        "avance_fisico_programado": None,
        "avance_fisico_real": None,
        "monto_programado": None,
        "monto_ejecutado": None,
    }
    for fila in [*programados, *reportados]:
        clave = (fila["anio"], fila["mes"])
        meses.setdefault(clave, {**vacio}).update(fila)

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
        "meses": [meses[clave] for clave in sorted(meses)],
    }
