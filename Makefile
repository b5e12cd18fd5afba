# Sanyi — two commands on a fresh machine:
#   make demo   install everything, build the demo database under ./var, serve http://127.0.0.1:8000
#   make test   install everything, run the whole suite (SQLite, PostgreSQL, Chromium)
# and for developers:
#   make check  ruff (lint + format), mypy, import-linter, knowledge tables

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY_STAMP     := $(VENV)/.installed
ASSETS_STAMP := src/sanyi/web/static/vendor/.installed
PYTEST_ARGS  ?=

.PHONY: demo test check install assets services lock clean

demo: install
	SANYI_ENV=demo $(BIN)/sanyi demo

test: install services
	$(BIN)/pytest $(PYTEST_ARGS)

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/sanyi knowledge check --json > /dev/null

install: $(PY_STAMP) $(ASSETS_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev,spark]'
	touch $@

# Front-end packages come from npm with the lock file and are copied into the package: no CDN.
$(ASSETS_STAMP): package.json package-lock.json scripts/vendor-assets.mjs
	npm ci --ignore-scripts --no-audit --no-fund
	npm run --silent vendor
	touch $@

assets: $(ASSETS_STAMP)

# PostgreSQL for the database tests, Debian's Chromium and CJK fonts for the browser tests, Java 17 for Spark.
services:
	scripts/ensure-postgres
	scripts/ensure-browser
	scripts/ensure-java

lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	( head -2 requirements.lock; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' ) > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) node_modules src/sanyi/web/static/vendor .mypy_cache .ruff_cache .pytest_cache test-results
