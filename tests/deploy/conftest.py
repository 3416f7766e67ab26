"""Fixtures of the deployment tests: the services, Compose, Kubernetes.

Compose and Kubernetes are read as their own tools resolve them (``docker
compose config``, ``kubectl kustomize``), through ``ops/lint.sh``, so the
tests see what would be deployed, anchors and generators applied.
"""

import json
import sys
from dataclasses import dataclass

import pytest
import yaml
from deploy_model import ROOT, discover_services, run_lint

# deploy/check_nginx.py, which ops/lint.sh runs, is tested as a module too.
sys.path.insert(0, str(ROOT / "deploy"))


@pytest.fixture(scope="session")
def services():
    """Every service of the repository, by name."""
    found = discover_services()
    assert found, "no service_*/manage.py found"
    return {service.name: service for service in found}


@pytest.fixture(scope="session")
def compose(tmp_path_factory):
    """docker-compose.yml as Compose resolves it (JSON)."""
    out = tmp_path_factory.mktemp("compose") / "compose.json"
    result = run_lint("compose", "docker-compose.yml", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(out.read_text())


@dataclass
class K8s:
    """The manifests that ``kubectl kustomize deploy/k8s`` builds."""

    documents: list[dict]

    def get(self, kind: str, name: str) -> dict:
        for doc in self.documents:
            if doc["kind"] == kind and doc["metadata"]["name"] == name:
                return doc
        raise AssertionError(f"deploy/k8s builds no {kind} named {name}")

    def config_map(self, name: str) -> dict[str, str]:
        return self.get("ConfigMap", name).get("data", {})

    def container(self, deployment: str) -> dict:
        containers = self.get("Deployment", deployment)["spec"]["template"]["spec"][
            "containers"
        ]
        assert len(containers) == 1, f"{deployment}: one container expected"
        return containers[0]

    def env_names(self, deployment: str) -> set[str]:
        """Every variable the deployment's container gets, wherever from."""
        container = self.container(deployment)
        names = {item["name"] for item in container.get("env", [])}
        for source in container.get("envFrom", []):
            ref = source.get("configMapRef", {}).get("name")
            assert ref, f"{deployment}: only ConfigMaps are read with envFrom"
            names |= set(self.config_map(ref))
        return names

    def env_values(self, deployment: str) -> dict[str, str]:
        """Literal values only (ConfigMaps and value:), not Secret references."""
        container = self.container(deployment)
        values: dict[str, str] = {}
        for source in container.get("envFrom", []):
            values.update(self.config_map(source["configMapRef"]["name"]))
        for item in container.get("env", []):
            if "value" in item:
                values[item["name"]] = item["value"]
        return values


@pytest.fixture(scope="session")
def k8s(tmp_path_factory):
    """deploy/k8s as kustomize builds it."""
    out = tmp_path_factory.mktemp("k8s") / "k8s.yaml"
    result = run_lint("k8s", str(ROOT / "deploy" / "k8s"), str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return K8s([doc for doc in yaml.safe_load_all(out.read_text()) if doc])
