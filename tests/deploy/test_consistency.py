"""Compose, Kubernetes, the gateway and the services agree with each other.

Each service's own files (urls.py, settings, Dockerfile) are the reference;
docker-compose.yml, deploy/k8s and nginx/nginx.conf must follow them. The
failure messages name the file to fix.
"""

import re
from urllib.parse import urlsplit

import pytest
from deploy_model import (
    discover_services,
    nginx_routes,
    runtime_reads,
    settings_reads,
    upstream_placeholders,
)

SERVICE_NAMES = [service.name for service in discover_services()]
GATEWAY_COMPOSE = "gateway"
GATEWAY_K8S = "sap-gateway"
URL_VARIABLE = re.compile(r"^([A-Z]+)_URL$")

per_service = pytest.mark.parametrize("name", SERVICE_NAMES)


def compose_service(compose: dict, service) -> dict:
    services = compose["services"]
    assert service.compose_name in services, (
        f"docker-compose.yml has no service {service.compose_name}"
    )
    return services[service.compose_name]


def compose_names(compose: dict, service) -> set[str]:
    """The names other containers reach the service by."""
    definition = compose_service(compose, service)
    names = {service.compose_name}
    for network in (definition.get("networks") or {}).values():
        names |= set((network or {}).get("aliases") or [])
    return names


def hosts(value: str) -> set[str]:
    return {host.strip() for host in value.split(",") if host.strip()}


def split_host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host, int(port)


def service_port_target(k8s, service) -> dict[int, int]:
    """Service port -> container port of the service's Kubernetes Service."""
    spec = k8s.get("Service", service.k8s_name)["spec"]
    ports = k8s.container(service.k8s_name)["ports"]
    by_name = {port["name"]: port["containerPort"] for port in ports}
    mapping = {}
    for port in spec["ports"]:
        target = port.get("targetPort", port["port"])
        mapping[port["port"]] = by_name.get(target, target)
    return mapping


@per_service
def test_dockerfile_serves_the_service_on_its_port(name, services):
    service = services[name]
    dockerfile = service.dockerfile

    assert dockerfile.exposed == [service.port], (
        f"{service.directory.name}/Dockerfile: EXPOSE must be the PORT it sets"
    )
    assert f"/{service.prefix}/health/" in dockerfile.healthcheck
    settings_module = dockerfile.env["DJANGO_SETTINGS_MODULE"]
    assert settings_module == f"{service.directory.name}.settings"
    assert service.settings.exists()
    wsgi = dockerfile.cmd[-1].split(":")[0]
    assert (service.directory / (wsgi.replace(".", "/") + ".py")).exists(), wsgi
    # gunicorn 27 would open ~/.gunicorn/gunicorn.ctl, in a home it lacks.
    assert "--no-control-socket" in dockerfile.cmd
    assert dockerfile.entrypoint[:3] == ["python", "-m", "sap_common.wait_for_db"]


@per_service
def test_compose_builds_the_service_from_its_dockerfile(name, services, compose):
    service = services[name]
    build = compose_service(compose, service)["build"]

    assert build["dockerfile"] == f"{service.directory.name}/Dockerfile"
    # The images install packages/sap_common: the context is the repository.
    assert build["context"] == str(service.directory.parent)


@per_service
def test_compose_sets_every_variable_the_service_needs(name, services, compose):
    service = services[name]
    environment = set(compose_service(compose, service).get("environment") or {})

    missing = [
        " or ".join(sorted(read.names))
        for read in settings_reads(service.settings)
        if read.needs_value and not read.names & environment
    ]

    assert not missing, f"docker-compose.yml: {service.compose_name} needs {missing}"


@per_service
def test_k8s_sets_every_variable_the_service_needs(name, services, k8s):
    service = services[name]
    environment = k8s.env_names(service.k8s_name)

    missing = [
        " or ".join(sorted(read.names))
        for read in settings_reads(service.settings)
        if read.needs_value and not read.names & environment
    ]

    assert not missing, f"deploy/k8s: {service.k8s_name} needs {missing}"


@per_service
def test_deployments_set_no_variable_the_service_ignores(name, services, compose, k8s):
    # Catches typos, and a private key handed to a service that only verifies.
    service = services[name]
    known = runtime_reads()
    for read in settings_reads(service.settings):
        known |= read.names
    compose_env = set(compose_service(compose, service).get("environment") or {})
    k8s_env = k8s.env_names(service.k8s_name)

    assert not compose_env - known, f"docker-compose.yml: {sorted(compose_env - known)}"
    assert not k8s_env - known, f"deploy/k8s: {sorted(k8s_env - known)}"


