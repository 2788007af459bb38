# Two commands on a fresh machine:
#   make run    create .venv, install winnow, ingest seeds/ into warehouse/corpus.duckdb (+ Parquet export)
#   make test   install the dev extras and run the tests (what CI runs); make test-fast: pure logic, < 1 min
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
ARGS   ?=

.PHONY: run test test-fast clean-warehouse benchmarks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip   # the stock pip cannot resolve lxml[html-clean]

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev,dask]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/winnow ingest $(ARGS)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(ARGS)

# the pure logic only (reading, cleaning, language, dedup, records, stages): no flow, no subprocess
test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -m "not slow" $(ARGS)

benchmarks: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/throughput.py

clean-warehouse:
	rm -rf warehouse/corpus.duckdb warehouse/corpus.duckdb.wal warehouse/*.lock warehouse/export warehouse/report.html
