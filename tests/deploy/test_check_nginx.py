"""deploy/check_nginx.py: upstream names are looked up where the deployment
would look them up before nginx -t sees loopback stand-ins."""

import pytest
from check_nginx import (
    CheckError,
    compose_upstreams_resolve,
    k8s_upstreams_resolve,
    service_dns_names,
    standalone,
)

COMPOSE_NAMES = {"service_empresas", "empresas", "gateway"}
K8S_SERVICES = {name: {8002} for name in service_dns_names("sap-empresas", "sap")}


@pytest.mark.parametrize("upstream", ["empresas:8002", "service_empresas:8002"])
def test_compose_upstream_may_be_a_service_or_an_alias(upstream):
    compose_upstreams_resolve({"SAP_EMPRESAS_UPSTREAM": upstream}, COMPOSE_NAMES)


def test_compose_upstream_unknown_to_compose_is_an_error():
    with pytest.raises(CheckError, match="empresa\\b"):
        compose_upstreams_resolve(
            {"SAP_EMPRESAS_UPSTREAM": "empresa:8002"}, COMPOSE_NAMES
        )


def test_only_upstream_variables_are_looked_up():
    compose_upstreams_resolve({"SAP_NGINX_USER": "nginx"}, COMPOSE_NAMES)


@pytest.mark.parametrize(
    "upstream", ["sap-empresas:8002", "sap-empresas.sap.svc.cluster.local:8002"]
)
def test_k8s_upstream_may_use_any_name_of_the_service(upstream):
    k8s_upstreams_resolve({"SAP_EMPRESAS_UPSTREAM": upstream}, K8S_SERVICES)


@pytest.mark.parametrize(
    ("upstream", "message"),
    [
        ("sap-empresa:8002", "no Service"),
        ("sap-empresas:8003", "no port 8003"),
        ("sap-empresas", "host:port"),
    ],
)
def test_k8s_upstream_must_be_a_service_port(upstream, message):
    with pytest.raises(CheckError, match=message):
        k8s_upstreams_resolve({"SAP_EMPRESAS_UPSTREAM": upstream}, K8S_SERVICES)


def test_addresses_need_no_lookup():
    compose_upstreams_resolve({"SAP_AUTH_UPSTREAM": "10.0.0.7:8001"}, set())
    k8s_upstreams_resolve({"SAP_AUTH_UPSTREAM": "10.0.0.7:8001"}, {})


def test_standalone_values_use_loopback_on_the_same_ports(tmp_path):
    values = {
        "SAP_GATEWAY_PORT": "8000",
        "SAP_EMPRESAS_UPSTREAM": "empresas:8002",
        "SAP_NGINX_RUNTIME_DIR": "/var/cache/nginx",
    }

    result = standalone(values, tmp_path)

    assert result["SAP_EMPRESAS_UPSTREAM"] == "127.0.0.1:8002"
    assert result["SAP_GATEWAY_PORT"] == "8000"
    assert result["SAP_NGINX_RUNTIME_DIR"] == str(tmp_path)
    assert result["SAP_NGINX_USER"]
