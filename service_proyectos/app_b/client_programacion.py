"""Service B's client for Service C (programación y seguimiento)."""

from datetime import date
from decimal import Decimal

from app_b import last_known
from app_b.clients import Deadline, ResilientClient, dependency_get, get_client

DEPENDENCY = "programacion"
BASE_URL_SETTING = "PROGRAMACION_URL"
# What C needs from B's record to compute earned-value figures; B owns these.
MARCO_CAMPOS = (
    "monto_total",
    "fecha_inicio",
    "fecha_fin_programada",
    "fecha_fin_real",
    "estado",
)


def client() -> ResilientClient:
    """The process-wide client (and breaker) for C."""
    return get_client(DEPENDENCY, BASE_URL_SETTING)


def _marco_params(marco: dict) -> dict[str, str]:
    """The marco as query parameters: ISO dates, plain decimals, no empty values."""
    params = {}
    for campo in MARCO_CAMPOS:
        valor = marco.get(campo)
        if valor is None:
            continue
        if isinstance(valor, date):
            params[campo] = valor.isoformat()
        elif isinstance(valor, Decimal):
            # "f" keeps 1500000.00 from becoming 1.5E+6.
            params[campo] = format(valor, "f")
        else:
            params[campo] = str(valor)
    return params


def programacion_obtener(
    proyecto_id: int,
    *,
    marco: dict,
    authorization: str | None,
    request_id: str,
    deadline: Deadline | None = None,
) -> dict | None:
    """Return the proyecto's programación summary from C, or None on a 404.

    ``marco`` holds the proyecto's ``MARCO_CAMPOS`` as B stores them; they
    travel as query parameters (an empty ``fecha_fin_real`` is left out). Every
    summary C returns is kept as the proyecto's last known good copy; a 404
    drops it. Raises ``DependencyUnavailable`` when C gives no usable answer
    in time.
    """
    programacion = dependency_get(
        DEPENDENCY,
        BASE_URL_SETTING,
        f"/programacion/{int(proyecto_id)}/",
        authorization=authorization,
        request_id=request_id,
        deadline=deadline,
        params=_marco_params(marco),
    )
    if programacion is None:
        last_known.forget(DEPENDENCY, int(proyecto_id))
    elif isinstance(programacion, dict):
        last_known.remember(DEPENDENCY, int(proyecto_id), programacion)
    return programacion


def limites_obtener(
    proyecto_id: int,
    *,
    authorization: str | None,
    request_id: str,
    deadline: Deadline | None = None,
) -> dict | None:
    """Return what C holds for the proyecto that binds the proyecto's record.

    That is whether C has any row for it, the first and last month of its
    current plan and seguimiento, and the amounts they add up to (see C's
    ``GET /programacion/<id>/limites/``); None on a 404. Nothing is kept:
    a write must be checked against C's data as it is now. Raises
    ``DependencyUnavailable`` when C gives no usable answer in time.
    """
    return dependency_get(
        DEPENDENCY,
        BASE_URL_SETTING,
        f"/programacion/{int(proyecto_id)}/limites/",
        authorization=authorization,
        request_id=request_id,
        deadline=deadline,
    )
