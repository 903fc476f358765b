# Roadmap Ledger — the README commands.
#   make run    create .venv if needed, install the runtime, load the demo roadmap, serve the API
#               (PORT=8080 serves on another port; ROADMAP_PORT does the same)
#   make test   install with the dev tools if needed, run the test suite (PYTEST_ARGS="...")
#   make lint   ruff check, ruff format --check, mypy, import contracts (lint-imports)
#   make bench  run the benchmarks (BENCH_ARGS="..." passes extra args)
#   make screenshots  refresh docs/screenshots (the README's pictures) from the browser tests

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# `run` needs the runtime alone; test, lint and bench need the dev tools too.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
PYTEST_ARGS ?=
# Two test processes (pytest-xdist): the suite waits on PostgreSQL, browsers and servers as much
# as it computes, so two halve little but still save minutes; PYTEST_WORKERS=0 runs in one.
PYTEST_WORKERS ?= 2
BENCH_ARGS ?=
PORT ?=

# Never prompt (CI=true, no stdin).
export PIP_NO_INPUT := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint bench install clean screenshots

run: $(RUN_STAMP)
	$(BIN)/roadmap demo
	$(BIN)/roadmap serve $(if $(PORT),--port $(PORT))

test: $(DEV_STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(DEV_STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

install: $(DEV_STAMP)

screenshots: $(DEV_STAMP)
	ROADMAP_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest tests/browser -k sqlite -q

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml is newer than the stamp. The dev install includes the
# runtime, so it stamps both.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --no-input -e . </dev/null
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --no-input -e '.[dev]' </dev/null
	touch $@ $(RUN_STAMP)

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist *.egg-info .ci/junit.xml
