"""Render the gateway template as a deployment would, then run ``nginx -t`` on it.

Usage (ops/lint.sh runs it)::

    python deploy/check_nginx.py compose CONFIG.json [--template T]
    python deploy/check_nginx.py k8s MANIFESTS.yaml [--template T]
    python deploy/check_nginx.py local [--template T]

``compose`` takes the values from the gateway's environment in the output of
``docker compose config --format json``; ``k8s`` from the gateway
Deployment's environment and ConfigMaps in the output of ``kubectl
kustomize``; ``local`` from what ``make up`` uses (``ops/stack.py``). The
template is rendered by ``ops/render_nginx.py``, the renderer ``make up``
uses, which follows the same rule as the official image's envsubst.

``nginx -t`` resolves every upstream host, and the names Compose and
Kubernetes give exist only on their own networks. So each upstream host is
first looked up where that network would look it up (the Compose services
and their aliases; the Services of the namespace, with their ports), and
only then replaced by 127.0.0.1 for ``nginx -t``. The runtime directory
becomes a temporary one and the worker user one that exists here.
"""

import argparse
import grp
import ipaddress
import json
import logging
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "ops"))

from render_nginx import TEMPLATE, MissingValues, render  # noqa: E402

logger = logging.getLogger("check_nginx")

UPSTREAM_SUFFIX = "_UPSTREAM"
GATEWAY_DEPLOYMENT = "sap-gateway"
COMPOSE_GATEWAY = "gateway"


class CheckError(Exception):
    """The configuration is wrong; the message says where."""


def split_upstream(value: str) -> tuple[str, int]:
    """``host:port`` into its parts."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise CheckError(f"upstream {value!r} is not host:port")
    return host, int(port)


def is_address(host: str) -> bool:
    """True for an IP address, which needs no name lookup."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def compose_values(config: dict) -> tuple[dict[str, str], set[str]]:
    """The gateway's environment and every name on the Compose network."""
    services = config.get("services", {})
    if COMPOSE_GATEWAY not in services:
        raise CheckError(f"Compose defines no service named {COMPOSE_GATEWAY!r}")
    names = set()
    for name, service in services.items():
        names.add(name)
        for network in (service.get("networks") or {}).values():
            names.update((network or {}).get("aliases") or [])
        if service.get("hostname"):
            names.add(service["hostname"])
    environment = services[COMPOSE_GATEWAY].get("environment") or {}
    return {k: str(v) for k, v in environment.items() if v is not None}, names


def compose_upstreams_resolve(values: dict[str, str], names: set[str]) -> None:
    """Fail unless every upstream host is a Compose service or alias."""
    for key, value in sorted(values.items()):
        if not key.endswith(UPSTREAM_SUFFIX):
            continue
        host, _ = split_upstream(value)
        if not is_address(host) and host not in names:
            raise CheckError(
                f"{key}={value}: no Compose service or network alias is named {host}"
            )


def k8s_values(documents: list[dict]) -> tuple[dict[str, str], dict[str, set[int]]]:
    """The gateway container's environment, and each Service's ports by name."""
    by_kind: dict[tuple[str, str], dict] = {}
    services: dict[str, set[int]] = {}
    for doc in documents:
        meta = doc.get("metadata", {})
        by_kind[(doc.get("kind"), meta.get("name"))] = doc
        if doc.get("kind") == "Service":
            ports = {p["port"] for p in doc["spec"].get("ports", [])}
            namespace = meta.get("namespace", "default")
            for alias in service_dns_names(meta["name"], namespace):
                services[alias] = ports
    deployment = by_kind.get(("Deployment", GATEWAY_DEPLOYMENT))
    if deployment is None:
        raise CheckError(f"no Deployment named {GATEWAY_DEPLOYMENT!r}")
    values: dict[str, str] = {}
    for container in deployment["spec"]["template"]["spec"]["containers"]:
        for source in container.get("envFrom", []):
            ref = source.get("configMapRef", {}).get("name")
            config_map = by_kind.get(("ConfigMap", ref))
            if config_map is None:
                raise CheckError(f"the gateway reads ConfigMap {ref!r}, not defined")
            values.update(config_map.get("data", {}))
        for item in container.get("env", []):
            if "value" in item:
                values[item["name"]] = item["value"]
    return values, services


