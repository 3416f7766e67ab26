"""Service B's client for Service A (empresas)."""

from app_b import last_known
from app_b.clients import Deadline, ResilientClient, dependency_get, get_client

DEPENDENCY = "empresas"
BASE_URL_SETTING = "EMPRESAS_URL"


def client() -> ResilientClient:
    """The process-wide client (and breaker) for A."""
    return get_client(DEPENDENCY, BASE_URL_SETTING)


def empresa_obtener(
    empresa_id: int,
    *,
    authorization: str | None,
    request_id: str,
    deadline: Deadline | None = None,
) -> dict | None:
    """Return empresa ``empresa_id`` as A shows it, or None if A says it doesn't exist.

    Every empresa A returns is kept as its last known good copy; a 404 drops
    the copy, so that a deleted empresa is never shown from it. Raises
    ``DependencyUnavailable`` when A gives no usable answer in time.
    """
    empresa = dependency_get(
        DEPENDENCY,
        BASE_URL_SETTING,
        f"/empresas/{int(empresa_id)}/",
        authorization=authorization,
        request_id=request_id,
        deadline=deadline,
    )
    if empresa is None:
        last_known.forget(DEPENDENCY, int(empresa_id))
    elif isinstance(empresa, dict):
        last_known.remember(DEPENDENCY, int(empresa_id), empresa)
    return empresa
