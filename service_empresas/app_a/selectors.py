"""Read operations on empresas."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from app_a.models import Empresa

__all__ = ["empresa_listar", "empresa_obtener"]


def empresa_listar() -> QuerySet[Empresa]:
    """Every empresa, whatever its estado, in the default order.

    Retired (``INACTIVA``) companies stay listed: clients filter by ``estado``.
    The API narrows this queryset with its filter, search and ordering.
    """
    return Empresa.objects.all()


def empresa_obtener(*, empresa_id: int) -> Empresa:
    """One empresa by id in a single query; ``Http404`` when there is none.

    Service B calls this endpoint to check that an empresa exists, so it must
    stay one indexed lookup with nothing joined.
    """
    return get_object_or_404(Empresa, pk=empresa_id)
