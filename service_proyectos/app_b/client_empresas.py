"""Service B's client for Service A (empresas)."""

from app_b.clients import Deadline, dependency_get

DEPENDENCY = "empresas"


def empresa_obtener(
    empresa_id: int,
    *,
    authorization: str | None,
    request_id: str,
    deadline: Deadline | None = None,
) -> dict | None:
    """Return empresa ``empresa_id`` as A shows it, or None if A says it doesn't exist.

    Raises ``DependencyUnavailable`` when A gives no usable answer in time.
    """
    return dependency_get(
        DEPENDENCY,
        "EMPRESAS_URL",
        f"/empresas/{int(empresa_id)}/",
        authorization=authorization,
        request_id=request_id,
        deadline=deadline,
    )
