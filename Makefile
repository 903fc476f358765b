# Roadmap Ledger — the README commands.
#   make run    create .venv if needed, install, load the demo roadmap, serve the API
#   make test   install if needed, run the test suite (PYTEST_ARGS="..." passes extra args)
#   make lint   ruff check, ruff format --check, mypy, import contracts (lint-imports)
#   make bench  run the benchmarks (BENCH_ARGS="..." passes extra args)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
BENCH_ARGS ?=

# Never prompt (CI=true, no stdin).
export PIP_NO_INPUT := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint bench install clean

run: $(STAMP)
	$(BIN)/roadmap demo
	$(BIN)/roadmap serve

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --no-input -e '.[dev]' </dev/null
	touch $@

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist *.egg-info .ci/junit.xml
