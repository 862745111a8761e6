#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint, types, migrations check, then pytest on SQLite
# and on PostgreSQL (browser tests in real Chromium included).
#
# Installs what it needs: Python packages from uv.lock; as root on Debian/Ubuntu also
# Chromium (apt) and a running PostgreSQL cluster with a `talentloop` role.
# Set TALENTLOOP_TEST_POSTGRES_URL to use a PostgreSQL server of your own.
# Extra arguments go to pytest, e.g. scripts/test.sh -k consent
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh || exit 1

failures=()
step() { echo; echo "==> $*"; }
run() { "$@" || failures+=("$*"); }
is_root() { [ "$(id -u)" = 0 ]; }

# --- Chromium for the browser tests -----------------------------------------------------
if [ ! -x /usr/bin/chromium ] && is_root && command -v apt-get >/dev/null; then
  step "Installing Chromium (Debian package) for browser tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "warning: could not install chromium; browser tests will be skipped" >&2
fi
if [ ! -x /usr/bin/chromium ] && [ "${CI:-}" = "true" ]; then
  failures+=("chromium missing in CI")
fi

# --- catdoc (.doc resumes) and Tesseract (scanned resumes) -------------------------------
missing_tools=()
command -v catdoc >/dev/null || missing_tools+=(catdoc)
command -v tesseract >/dev/null || missing_tools+=(tesseract-ocr tesseract-ocr-eng)
if [ ${#missing_tools[@]} -gt 0 ] && is_root && command -v apt-get >/dev/null; then
  step "Installing ${missing_tools[*]} (Debian packages) for .doc and OCR resume tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_tools[@]}" >/dev/null) \
    || echo "warning: could not install ${missing_tools[*]}; those resume tests will be skipped" >&2
fi
if [ "${CI:-}" = "true" ]; then
  command -v catdoc >/dev/null || failures+=("catdoc missing in CI")
  command -v tesseract >/dev/null || failures+=("tesseract missing in CI")
fi

# --- PostgreSQL ---------------------------------------------------------------------------
pg_url="${TALENTLOOP_TEST_POSTGRES_URL:-}"
if [ -z "$pg_url" ] && command -v pg_ctlcluster >/dev/null && is_root; then
  step "Starting PostgreSQL"
  version=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1}')
  cluster=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $2}')
  if [ -n "$version" ]; then
    pg_ctlcluster "$version" "$cluster" start 2>/dev/null || true
    port=$(pg_lsclusters --no-header | awk 'NR==1 {print $3}')
    for _ in $(seq 1 30); do
      su postgres -c "psql -p $port -tAc 'select 1'" >/dev/null 2>&1 && break
      sleep 0.5
    done
    su postgres -c "psql -p $port -tAc \"SELECT 1 FROM pg_roles WHERE rolname='talentloop'\"" | grep -q 1 \
      || su postgres -c "psql -p $port -c \"CREATE ROLE talentloop LOGIN CREATEDB PASSWORD 'talentloop'\"" >/dev/null
    su postgres -c "psql -p $port -tAc \"SELECT 1 FROM pg_database WHERE datname='talentloop'\"" | grep -q 1 \
      || su postgres -c "createdb -p $port -O talentloop talentloop"
    pg_url="postgresql://talentloop:talentloop@127.0.0.1:$port/talentloop"
  fi
fi
if [ -z "$pg_url" ]; then
  if [ "${CI:-}" = "true" ]; then
    failures+=("PostgreSQL unavailable in CI")
  else
    echo "warning: no PostgreSQL (run as root with pg_ctlcluster, or set TALENTLOOP_TEST_POSTGRES_URL); testing SQLite only" >&2
  fi
fi

export TALENTLOOP_DATA_DIR="${TALENTLOOP_DATA_DIR:-$(mktemp -d)}"
unset DATABASE_URL

step "ruff"
run .venv/bin/ruff check .
run .venv/bin/ruff format --check .
step "mypy --strict"
run .venv/bin/mypy talentloop
step "makemigrations --check"
run .venv/bin/python manage.py makemigrations --check --dry-run

pytest_run() {
  .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
  local code=$?
  [ $code = 5 ] && { echo "pytest collected no tests" >&2; return 1; }
  return $code
}
step "pytest on SQLite"
run pytest_run "$@"
if [ -n "$pg_url" ]; then
  step "pytest on PostgreSQL"
  run env DATABASE_URL="$pg_url" .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failures[@]}"
  exit 1
fi
echo "All checks passed."
