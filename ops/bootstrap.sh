#!/usr/bin/env bash
# Prepare a checkout to run SAP: virtualenv, pinned packages, development keys
# and a local .env. Safe to run again: each step skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.installed"

find_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      command -v "$candidate"
      return
    fi
  done
  echo "SAP needs Python 3.11 (python3.11 or python3 on PATH)." >&2
  exit 1
}

# apt_install PACKAGE...: install system packages as root or with sudo; the
# package lists are refreshed only when the first attempt cannot find them.
apt_install() {
  local run=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || return 1
    run=(sudo)
  fi
  command -v apt-get >/dev/null 2>&1 || return 1
  echo "Installing $* from the system packages..."
  "${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null ||
    { "${run[@]}" apt-get update -qq &&
      "${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}

PYTHON=$(find_python)

if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
    # Debian and Ubuntu package venv per Python version (python3.11-venv).
    version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    apt_install "python${version}-venv" || {
      echo "Python's venv module is missing: install python${version}-venv and retry." >&2
      exit 1
    }
  fi
  "$PYTHON" -m venv "$VENV"
fi

# One pip run installs the tools, every service's pinned requirements and the
# shared package, so that two services pinning different versions of the same
# package fail here, loudly, instead of one silently winning.
requirements=(-r requirements-dev.txt)
for file in service_*/requirements.txt; do
  requirements+=(-r "$file")
done
requirements+=(-e packages/sap_common)

# Reinstall only when a requirements file changed since the last install.
wanted=$(cat requirements-dev.txt service_*/requirements.txt packages/sap_common/pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$wanted" ]; then
  echo "Installing pinned Python packages into $VENV..."
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${requirements[@]}"
  echo "$wanted" >"$STAMP"
fi

# nginx is the gateway of `make up` and of the cross-service tests.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  apt_install nginx || {
    echo "nginx is missing and cannot be installed here (no root, no sudo or no apt):" >&2
    echo "install your distribution's nginx package, then run this again." >&2
    exit 1
  }
fi

"$VENV/bin/python" -m sap_common.keys var/keys >/dev/null
"$VENV/bin/python" ops/dev_env.py
