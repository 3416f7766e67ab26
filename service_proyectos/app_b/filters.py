"""Query-string filters of the proyectos list."""

import django_filters

from app_b.models import Proyecto


class ProyectoFilterSet(django_filters.FilterSet):
    """``?estado=&fase=&sector=&empresa_id=&departamento=&municipio=`` and dates.

    Date ranges are inclusive: ``fecha_inicio_desde=2026-01-01`` keeps the
    proyectos that start on that day. ``municipio`` ignores case, because it
    is typed by people rather than chosen from a list.
    """

    municipio = django_filters.CharFilter(lookup_expr="iexact")
    fecha_inicio_desde = django_filters.DateFilter(
        field_name="fecha_inicio", lookup_expr="gte"
    )
    fecha_inicio_hasta = django_filters.DateFilter(
        field_name="fecha_inicio", lookup_expr="lte"
    )
    fecha_fin_programada_desde = django_filters.DateFilter(
        field_name="fecha_fin_programada", lookup_expr="gte"
    )
    fecha_fin_programada_hasta = django_filters.DateFilter(
        field_name="fecha_fin_programada", lookup_expr="lte"
    )

    class Meta:
        model = Proyecto
        fields = ["estado", "fase", "sector", "empresa_id", "departamento"]
