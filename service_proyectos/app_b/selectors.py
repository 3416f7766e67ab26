"""Read operations on proyectos: the detalle that joins A and C, and the
resilience state of B's calls to them."""

import logging
from datetime import datetime, timedelta
from functools import partial

import pybreaker
from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from app_b import client_empresas, client_programacion, last_known, metrics
from app_b.breaker_storage import FailoverStorage
from app_b.client_empresas import empresa_obtener
from app_b.client_programacion import MARCO_CAMPOS, programacion_obtener
from app_b.clients import (
    Deadline,
    DependencyUnavailable,
    ResilientClient,
    run_concurrently,
)
from app_b.models import Proyecto

logger = logging.getLogger(__name__)

PARTE_NO_DISPONIBLE = "No disponible temporalmente"
EMPRESA_NO_ENCONTRADA = "No encontrada"
MENSAJE_PARCIAL = "Parte de la información no puede mostrarse en este momento."
MENSAJE_EMPRESA_NO_ENCONTRADA = "La empresa asociada al proyecto no fue encontrada."
MENSAJE_COPIA = (
    "Parte de la información proviene de una copia guardada y puede no estar "
    "actualizada."
)

# How fresh each part of a detalle is (``frescura``).
ACTUAL = "actual"
COPIA_GUARDADA = "copia_guardada"
NO_DISPONIBLE = "no_disponible"
NO_ENCONTRADA = "no_encontrada"
SIN_DATOS = "sin_datos"
ESTADOS_EMPRESA = (ACTUAL, COPIA_GUARDADA, NO_DISPONIBLE, NO_ENCONTRADA)
ESTADOS_PROGRAMACION = (ACTUAL, COPIA_GUARDADA, NO_DISPONIBLE, SIN_DATOS)

# Breaker states as operators read them.
ESTADOS_CIRCUITO = {
    pybreaker.STATE_CLOSED: "CERRADO",
    pybreaker.STATE_OPEN: "ABIERTO",
    pybreaker.STATE_HALF_OPEN: "SEMIABIERTO",
}
# Where a breaker's state lives (``estado_compartido``).
ESTADO_REDIS = "redis"
ESTADO_LOCAL = "local"
ESTADO_LOCAL_POR_FALLA = "local_por_falla_de_redis"


def proyecto_listar() -> QuerySet[Proyecto]:
    """All proyectos; the API narrows them with its filter and ordering."""
    return Proyecto.objects.all()


def proyecto_obtener(*, proyecto_id) -> Proyecto:
    """One proyecto by id, or ``Http404`` (a JSON 404 through the handler)."""
    return get_object_or_404(Proyecto, pk=proyecto_id)


def proyecto_detalle_obtener(
    proyecto: Proyecto, *, authorization: str, request_id: str
) -> dict:
    """Join ``proyecto`` with its empresa (A) and its programación (C).

    Both services are asked at the same time under one time budget
    (``DETALLE_BUDGET_SECONDS``), so the slower of the two bounds the answer,
    not their sum. C also gets the proyecto's marco (``MARCO_CAMPOS``), from
    which it computes its earned-value figures.

    A part whose service cannot answer is shown from the last good answer
    kept for it (``app_b.last_known``) when there is one, else as the text
    ``PARTE_NO_DISPONIBLE``. ``frescura`` tells, part by part, whether it is
    current, a kept copy and since when, unavailable, or unknown to its
    service; ``mensaje`` says the same in a sentence. The proyecto itself is
    always there.

    ``authorization`` is the caller's own header, forwarded so that A and C
    apply their usual checks; ``request_id`` ties the three services' logs.

    Returns ``{"proyecto", "empresa", "programacion", "mensaje", "frescura"}``
    with the proyecto as a model instance, for the view to serialise.
    """
    deadline = Deadline.after(settings.DETALLE_BUDGET_SECONDS)
    credenciales = {
        "authorization": authorization,
        "request_id": request_id,
        "deadline": deadline,
    }
    marco = {campo: getattr(proyecto, campo) for campo in MARCO_CAMPOS}
    partes = run_concurrently(
        {
            "empresa": partial(empresa_obtener, proyecto.empresa_id, **credenciales),
            "programacion": partial(
                programacion_obtener, proyecto.pk, marco=marco, **credenciales
            ),
        },
        deadline,
    )
    # One instant for the whole answer: every age is measured from it.
    ahora = timezone.now()

    resultado = partes["empresa"]
    if isinstance(resultado, DependencyUnavailable):
        empresa, frescura_empresa = _sustituir(
            client_empresas.DEPENDENCY, proyecto.empresa_id, resultado, proyecto, ahora
        )
    elif resultado is None:
        # A knows no such empresa: the stored empresa_id is stale, not a failure.
        logger.warning(
            "proyecto points at an empresa that A does not know",
            extra={"proyecto_id": proyecto.pk, "empresa_id": proyecto.empresa_id},
        )
        empresa, frescura_empresa = EMPRESA_NO_ENCONTRADA, _actual(NO_ENCONTRADA, ahora)
    else:
        empresa, frescura_empresa = resultado, _actual(ACTUAL, ahora)

    resultado = partes["programacion"]
    if isinstance(resultado, DependencyUnavailable):
        programacion, frescura_programacion = _sustituir(
            client_programacion.DEPENDENCY, proyecto.pk, resultado, proyecto, ahora
        )
    else:
        # None from C means the proyecto has no programación yet: a normal state.
        programacion = resultado
        frescura_programacion = _actual(
            SIN_DATOS if resultado is None else ACTUAL, ahora
        )

    frescura = {"empresa": frescura_empresa, "programacion": frescura_programacion}
    return {
        "proyecto": proyecto,
        "empresa": empresa,
        "programacion": programacion,
        "mensaje": _mensaje(frescura),
        "frescura": frescura,
    }


