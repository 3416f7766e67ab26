"""ops/lint.sh: each check passes on the repository's file and fails on a
deliberately broken copy of it, with the real tool doing the failing."""

import shutil
from pathlib import Path

import pytest
from deploy_model import NGINX_TEMPLATE, ROOT, run_lint


def broken_copy(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    """``source`` copied into ``tmp_path`` with ``old`` replaced by ``new``."""
    text = source.read_text()
    assert old in text, f"{source} no longer contains {old!r}: update this test"
    target = tmp_path / source.name
    target.write_text(text.replace(old, new, 1))
    return target


def broken_k8s_tree(tmp_path: Path, manifest: str, old: str, new: str) -> Path:
    """deploy/k8s and the nginx template it reads, one manifest broken."""
    k8s = tmp_path / "deploy" / "k8s"
    shutil.copytree(ROOT / "deploy" / "k8s", k8s)
    (tmp_path / "nginx").mkdir()
    shutil.copy(NGINX_TEMPLATE, tmp_path / "nginx" / "nginx.conf")
    broken_copy(tmp_path, k8s / manifest, old, new).replace(k8s / manifest)
    return k8s


def output(result) -> str:
    return result.stdout + result.stderr


@pytest.mark.parametrize(
    ("check", "target"),
    [
        ("compose", "docker-compose.yml"),
        ("dockerfile", "service_proyectos/Dockerfile"),
        ("nginx", "nginx/nginx.conf"),
        ("k8s", "deploy/k8s"),
    ],
)
def test_check_passes_on_the_repository_file(check, target):
    result = run_lint(check, target)

    assert result.returncode == 0, output(result)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # An unknown key, as a typo would make.
        ("    restart: unless-stopped\n", "    restarts: unless-stopped\n", "restarts"),
        # A dependency on a service that does not exist.
        ("      db_auth:\n        condition", "      db_autth:\n        condition", ""),
    ],
)
def test_compose_check_fails_on_a_broken_file(tmp_path, old, new, expected):
    broken = broken_copy(tmp_path, ROOT / "docker-compose.yml", old, new)

    result = run_lint("compose", str(broken))

    assert result.returncode != 0
    assert expected in output(result)


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        # DL3000, an error: a relative WORKDIR depends on the base image.
        ("WORKDIR /app\n", "WORKDIR app\n", "DL3000"),
        # DL3002, a warning: the service would run as root.
        ("USER 10001:10001\n", "USER root\n", "DL3002"),
    ],
)
def test_dockerfile_check_fails_on_a_rule_violation(tmp_path, old, new, rule):
    source = ROOT / "service_empresas" / "Dockerfile"
    broken = broken_copy(tmp_path, source, old, new)

    result = run_lint("dockerfile", str(broken))

    assert result.returncode != 0
    assert rule in output(result)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # A missing semicolon.
        ("proxy_pass http://sap_auth;", "proxy_pass http://sap_auth"),
        # A location pointing at an upstream that is not defined.
        ("proxy_pass http://sap_empresas;", "proxy_pass http://sap_empresa;"),
    ],
)
def test_nginx_check_fails_on_a_broken_template(tmp_path, old, new):
    broken = broken_copy(tmp_path, NGINX_TEMPLATE, old, new)

    result = run_lint("nginx", str(broken))

    assert result.returncode != 0
    # Each rendering (Compose, Kubernetes, make up) reports the failure.
    assert output(result).count("test failed") + output(result).count("emerg") >= 3


@pytest.mark.parametrize(
    ("manifest", "old", "new", "expected"),
    [
        # A field Kubernetes does not know: only strict validation sees it.
        (
            "empresas.yaml",
            "  replicas: 2\n",
            "  replicas: 2\n  replica: 3\n",
            "replica",
        ),
        # A port that is not a number.
        ("auth.yaml", "containerPort: 8001", 'containerPort: "8001a"', "8001a"),
        # A kustomization naming a file that does not exist.
        ("kustomization.yaml", "  - gateway.yaml\n", "  - gateways.yaml\n", ""),
    ],
)
def test_k8s_check_fails_on_a_broken_manifest(tmp_path, manifest, old, new, expected):
    broken = broken_k8s_tree(tmp_path, manifest, old, new)

    result = run_lint("k8s", str(broken))

    assert result.returncode != 0
    assert expected in output(result)
