#!/usr/bin/env bash
# `make test`: every test of every service, then the cross-service tests.
# The first line says which database the tests use.
set -euo pipefail
cd "$(dirname "$0")/.."

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
else
  echo "Database for tests: SQLite (no PostgreSQL reachable at 127.0.0.1:5432)"
fi
export SAP_TEST_PG_SERVER="$pg_server"

ops/bootstrap.sh
PY=.venv/bin/python

echo "== ruff"
.venv/bin/ruff format --check .
.venv/bin/ruff check .

status=0
for service in service_*/; do
  service=${service%/}
  name=${service#service_}
  echo "== $service"
  if [ -n "$pg_server" ]; then
    db_url="$pg_server/sap_$name"
  else
    db_url="sqlite:///$(pwd)/var/test-$name.sqlite3"
  fi
  (cd "$service" && DATABASE_URL="$db_url" ../$PY -m pytest -q -p no:cacheprovider) || status=1
done

if [ -d tests ]; then
  echo "== cross-service tests"
  $PY -m pytest -q -p no:cacheprovider tests || status=1
fi
exit $status
