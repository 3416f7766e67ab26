"""The README's main job as calls through the gateway, shared by the tests.

Each function makes one request, asserts the status it must get and returns
the decoded body, so a test reads as the steps a user takes.
"""

import time
import uuid

import httpx

NO_DISPONIBLE = "No disponible temporalmente"
# frescura of a part of the detalle: from its service now, a copy proyectos
# kept from an earlier answer, or nothing.
ACTUAL = "actual"
COPIA_GUARDADA = "copia_guardada"
SIN_COPIA = "no_disponible"

MESES_PROGRAMADOS = [
    {
        "anio": 2026,
        "mes": mes,
        "avance_fisico_programado": avance,
        "monto_programado": monto,
    }
    for mes, avance, monto in [
        (1, "10.00", "150000.00"),
        (2, "15.00", "225000.00"),
        (3, "25.00", "375000.00"),
    ]
]
SEGUIMIENTO_ENERO = {
    "anio": 2026,
    "mes": 1,
    "avance_fisico_real": "9.50",
    "monto_ejecutado": "140000.00",
    "fecha_corte": "2026-01-31",
    "observaciones": "Movimiento de tierras concluido.",
}


def _expect(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url.path} -> "
        f"{response.status_code}: {response.text}"
    )
    return response.json()


def empresa_crear(client: httpx.Client, headers: dict) -> dict:
    """Register an empresa with a NIT no other test uses."""
    nit = str(uuid.uuid4().int)[:12]
    datos = {
        "nit": nit,
        "razon_social": f"Constructora Illimani {nit} S.R.L.",
        "sigla": "CISRL",
        "tipo": "SRL",
        "departamento": "LA_PAZ",
        "municipio": "La Paz",
    }
    return _expect(
        client.post("/empresas/", json=datos, headers=headers), httpx.codes.CREATED
    )


def proyecto_crear(client: httpx.Client, headers: dict, empresa_id: int) -> dict:
    """Register a proyecto carried out by ``empresa_id``."""
    datos = {
        "codigo": f"E2E-{uuid.uuid4().hex[:12]}",
        "nombre": "Construcción del puente vehicular Río Choqueyapu",
        "sector": "TRANSPORTE",
        "departamento": "LA_PAZ",
        "provincia": "Murillo",
        "municipio": "La Paz",
        "empresa_id": empresa_id,
        "entidad_ejecutora": "Gobierno Autónomo Municipal de La Paz",
        "monto_total": "1500000.00",
        "fuente_financiamiento": "TGN",
        "fase": "EJECUCION",
        "estado": "EN_EJECUCION",
        "fecha_inicio": "2026-01-05",
        "fecha_fin_programada": "2026-12-20",
    }
    return _expect(
        client.post("/proyectos/", json=datos, headers=headers), httpx.codes.CREATED
    )


def programacion_crear(client: httpx.Client, headers: dict, proyecto_id: int):
    """Plan three months for the proyecto and report the first one."""
    version = _expect(
        client.post(
            f"/programacion/{proyecto_id}/versiones/",
            json={"motivo": "Programación inicial", "meses": MESES_PROGRAMADOS},
            headers=headers,
        ),
        httpx.codes.CREATED,
    )
    seguimiento = _expect(
        client.post(
            f"/programacion/{proyecto_id}/seguimiento/",
            json=SEGUIMIENTO_ENERO,
            headers=headers,
        ),
        httpx.codes.CREATED,
    )
    return version, seguimiento


def detalle(client: httpx.Client, headers: dict, proyecto_id: int):
    """GET the detalle; return (response, seconds it took)."""
    started = time.perf_counter()
    response = client.get(f"/proyectos/detalle/{proyecto_id}/", headers=headers)
    return response, time.perf_counter() - started


def is_full(body: dict) -> bool:
    """True when empresa and programación both come from their services now."""
    frescura = body.get("frescura") or {}
    return (
        isinstance(body.get("empresa"), dict)
        and isinstance(body.get("programacion"), dict)
        and not body.get("mensaje")
        and all(parte.get("estado") == ACTUAL for parte in frescura.values())
    )


def frescura(body: dict, parte: str) -> str:
    """How fresh ``parte`` (empresa or programacion) of a detalle is."""
    return body["frescura"][parte]["estado"]


def resiliencia(client: httpx.Client, headers: dict) -> dict:
    """proyectos' breakers towards empresas and programacion, as it reports them."""
    return _expect(
        client.get("/proyectos/resiliencia/", headers=headers), httpx.codes.OK
    )


def breaker_estado(client: httpx.Client, headers: dict, dependency: str) -> str:
    """proyectos' breaker state towards ``dependency`` (CERRADO, ABIERTO...)."""
    return resiliencia(client, headers)[dependency]["estado"]
