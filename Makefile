# Klankbord: `make run` serves the demo, `make test` runs the whole suite. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
EXTRAS ?= test,pdf,embeddings
## `make run PORT=8080` (or HOST=0.0.0.0 to reach it from a phone on the same network).
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-pg test-e2e bench scale-test system-deps browsers translations translations-update lint clean

$(STAMP): pyproject.toml constraints.txt
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[$(EXTRAS)]"
	@touch $@

## System packages the project needs (WeasyPrint's libraries, Chromium for browser tests).
system-deps:
	@bash .ci/system-deps.sh

browsers: system-deps

## Staff-page translations: English msgids, Dutch catalog (the default locale) in $(I18N_DIR).
I18N_DIR := platform/klankbord/translations
I18N_KEYWORDS := -k _l -k lazy_gettext -k lazy_ngettext:1,2

translations: $(STAMP)
	@$(BIN)/pybabel -q compile -f -d $(I18N_DIR)

## After adding or changing English strings: extract them, update the Dutch catalog, then translate.
translations-update: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg $(I18N_KEYWORDS) --sort-by-file --project Klankbord -o $(I18N_DIR)/messages.pot .
	$(BIN)/pybabel -q update -i $(I18N_DIR)/messages.pot -d $(I18N_DIR) --no-fuzzy-matching --ignore-obsolete
	@$(BIN)/pybabel compile --statistics -d $(I18N_DIR)
	@echo "Now fill in every empty msgstr in $(I18N_DIR)/nl/LC_MESSAGES/messages.po (plain Dutch),"
	@echo "run 'make translations' and commit the .pot, .po and .mo together."

run: $(STAMP) system-deps translations
	$(BIN)/klankbord db upgrade
	KLANKBORD_PUBLIC_BASE_URL=http://$(HOST):$(PORT) $(BIN)/klankbord demo --if-empty
	@echo "Klankbord: http://$(HOST):$(PORT)/login (Ctrl+C stops it)"
	KLANKBORD_SCHEDULER_IN_DEV=true KLANKBORD_PUBLIC_BASE_URL=http://$(HOST):$(PORT) \
		$(BIN)/klankbord run --host $(HOST) --port $(PORT)

test: $(STAMP) system-deps translations
	$(BIN)/pytest -n 2

test-pg: $(STAMP) system-deps translations
	KLANKBORD_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

## Two app nodes behind nginx on PostgreSQL and Redis, one node killed midway (benchmarks/scale.py;
## installs Debian's nginx when missing). Results: benchmarks/results/scale.md.
scale-test: $(STAMP) translations
	$(BIN)/python benchmarks/scale.py

lint: $(STAMP)
	@test -x $(BIN)/ruff || $(BIN)/python -m pip install -q -c constraints.txt ruff
	$(BIN)/ruff check platform tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