def _actual(estado: str, ahora: datetime) -> dict:
    """Frescura of a part its service answered just now."""
    return {"estado": estado, "obtenida_en": ahora, "antiguedad_segundos": 0}


def _sustituir(
    dependencia: str,
    recurso_id: int,
    fallo: DependencyUnavailable,
    proyecto: Proyecto,
    ahora: datetime,
) -> tuple:
    """Value and frescura of a part whose service did not answer.

    The kept copy when there is one still within its TTL, else the text
    ``PARTE_NO_DISPONIBLE``. Either way the fallback is logged and counted.
    """
    copia = last_known.recall(dependencia, recurso_id, now=ahora)
    servido = "none" if copia is None else "kept"
    metrics.record(metrics.FALLBACKS, dependencia, servido)
    logger.warning(
        "detalle degraded: %s unavailable",
        dependencia,
        extra={
            "proyecto_id": proyecto.pk,
            "dependency": dependencia,
            "reason": fallo.reason,
            "served": servido,
            "copy_age_s": None if copia is None else copia.age_seconds(ahora),
        },
    )
    if copia is None:
        frescura = {
            "estado": NO_DISPONIBLE,
            "obtenida_en": None,
            "antiguedad_segundos": None,
        }
        return PARTE_NO_DISPONIBLE, frescura
    frescura = {
        "estado": COPIA_GUARDADA,
        "obtenida_en": copia.saved_at,
        "antiguedad_segundos": copia.age_seconds(ahora),
    }
    return copia.data, frescura


def _mensaje(frescura: dict) -> str | None:
    """One sentence per kind of gap in the detalle, or None when complete."""
    estados = {parte["estado"] for parte in frescura.values()}
    mensajes = []
    if frescura["empresa"]["estado"] == NO_ENCONTRADA:
        mensajes.append(MENSAJE_EMPRESA_NO_ENCONTRADA)
    if NO_DISPONIBLE in estados:
        mensajes.append(MENSAJE_PARCIAL)
    if COPIA_GUARDADA in estados:
        mensajes.append(MENSAJE_COPIA)
    return " ".join(mensajes) or None


def resiliencia_obtener(*, now: datetime | None = None) -> dict:
    """The state of B's breakers towards A and C, and the policy in force.

    Both dependencies are always there: a client this process has not built
    yet is built now, with a closed breaker (or, with Redis, the state the
    other workers share). ``now`` (default: the current time) measures how
    long an open breaker still waits before letting a trial call through.
    """
    now = now or timezone.now()
    return {
        client_empresas.DEPENDENCY: _dependencia_estado(client_empresas.client(), now),
        client_programacion.DEPENDENCY: _dependencia_estado(
            client_programacion.client(), now
        ),
    }


def _dependencia_estado(client: ResilientClient, now: datetime) -> dict:
    """One dependency's breaker snapshot and policy, in the API's words."""
    breaker = client.breaker
    # Read the state first: with Redis down, this read is what switches the
    # storage to local, and estado_compartido must reflect it.
    estado = breaker.state
    abierto_desde = None if estado == pybreaker.STATE_CLOSED else breaker.opened_at
    segundos_para_prueba = None
    if estado == pybreaker.STATE_OPEN:
        # As Breaker.admit decides: no opening time means the trial is due.
        prueba = (abierto_desde or now) + timedelta(seconds=breaker.reset_timeout)
        segundos_para_prueba = round(max(0.0, (prueba - now).total_seconds()), 1)
    policy = client.policy
    return {
        "estado": ESTADOS_CIRCUITO.get(estado, estado),
        "fallos_consecutivos": breaker.failures,
        "abierto_desde": abierto_desde,
        "segundos_para_prueba": segundos_para_prueba,
        "estado_compartido": _estado_compartido(breaker.storage),
        "politica": {
            "reintentos": policy.retries,
            "espera_inicial_s": policy.wait_initial,
            "espera_maxima_s": policy.wait_max,
            "jitter": policy.jitter,
            "timeout_conexion_s": policy.connect_timeout,
            "timeout_lectura_s": policy.read_timeout,
            "fallos_para_abrir": policy.fail_max,
            "reset_timeout_s": policy.reset_timeout,
            "presupuesto_detalle_s": settings.DETALLE_BUDGET_SECONDS,
            "copia_guardada_ttl_s": settings.LKG_TTL_SECONDS,
        },
    }


def _estado_compartido(storage) -> str:
    """Where a breaker's state lives right now."""
    if isinstance(storage, FailoverStorage):
        return ESTADO_REDIS if storage.using_shared else ESTADO_LOCAL_POR_FALLA
    return ESTADO_LOCAL
