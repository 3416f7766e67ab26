"""Service B's client for Service C (programación y seguimiento)."""

from app_b.clients import Deadline, dependency_get

DEPENDENCY = "programacion"


def programacion_obtener(
    proyecto_id: int,
    *,
    authorization: str | None,
    request_id: str,
    deadline: Deadline | None = None,
) -> dict | None:
    """Return the proyecto's programación summary from C, or None on a 404.

    Raises ``DependencyUnavailable`` when C gives no usable answer in time.
    """
    return dependency_get(
        DEPENDENCY,
        "PROGRAMACION_URL",
        f"/programacion/{int(proyecto_id)}/",
        authorization=authorization,
        request_id=request_id,
        deadline=deadline,
    )
