"""Read operations on proyectos, including the detalle that joins A and C."""

import logging
from functools import partial

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from app_b.client_empresas import empresa_obtener
from app_b.client_programacion import programacion_obtener
from app_b.clients import Deadline, DependencyUnavailable, run_concurrently
from app_b.models import Proyecto

logger = logging.getLogger(__name__)

PARTE_NO_DISPONIBLE = "No disponible temporalmente"
EMPRESA_NO_ENCONTRADA = "No encontrada"
MENSAJE_PARCIAL = "Parte de la información no puede mostrarse en este momento."
MENSAJE_EMPRESA_NO_ENCONTRADA = "La empresa asociada al proyecto no fue encontrada."


def proyecto_listar() -> QuerySet[Proyecto]:
    """All proyectos; the API narrows them with its filter and ordering."""
    return Proyecto.objects.all()


def proyecto_obtener(*, proyecto_id) -> Proyecto:
    """One proyecto by id, or ``Http404`` (a JSON 404 through the handler)."""
    return get_object_or_404(Proyecto, pk=proyecto_id)


def proyecto_detalle_obtener(
    proyecto: Proyecto, *, authorization: str, request_id: str
):
    """Join ``proyecto`` with its empresa (A) and its programación (C).

    Both services are asked at the same time under one time budget
    (``DETALLE_BUDGET_SECONDS``), so the slower of the two bounds the answer,
    not their sum. A part that cannot be had degrades to a Spanish string and
    ``mensaje`` explains it; the proyecto itself is always there.

    ``authorization`` is the caller's own header, forwarded so that A and C
    apply their usual checks; ``request_id`` ties the three services' logs.

    Returns ``{"proyecto", "empresa", "programacion", "mensaje"}`` with the
    proyecto as a model instance, for the view to serialise.
    """
    deadline = Deadline.after(settings.DETALLE_BUDGET_SECONDS)
    credenciales = {
        "authorization": authorization,
        "request_id": request_id,
        "deadline": deadline,
    }
    partes = run_concurrently(
        {
            "empresa": partial(empresa_obtener, proyecto.empresa_id, **credenciales),
            "programacion": partial(programacion_obtener, proyecto.pk, **credenciales),
        },
        deadline,
    )

    mensajes = []
    empresa = partes["empresa"]
    if isinstance(empresa, DependencyUnavailable):
        empresa = PARTE_NO_DISPONIBLE
    elif empresa is None:
        # A knows no such empresa: the stored empresa_id is stale, not a failure.
        logger.warning(
            "proyecto points at an empresa that A does not know",
            extra={"proyecto_id": proyecto.pk, "empresa_id": proyecto.empresa_id},
        )
        empresa = EMPRESA_NO_ENCONTRADA
        mensajes.append(MENSAJE_EMPRESA_NO_ENCONTRADA)

    # None from C means the proyecto has no programación yet: a normal state.
    programacion = partes["programacion"]
    if isinstance(programacion, DependencyUnavailable):
        programacion = PARTE_NO_DISPONIBLE

    degradadas = [
        resultado
        for resultado in partes.values()
        if isinstance(resultado, DependencyUnavailable)
    ]
    for fallo in degradadas:
        logger.warning(
            "detalle degraded: %s unavailable",
            fallo.dependency,
            extra={
                "proyecto_id": proyecto.pk,
                "dependency": fallo.dependency,
                "reason": fallo.reason,
            },
        )
    if degradadas:
        mensajes.append(MENSAJE_PARCIAL)

    return {
        "proyecto": proyecto,
        "empresa": empresa,
        "programacion": programacion,
        "mensaje": " ".join(mensajes) or None,
    }
