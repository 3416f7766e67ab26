"""What the gateway itself does: routing, request ids and its own JSON errors."""

import re
import socket

import httpx
import pytest

pytestmark = pytest.mark.e2e

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


def _assert_gateway_error(response: httpx.Response, status: int, codigo: str):
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"codigo", "mensaje", "request_id"}
    assert body["codigo"] == codigo
    assert body["mensaje"]
    assert body["request_id"] == response.headers["X-Request-ID"]


@pytest.mark.parametrize("service", ["auth", "empresas", "proyectos", "programacion"])
def test_each_prefix_reaches_its_service_with_the_path_unchanged(gateway, service):
    response = gateway.get(f"/{service}/health/")

    assert response.status_code == httpx.codes.OK
    assert response.json() == {"estado": "ok", "servicio": service}


@pytest.mark.parametrize("path", ["/", "/nada/", "/empresa/", "/auth", "/proyectos"])
def test_unknown_path_is_a_json_404(gateway, path):
    _assert_gateway_error(gateway.get(path), httpx.codes.NOT_FOUND, "no_encontrado")


@pytest.mark.parametrize("path", ["/metrics", "/proyectos/metrics", "/auth/metrics/"])
def test_metrics_are_not_exposed(gateway, path):
    _assert_gateway_error(gateway.get(path), httpx.codes.NOT_FOUND, "no_encontrado")


def test_well_formed_request_id_is_kept_and_passed_upstream(gateway, stack):
    request_id = "cliente-42.abc:1"

    response = gateway.get("/empresas/health/", headers={"X-Request-ID": request_id})

    assert response.headers["X-Request-ID"] == request_id
    # Exactly one header: the service's own echo is replaced, not doubled.
    assert response.headers.get_list("X-Request-ID") == [request_id]
    stack.wait_for_log("empresas", request_id, timeout=5)


@pytest.mark.parametrize(
    "incoming",
    [None, "tiene espacios", "x" * 129, "a;b", "ñandú".encode(), "id\\n"],
)
def test_missing_or_malformed_request_id_is_replaced(gateway, incoming):
    headers = {} if incoming is None else {"X-Request-ID": incoming}

    response = gateway.get("/auth/health/", headers=headers)

    assert GENERATED_ID.match(response.headers["X-Request-ID"])


def test_body_over_the_limit_is_a_json_413(gateway):
    response = gateway.post(
        "/empresas/",
        content=b"{" + b" " * (3 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
    )

    _assert_gateway_error(
        response, httpx.codes.REQUEST_ENTITY_TOO_LARGE, "solicitud_demasiado_grande"
    )


def _raw_exchange(stack, request: bytes) -> tuple[str, str]:
    """Send bytes no HTTP client would; return the status line and the rest."""
    with socket.create_connection(("127.0.0.1", stack.port("gateway")), 5) as conn:
        conn.sendall(request)
        raw = conn.recv(65536).decode("utf-8", errors="replace")
    status_line, _, rest = raw.partition("\r\n")
    return status_line, rest


def test_malformed_request_is_a_json_400(stack):
    status_line, rest = _raw_exchange(stack, b"NOT HTTP AT ALL\r\n\r\n")

    assert " 400 " in status_line
    assert '"codigo":"solicitud_invalida"' in rest


@pytest.mark.parametrize("length", [4100, 9000])
def test_over_long_address_is_a_json_414(gateway, length):
    # 4100: past the gateway's 4 KB but within what gunicorn would take on
    # its own; gunicorn's HTML page for it must never be what answers.
    response = gateway.get("/empresas/", params={"q": "a" * length})

    _assert_gateway_error(
        response, httpx.codes.REQUEST_URI_TOO_LONG, "uri_demasiado_larga"
    )


def test_many_headers_reach_the_service_rather_than_an_html_page(gateway):
    # gunicorn's own default refuses more than 100 headers, in HTML.
    headers = {f"X-Extra-{n}": "1" for n in range(150)}

    response = gateway.get("/empresas/health/", headers=headers)

    assert response.status_code == httpx.codes.OK
    assert response.json()["servicio"] == "empresas"


def test_unsupported_transfer_coding_is_a_json_501(stack):
    status_line, rest = _raw_exchange(
        stack,
        b"POST /empresas/ HTTP/1.1\r\nHost: localhost\r\n"
        b"Transfer-Encoding: gzip\r\n\r\n",
    )

    assert " 501 " in status_line
    assert '"codigo":"no_implementado"' in rest


def test_unknown_http_version_is_a_json_505(stack):
    status_line, rest = _raw_exchange(
        stack, b"GET /auth/health/ HTTP/2.5\r\nHost: localhost\r\n\r\n"
    )

    assert " 505 " in status_line
    assert '"codigo":"version_http_no_soportada"' in rest


def test_stopped_service_is_a_json_502_and_others_keep_answering(gateway, stack):
    stack.stop("auth")
    try:
        response = gateway.get("/auth/health/")
        other = gateway.get("/empresas/health/")
    finally:
        stack.start("auth")

    _assert_gateway_error(response, httpx.codes.BAD_GATEWAY, "servicio_no_disponible")
    assert other.status_code == httpx.codes.OK


def test_client_host_is_passed_on_and_checked_by_the_service(gateway):
    # nginx forwards the client's Host (not its upstream name), so Django's
    # ALLOWED_HOSTS decides; an unknown host is refused in the shared shape.
    response = gateway.get("/auth/health/", headers={"Host": "sap.example.test"})

    assert response.status_code == httpx.codes.BAD_REQUEST
    body = response.json()
    assert body["codigo"] == "solicitud_invalida"
    assert body["request_id"] == response.headers["X-Request-ID"]
