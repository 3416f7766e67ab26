"""ops/render_nginx.py: only ${SAP_*} placeholders change, and all must be set."""

import subprocess

import pytest
from harness import ROOT, nginx_worker_user
from render_nginx import TEMPLATE, MissingValues, placeholders, render

VALUES = {
    "SAP_GATEWAY_PORT": "18000",
    "SAP_AUTH_UPSTREAM": "127.0.0.1:18001",
    "SAP_EMPRESAS_UPSTREAM": "127.0.0.1:18002",
    "SAP_PROYECTOS_UPSTREAM": "127.0.0.1:18003",
    "SAP_PROGRAMACION_UPSTREAM": "127.0.0.1:18004",
    "SAP_NGINX_USER": nginx_worker_user(),
    "SAP_NGINX_RUNTIME_DIR": "/tmp/sap-nginx",
}


def test_template_uses_exactly_the_documented_placeholders():
    assert placeholders(TEMPLATE.read_text()) == set(VALUES)


def test_render_replaces_placeholders_and_keeps_nginx_variables():
    text = render(VALUES)

    assert placeholders(text) == set()
    assert "listen 18000 default_server;" in text
    assert "server 127.0.0.1:18003;" in text
    assert "$sap_request_id" in text
    assert "$proxy_add_x_forwarded_for" in text


def test_render_names_every_missing_value():
    values = {k: v for k, v in VALUES.items() if k != "SAP_AUTH_UPSTREAM"}
    values["SAP_GATEWAY_PORT"] = ""

    with pytest.raises(MissingValues) as error:
        render(values)

    assert error.value.args[0] == "SAP_AUTH_UPSTREAM, SAP_GATEWAY_PORT"


def test_render_leaves_other_dollar_names_alone(tmp_path):
    template = tmp_path / "t.conf"
    template.write_text("a ${SAP_X}; b ${HOME}; c $SAP_X; d ${sap_x};\n")

    assert render({"SAP_X": "1"}, template) == "a 1; b ${HOME}; c $SAP_X; d ${sap_x};\n"


def test_rendered_config_passes_nginx_syntax_check(tmp_path, nginx):
    values = {**VALUES, "SAP_NGINX_RUNTIME_DIR": str(tmp_path)}
    config = tmp_path / "nginx.conf"
    config.write_text(render(values))

    result = subprocess.run(
        [nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )

    assert result.returncode == 0, result.stderr
