# Podium: the two commands a user needs are `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PODIUM_CATALOG := data/catalog/sessions.jsonl

.PHONY: run test lint bench install catalog clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,bedrock]'
	touch $(STAMP)

install: $(STAMP)

## The main job: ingest the sample catalog if needed, then serve the assistant and web UI offline.
run: $(STAMP)
	$(BIN)/podium up

test: $(STAMP)
	bash scripts/system_deps.sh
	$(BIN)/ruff check src tests scripts benchmarks examples
	$(BIN)/ruff format --check src tests scripts benchmarks examples
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks examples
	$(BIN)/ruff format --check src tests scripts benchmarks examples
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

catalog: $(STAMP)
	$(BIN)/python scripts/make_catalog.py --out $(PODIUM_CATALOG)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
