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

# What only the tests need, from Debian: Chromium for the browser tests (never `playwright install`: it downloads a
# browser), LibreOffice and poppler-utils to prove a generated .docx opens. Not needed by `run`.
TEST_PACKAGES := chromium libreoffice-writer-nogui poppler-utils
TEST_PROGRAMS := /usr/bin/chromium /usr/bin/soffice /usr/bin/pdftotext
browser:
	@missing=; for program in $(TEST_PROGRAMS); do [ -x $$program ] || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=sudo; \
	  else echo "Test tools are missing and installing them needs root: run 'sudo apt-get install -y $(TEST_PACKAGES)'" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(TEST_PACKAGES) >/dev/null; \
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
	$(BIN)/python -m bench.import_scale
	$(BIN)/python -m bench.anonymisation
	$(BIN)/python -m bench.suggestions
	$(BIN)/python -m bench.report_speed
	$(BIN)/python -m bench.retrieval
	$(BIN)/python -m bench.scale_latency

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
