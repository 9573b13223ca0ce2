# Two entry points for a fresh machine with Python 3.11 and make:
#   make demo   set up, then run the main pipeline on the embedded default (DuckDB + local Parquet)
#   make test   set up, then run linters, import contracts, type checks and the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_LAKE ?= demo-lake

.PHONY: setup demo test lint typecheck pytest clean

$(STAMP): pyproject.toml scripts/install-system-deps.sh
	bash scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/wanassure demo --lake $(DEMO_LAKE)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy collectors models assurance

pytest: setup
	$(BIN)/pytest -q

test: lint typecheck pytest

clean:
	rm -rf $(VENV) $(DEMO_LAKE) .pytest_cache .mypy_cache .ruff_cache
