"""The README's main job, end to end through the gateway.

Register, get a token, create an empresa, a proyecto and its programación,
then read the detalle that proyectos builds from all three services.
"""

import uuid

import httpx
import pytest
import sap_api

pytestmark = pytest.mark.e2e


def test_detalle_joins_proyecto_empresa_and_programacion(gateway, credenciales, stack):
    empresa = sap_api.empresa_crear(gateway, credenciales)
    proyecto = sap_api.proyecto_crear(gateway, credenciales, empresa["id"])
    version, seguimiento = sap_api.programacion_crear(
        gateway, credenciales, proyecto["id"]
    )
    request_id = f"e2e-{uuid.uuid4().hex}"

    response, _ = sap_api.detalle(
        gateway, {**credenciales, "X-Request-ID": request_id}, proyecto["id"]
    )

    assert response.status_code == httpx.codes.OK, response.text
    assert response.headers["X-Request-ID"] == request_id
    body = response.json()
    assert body["mensaje"] is None
    assert body["proyecto"]["id"] == proyecto["id"]
    assert body["proyecto"]["codigo"] == proyecto["codigo"]
    assert body["empresa"]["id"] == empresa["id"]
    assert body["empresa"]["nit"] == empresa["nit"]
    programacion = body["programacion"]
    assert programacion["proyecto_id"] == proyecto["id"]
    assert programacion["version_vigente"] == version["numero"]
    assert [(m["anio"], m["mes"]) for m in programacion["meses"]] == [
        (m["anio"], m["mes"]) for m in sap_api.MESES_PROGRAMADOS
    ]
    enero = programacion["meses"][0]
    assert enero["avance_fisico_real"] == seguimiento["avance_fisico_real"]
    assert enero["monto_ejecutado"] == seguimiento["monto_ejecutado"]
    # proyectos passed the caller's id on: both dependencies logged it.
    stack.wait_for_log("empresas", request_id, timeout=5)
    stack.wait_for_log("programacion", request_id, timeout=5)


def test_records_carry_the_caller_as_author(gateway, credenciales):
    yo = gateway.get("/auth/me/", headers=credenciales).json()

    empresa = sap_api.empresa_crear(gateway, credenciales)

    assert empresa["creado_por"] == yo["username"]


@pytest.mark.parametrize(
    "path",
    ["/empresas/", "/proyectos/", "/programacion/1/", "/proyectos/detalle/1/"],
)
def test_request_without_token_is_a_json_401(gateway, path):
    response = gateway.get(path)

    assert response.status_code == httpx.codes.UNAUTHORIZED
    body = response.json()
    assert body["codigo"] == "no_autenticado"
    assert body["mensaje"]
    assert body["request_id"] == response.headers["X-Request-ID"]


@pytest.mark.parametrize(
    "path",
    [
        "/auth/me/",
        "/empresas/",
        "/proyectos/",
        "/programacion/1/versiones/",
        "/proyectos/detalle/1/",
    ],
)
def test_unusable_token_is_refused_in_spanish_whatever_the_client_language(
    gateway, path
):
    # A browser set to English sends this header; the answer stays Spanish.
    headers = {"Authorization": "Bearer basura", "Accept-Language": "en"}

    response = gateway.get(path, headers=headers)

    assert response.status_code == httpx.codes.UNAUTHORIZED
    body = response.json()
    assert body["codigo"] == "no_autenticado"
    assert body["mensaje"] == "El token no es válido o ha expirado."


def test_token_from_auth_is_rejected_once_tampered(gateway, credenciales):
    header = credenciales["Authorization"]
    tampered = header[:-4] + ("AAAA" if not header.endswith("AAAA") else "BBBB")

    response = gateway.get("/empresas/", headers={"Authorization": tampered})

    assert response.status_code == httpx.codes.UNAUTHORIZED
    assert response.json()["codigo"] == "no_autenticado"


def test_proyecto_edits_and_deletion_keep_what_programacion_holds(
    gateway, credenciales
):
    empresa = sap_api.empresa_crear(gateway, credenciales)
    proyecto = sap_api.proyecto_crear(gateway, credenciales, empresa["id"])
    sap_api.programacion_crear(gateway, credenciales, proyecto["id"])
    item = f"/proyectos/{proyecto['id']}/"

    # The plan adds up to 750000.00 and runs January to March 2026.
    bajo = gateway.patch(item, json={"monto_total": "700000.00"}, headers=credenciales)
    corto = gateway.patch(
        item, json={"fecha_fin_programada": "2026-02-28"}, headers=credenciales
    )
    borrado = gateway.delete(item, headers=credenciales)
    justo = gateway.patch(
        item,
        json={"monto_total": "750000.00", "fecha_fin_programada": "2026-03-01"},
        headers=credenciales,
    )

    assert bajo.status_code == httpx.codes.BAD_REQUEST, bajo.text
    assert list(bajo.json()["errores"]) == ["monto_total"]
    assert corto.status_code == httpx.codes.BAD_REQUEST, corto.text
    assert list(corto.json()["errores"]) == ["fecha_fin_programada"]
    assert borrado.status_code == httpx.codes.CONFLICT, borrado.text
    assert borrado.json()["codigo"] == "conflicto"
    assert justo.status_code == httpx.codes.OK, justo.text
    assert gateway.get(item, headers=credenciales).json()["monto_total"] == (
        "750000.00"
    )
