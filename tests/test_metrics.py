"""``/metrics`` of a service speaks for all of its gunicorn workers.

proyectos runs two workers here. Without prometheus_client's multiprocess
mode each worker would report only its own counts, and a scrape would show
whichever worker answered it.
"""

import httpx
import pytest
import sap_api
from prometheus_client.parser import text_string_to_metric_families

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.local_only("reads /metrics on proyectos' own port"),
]

DETALLES = 10
# Each scrape opens a connection of its own, so either worker may answer it.
SCRAPES = 12


def _attempts(stack, dependency: str) -> float:
    """proyectos' attempts towards ``dependency``, as one scrape reports them."""
    response = httpx.get(stack.service_url("proyectos", "/metrics"), timeout=5)
    assert response.status_code == httpx.codes.OK
    for family in text_string_to_metric_families(response.text):
        if family.name == "sap_dependency_attempts":
            return sum(
                sample.value
                for sample in family.samples
                if sample.name.endswith("_total")
                and sample.labels.get("dependency") == dependency
            )
    return 0.0


def test_every_scrape_counts_the_attempts_of_every_worker(gateway, credenciales, stack):
    empresa = sap_api.empresa_crear(gateway, credenciales)
    proyecto = sap_api.proyecto_crear(gateway, credenciales, empresa["id"])
    before = _attempts(stack, "empresas")

    for _ in range(DETALLES):
        response, _ = sap_api.detalle(gateway, credenciales, proyecto["id"])
        assert response.status_code == httpx.codes.OK, response.text
        assert isinstance(response.json()["empresa"], dict)

    seen = {_attempts(stack, "empresas") for _ in range(SCRAPES)}
    assert len(seen) == 1, f"scrapes disagree: {sorted(seen)}"
    assert seen.pop() - before >= DETALLES
