#!/usr/bin/env bash
# Create .venv with Python 3.12+ and install the locked dependencies (uv.lock) into it.
# Idempotent and quick when nothing changed. Needs only Python 3.12 and the package index.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.12 python3.13 python3 "$HOME"/.pyenv/versions/3.12*/bin/python; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || [ -x "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  python=$(find_python) || {
    echo "Talentloop needs Python 3.12 or newer (Django 6.1 does). Install it, or set PYTHON=/path/to/python3.12." >&2
    exit 1
  }
  echo "Creating .venv with $("$python" --version) ($python)"
  "$python" -m venv .venv
fi

uv_version=$(sed -n '/^name = "uv"$/{n;s/^version = "\(.*\)"$/\1/p;}' uv.lock)
if [ "$(.venv/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "$uv_version" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$uv_version"
fi
# uv reads uv.lock and installs exactly those versions (and the project, editable) into .venv.
UV_PROJECT_ENVIRONMENT=.venv UV_PYTHON=.venv/bin/python UV_PYTHON_DOWNLOADS=never \
  .venv/bin/uv sync --locked --quiet
