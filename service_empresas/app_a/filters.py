"""Filters of the empresa list: ``?estado=``, ``?departamento=``, ``?tipo=``."""

import django_filters

from app_a.models import Empresa

__all__ = ["EmpresaFilterSet"]


class EmpresaFilterSet(django_filters.FilterSet):
    """Exact filters on the choice fields; an unknown value is a 400."""

    class Meta:
        model = Empresa
        fields = ["estado", "departamento", "tipo"]
