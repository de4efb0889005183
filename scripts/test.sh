#!/usr/bin/env bash
# Everything `make test` runs. With CI=true nothing may be skipped for lack of a service.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
CI="${CI:-false}"
skipped=()

step() { printf '\n==> %s\n' "$*"; }

step "lint: ruff, mypy, import rules"
$BIN/ruff check . && $BIN/ruff format --check . && $BIN/mypy && $BIN/lint-imports || exit 1

step "FHIR R4 examples (npm, tests/fhir-examples)"
examples=tests/fhir-examples
if [ ! -f "$examples/node_modules/.package-lock.json" ] || [ "$examples/package-lock.json" -nt "$examples/node_modules/.package-lock.json" ]; then
  if command -v npm >/dev/null; then
    npm ci --prefix "$examples" --no-audit --no-fund --loglevel=error || echo "npm ci failed"
  fi
fi
if [ -d "$examples/node_modules/hl7.fhir.r4.examples" ]; then
  echo "hl7.fhir.r4.examples: installed"
elif [ "$CI" = true ]; then
  echo "FAIL: the HL7 R4 examples are required in CI (npm ci --prefix $examples)"; exit 1
else
  skipped+=("HL7 R4 example round-trip: npm ci --prefix $examples failed or npm missing")
fi

step "browser: Debian chromium"
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }) \
      || echo "could not install chromium"
  fi
fi
if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null)"
elif [ "$CI" = true ]; then
  echo "FAIL: chromium is required in CI (apt-get install -y chromium)"; exit 1
else
  skipped+=("browser tests: /usr/bin/chromium missing (apt-get install -y chromium)")
fi

step "PostgreSQL on 127.0.0.1:5432"
pg_up() { $BIN/python -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; }
if ! pg_up && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do pg_up && break; sleep 1; done
fi
if pg_up; then
  echo "PostgreSQL: up"
  databases=(sqlite postgresql)
elif [ "$CI" = true ]; then
  echo "FAIL: PostgreSQL is required in CI"; exit 1
else
  skipped+=("the whole suite on PostgreSQL: server not reachable on 127.0.0.1:5432")
  databases=(sqlite)
fi

status=0
for database in "${databases[@]}"; do
  step "pytest on $database"
  YTESO_TEST_DATABASE=$database $BIN/pytest -q -p no:cacheprovider || status=1
done

if [ ${#skipped[@]} -gt 0 ]; then
  printf '\n!!! SKIPPED (not run, fix to get a full run):\n'
  printf '!!!   - %s\n' "${skipped[@]}"
fi
exit $status
