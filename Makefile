# `make run` and `make test` are the contract (see README.md). Both set everything up on a fresh machine.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
DEMO := demo_project
PORT ?= 8501

.PHONY: install browser run test lint bench clean

install: $(INSTALLED) browser

# The virtual environment, rebuilt only when pyproject.toml changes.
$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

# Debian's Chromium for the browser tests (never `playwright install`: it downloads a browser). Not needed by `run`.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=sudo; \
	  else echo "Chromium is missing and installing it needs root: run 'sudo apt-get install -y chromium'" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

$(DEMO)/project.db: | $(INSTALLED)
	$(BIN)/workbench demo $(DEMO)

run: $(INSTALLED) $(DEMO)/project.db
	$(BIN)/workbench app $(DEMO) --port $(PORT)

lint: $(INSTALLED)
	$(BIN)/ruff check workbench tests bench streamlit_app.py
	$(BIN)/ruff format --check workbench tests bench streamlit_app.py
	$(BIN)/mypy

test: install lint
	$(BIN)/pytest

# Presidio (the `bench` extra) is installed here only, never by `install` or `test`: it is a baseline, not a dependency.
bench: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.import_speed
	$(BIN)/python -m bench.anonymisation
	$(BIN)/python -m bench.suggestions

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
