# Two commands on a fresh machine with only Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo demo-small test test-fast dev docs bench lint format clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup  ## generate the synthetic market and run the whole asset graph into data/warehouse.duckdb
	$(BIN)/indexpipe demo

demo-small: setup  ## a 500-company market, every index and check, in under a minute (data/demo-small.duckdb)
	$(BIN)/indexpipe demo --small

# two pytest-xdist workers, one test file each at a time (docs/testing.md, "Time"); PARALLEL= runs serially
PARALLEL ?= -n 2 --dist loadfile --no-loadscope-reorder

test: setup  ## every test, including the default-size calibration
	$(BIN)/python -m pytest $(PARALLEL)

test-fast: setup  ## skip the tests that build a default-size market
	$(BIN)/python -m pytest $(PARALLEL) -m "not slow"

dev: setup  ## the Dagster UI on the same warehouse and run history as the CLI
	$(BIN)/indexpipe dev

docs: setup  ## dbt docs (every model and column) of data/warehouse.duckdb on http://localhost:8080
	$(BIN)/indexpipe docs

bench: setup  ## whole-process timings, peak memory and rows per second; writes bench/results/
	$(BIN)/python bench/run_bench.py

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

clean:
	rm -rf $(VENV) data dbt_project/target dbt_project/logs .dagster_home