@per_service
def test_gateway_routes_the_prefix_to_the_service_in_compose(name, services, compose):
    service = services[name]
    routes = nginx_routes()
    assert service.prefix in routes, f"nginx.conf has no location /{service.prefix}/"
    gateway_env = compose["services"][GATEWAY_COMPOSE]["environment"]
    placeholder = routes[service.prefix]

    assert placeholder in gateway_env, f"Compose's gateway does not set {placeholder}"
    host, port = split_host_port(gateway_env[placeholder])
    assert host in compose_names(compose, service), (
        f"{placeholder}={gateway_env[placeholder]} is not {service.compose_name}"
    )
    assert port == service.port


@per_service
def test_gateway_routes_the_prefix_to_the_service_in_k8s(name, services, k8s):
    service = services[name]
    placeholder = nginx_routes()[service.prefix]
    config = k8s.env_values(GATEWAY_K8S)

    assert placeholder in config, f"{GATEWAY_K8S} does not get {placeholder}"
    host, port = split_host_port(config[placeholder])
    assert host == service.k8s_name
    assert service_port_target(k8s, service).get(port) == service.port


@per_service
def test_k8s_deployment_and_service_select_the_same_pods(name, services, k8s):
    service = services[name]
    deployment = k8s.get("Deployment", service.k8s_name)
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = k8s.get("Service", service.k8s_name)["spec"]["selector"]

    assert selector.items() <= pod_labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert [p["containerPort"] for p in k8s.container(service.k8s_name)["ports"]] == [
        service.port
    ]


@per_service
def test_k8s_probes_check_health_and_readiness_with_an_allowed_host(
    name, services, k8s
):
    service = services[name]
    container = k8s.container(service.k8s_name)
    allowed = hosts(k8s.env_values(service.k8s_name)["DJANGO_ALLOWED_HOSTS"])
    expected = {
        "startupProbe": f"/{service.prefix}/health/",
        "livenessProbe": f"/{service.prefix}/health/",
        "readinessProbe": f"/{service.prefix}/ready/",
    }

    for probe, path in expected.items():
        http = container[probe]["httpGet"]
        assert http["path"] == path, f"{service.k8s_name} {probe}"
        assert http["port"] in ("http", service.port)
        # Without it the kubelet sends the pod's IP, which Django rejects.
        host = {h["name"]: h["value"] for h in http.get("httpHeaders", [])}.get("Host")
        assert host in allowed, f"{service.k8s_name} {probe}: Host {host!r}"


@per_service
def test_compose_healthcheck_host_is_allowed(name, services, compose):
    service = services[name]
    environment = compose_service(compose, service)["environment"]

    # The image's HEALTHCHECK calls http://127.0.0.1:<PORT>/...
    assert "127.0.0.1" in service.dockerfile.healthcheck
    assert "127.0.0.1" in hosts(environment["DJANGO_ALLOWED_HOSTS"])


@per_service
def test_urls_to_other_services_name_them_by_an_allowed_host(
    name, services, compose, k8s
):
    service = services[name]
    by_prefix = {s.prefix: s for s in services.values()}
    compose_env = compose_service(compose, service)["environment"]
    k8s_env = k8s.env_values(service.k8s_name)

    for variable in set(compose_env) | set(k8s_env):
        match = URL_VARIABLE.match(variable)
        if not match or match.group(1).lower() not in by_prefix:
            continue
        target = by_prefix[match.group(1).lower()]

        url = urlsplit(compose_env[variable])
        assert "_" not in url.hostname, f"Django rejects the Host {url.hostname}"
        assert url.hostname in compose_names(compose, target)
        assert url.port == target.port
        target_env = compose_service(compose, target)["environment"]
        assert url.hostname in hosts(target_env["DJANGO_ALLOWED_HOSTS"])

        url = urlsplit(k8s_env[variable])
        assert url.hostname == target.k8s_name
        assert service_port_target(k8s, target).get(url.port) == target.port
        target_hosts = hosts(k8s.env_values(target.k8s_name)["DJANGO_ALLOWED_HOSTS"])
        assert url.hostname in target_hosts


def test_every_gateway_upstream_has_a_value_in_compose_and_k8s(compose, k8s):
    gateway_env = compose["services"][GATEWAY_COMPOSE]["environment"]
    config = k8s.env_values(GATEWAY_K8S)

    for placeholder in upstream_placeholders():
        assert placeholder in gateway_env, f"Compose's gateway lacks {placeholder}"
        assert placeholder in config, f"{GATEWAY_K8S} lacks {placeholder}"
