#!/usr/bin/env bash
# `make test`: formatting and lint, every service's tests, the cross-service
# tests against the real stack, then the Docker/Kubernetes checks. Every part
# runs even when an earlier one fails; the exit code is non-zero if any failed.
# The first line says which database the tests use.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

# PostgreSQL when one is reachable (DATABASE_URL, or 127.0.0.1:5432), else SQLite.
pg_server=""
if [ -n "${DATABASE_URL:-}" ]; then
  case "$DATABASE_URL" in
    postgres://* | postgresql://* | pgsql://*) pg_server="${DATABASE_URL%/*}" ;;
  esac
elif (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  pg_server="postgres://postgres@127.0.0.1:5432"
fi
if [ -n "$pg_server" ]; then
  echo "Database for tests: PostgreSQL at ${pg_server#*@}"
elif [ -n "${DATABASE_URL:-}" ]; then
  echo "Database for tests: SQLite (DATABASE_URL names no PostgreSQL)"
else
  echo "Database for tests: SQLite (no PostgreSQL reachable at 127.0.0.1:5432)"
fi
export SAP_TEST_PG_SERVER="$pg_server"

ops/bootstrap.sh || { echo "ops/bootstrap.sh failed: nothing was tested." >&2; exit 1; }
PY=.venv/bin/python
REPORTS=var/test-reports
rm -rf "$REPORTS"
mkdir -p "$REPORTS"

results=()
failed=0
record() { # record NAME EXIT_CODE
  if [ "$2" = 0 ]; then
    results+=("ok      $1")
  else
    results+=("FAILED  $1 (exit $2)")
    failed=1
  fi
}

# pytest NAME DIR ARGS...: run pytest in DIR with a JUnit report. Exit 5 (no
# test collected) is a failure: a suite that silently ran nothing is broken.
run_pytest() {
  local name=$1 dir=$2
  shift 2
  (cd "$dir" && "$ROOT/$PY" -m pytest -q -p no:cacheprovider \
    --junitxml="$ROOT/$REPORTS/$name.xml" "$@")
  local code=$?
  if [ "$code" = 5 ]; then
    echo "$name: pytest collected no test." >&2
  fi
  record "$name" "$code"
}

echo "== ruff"
.venv/bin/ruff format --check .
record "ruff format" $?
.venv/bin/ruff check .
record "ruff check" $?

for service in service_*/; do
  service=${service%/}
  name=${service#service_}
  echo "== $service"
  if [ -n "$pg_server" ]; then
    # Not sap_<name>: a developer running one suite by hand uses that one.
    db_url="$pg_server/sap_suite_$name"
  else
    db_url="sqlite:///$(pwd)/var/test-$name.sqlite3"
  fi
  DATABASE_URL="$db_url" run_pytest "$service" "$service"
done

echo "== cross-service tests (tests/)"
run_pytest e2e tests

if [ -f ops/lint.sh ]; then
  echo "== make lint"
  make --no-print-directory lint
  record "make lint" $?
fi

echo "== summary"
printf '%s\n' "${results[@]}"
$PY ops/test_summary.py "$REPORTS"/*.xml
exit $failed
