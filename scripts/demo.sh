#!/usr/bin/env bash
# Install everything, then start Talentloop with demo data on SQLite (web server + task worker).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/talentloop demo "$@"
