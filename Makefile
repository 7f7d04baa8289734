# The two commands a newcomer needs are `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install install-dev run test lint ingest bench-quick clean

# The service alone: what `make run` needs.
$(BIN)/incidentdb: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

# Tests, linters and the benchmark's comparison (Datasette), for `make test`.
$(VENV)/.dev-installed: pyproject.toml $(BIN)/incidentdb
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	@touch $@

install: $(BIN)/incidentdb
install-dev: $(VENV)/.dev-installed

# Installs, migrates, loads the seeds (idempotent) and serves on the embedded SQLite default.
run: install
	$(BIN)/incidentdb ingest
	$(BIN)/incidentdb serve --host $(HOST) --port $(PORT)

ingest: install
	$(BIN)/incidentdb ingest

# The whole suite, on SQLite and on PostgreSQL (INCIDENTDB_TEST_BACKENDS narrows it).
test: install-dev
	scripts/ensure-postgres
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy app

clean:
	rm -rf $(VENV) incidentdb.sqlite3 incidentdb.sqlite3-wal incidentdb.sqlite3-shm .pytest_cache

# The API benchmark at small scale (under two minutes): ours, Datasette and raw SQL side by side.
bench-quick: install-dev
	$(BIN)/python -m bench.api --quick
