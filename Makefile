# Y Tế Số — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PEOPLE ?= 20000
SEED   ?= 1

.PHONY: install run test lint bench reference clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint requirements.lock --editable '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Set up everything, seed the demo province (once) and serve http://127.0.0.1:8000
run: install
	mkdir -p var
	$(BIN)/yteso db upgrade
	$(BIN)/yteso demo seed --people $(PEOPLE) --seed $(SEED) --if-empty
	$(BIN)/yteso serve --host 127.0.0.1 --port 8000

## Lint, type-check, import rules, then the whole suite on SQLite and PostgreSQL (+ browser)
test: install
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(BIN)/python -m pip install --quiet --constraint requirements.lock --editable '.[dev,bench]'
	$(BIN)/python bench/run.py

## Rebuild package data from ../shared/reference (after a new annex)
reference: install
	$(BIN)/python scripts/build_reference.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
