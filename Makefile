# Klankbord: `make run` serves the demo, `make test` runs the whole suite. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
EXTRAS ?= test,pdf

.PHONY: run test test-pg test-e2e bench system-deps browsers translations lint clean

$(STAMP): pyproject.toml constraints.txt
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[$(EXTRAS)]"
	@touch $@

## System packages the project needs (WeasyPrint's libraries, Chromium for browser tests).
system-deps:
	@bash .ci/system-deps.sh

browsers: system-deps

translations: $(STAMP)
	@$(BIN)/pybabel compile -q -f -d platform/klankbord/translations 2>/dev/null || true

run: $(STAMP) system-deps translations
	$(BIN)/klankbord db upgrade
	$(BIN)/klankbord demo --if-empty
	KLANKBORD_SCHEDULER_IN_DEV=true $(BIN)/klankbord run --host 127.0.0.1 --port 5000

test: $(STAMP) system-deps translations
	$(BIN)/pytest

test-pg: $(STAMP) system-deps translations
	KLANKBORD_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check platform tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
