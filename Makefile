# Two commands on a fresh machine with only Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo test test-fast dev bench lint format clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup  ## generate the synthetic market and run the whole asset graph into data/warehouse.duckdb
	$(BIN)/indexpipe demo

test: setup  ## every test, including the default-size calibration
	$(BIN)/python -m pytest

test-fast: setup  ## skip the tests that build a default-size market
	$(BIN)/python -m pytest -m "not slow"

dev: setup  ## the Dagster UI on the same warehouse as the CLI
	$(BIN)/indexpipe dev

bench: setup  ## whole-process timings, peak memory and rows per second; writes bench/results/
	$(BIN)/python bench/run_bench.py

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

clean:
	rm -rf $(VENV) data dbt_project/target dbt_project/logs .dagster_home
