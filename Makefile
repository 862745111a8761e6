# Talentloop tasks. `make demo` and `make test` are the two README commands.
.PHONY: demo test install lint bench-api

demo:          ## install everything, seed demo data, run web + worker on SQLite
	scripts/demo.sh

test:          ## the whole suite as CI runs it (ruff, mypy, migrations, pytest on SQLite + PostgreSQL)
	scripts/test.sh

install:       ## create .venv and install the locked dependencies
	scripts/bootstrap.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy talentloop

bench-api:     ## bench api at 100k candidates on SQLite
	.venv/bin/talentloop bench api --candidates 100000