def service_dns_names(name: str, namespace: str) -> list[str]:
    """The names a Service answers to from a pod of its own namespace."""
    return [
        name,
        f"{name}.{namespace}",
        f"{name}.{namespace}.svc",
        f"{name}.{namespace}.svc.cluster.local",
    ]


def k8s_upstreams_resolve(values: dict[str, str], services: dict) -> None:
    """Fail unless every upstream is a Service of the namespace, on its port."""
    for key, value in sorted(values.items()):
        if not key.endswith(UPSTREAM_SUFFIX):
            continue
        host, port = split_upstream(value)
        if is_address(host):
            continue
        if host not in services:
            raise CheckError(f"{key}={value}: no Service is named {host}")
        if port not in services[host]:
            raise CheckError(
                f"{key}={value}: Service {host} has no port {port} "
                f"(it has {sorted(services[host])})"
            )


def local_values() -> dict[str, str]:
    """What ``make up`` renders the template with."""
    import stack

    return stack.load_environment()


def standalone(values: dict[str, str], runtime_dir: Path) -> dict[str, str]:
    """Values that ``nginx -t`` can check on this host, without root."""
    result = dict(values)
    for key, value in values.items():
        if key.endswith(UPSTREAM_SUFFIX):
            _, port = split_upstream(value)
            result[key] = f"127.0.0.1:{port}"
    result["SAP_NGINX_RUNTIME_DIR"] = str(runtime_dir)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        result["SAP_NGINX_USER"] = f"nobody {grp.getgrgid(nobody.pw_gid).gr_name}"
    else:
        result["SAP_NGINX_USER"] = pwd.getpwuid(os.geteuid()).pw_name
    return result


def nginx_binary() -> str:
    """``SAP_NGINX``, else nginx on PATH, else Debian's path."""
    found = os.environ.get("SAP_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        raise CheckError("nginx is not installed (ops/bootstrap.sh installs it)")
    return found


def nginx_test(values: dict[str, str], template: Path) -> None:
    """Render ``template`` with ``values`` and run ``nginx -t`` on the result."""
    with tempfile.TemporaryDirectory(prefix="sap-nginx-") as tmp:
        runtime = Path(tmp) / "run"
        runtime.mkdir()
        try:
            text = render(standalone(values, runtime), template)
        except MissingValues as exc:
            raise CheckError(f"no value for {exc.args[0]}") from exc
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(text)
        result = subprocess.run(
            [nginx_binary(), "-t", "-q", "-p", tmp, "-e", "stderr", "-c", str(conf)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CheckError(result.stderr.strip() or "nginx -t failed")


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=["compose", "k8s", "local"])
    parser.add_argument("source", nargs="?", type=Path, help="rendered config")
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    args = parser.parse_args(argv)
    if args.target != "local" and args.source is None:
        parser.error(f"{args.target} needs the rendered configuration file")
    try:
        if args.target == "compose":
            values, names = compose_values(json.loads(args.source.read_text()))
            compose_upstreams_resolve(values, names)
        elif args.target == "k8s":
            documents = [d for d in yaml.safe_load_all(args.source.read_text()) if d]
            values, services = k8s_values(documents)
            k8s_upstreams_resolve(values, services)
        else:
            values = local_values()
        nginx_test(values, args.template)
    except CheckError as exc:
        logger.error("nginx (%s): %s", args.target, exc)
        return 1
    logger.info(
        "nginx (%s): %s renders and passes nginx -t", args.target, args.template
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
