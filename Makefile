# Laurel: `make serve` runs it, `make test` proves it. `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install serve test lint format fuzz bench bench-nodes clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Laurel needs Python 3.11 or newer (PYTHON=$(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install Laurel with its development tools

serve: $(STAMP) ## Migrate the database, create a demo organization on first run, serve on :8000
	$(BIN)/laurel db upgrade
	$(BIN)/laurel demo
	$(BIN)/laurel serve

test: $(STAMP) ## Run the whole test suite (SQLite and PostgreSQL)
	$(BIN)/pytest

lint: $(STAMP) ## ruff (lint and format check), mypy --strict (src, tests, bench) and the import contracts
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP) ## Format and fix what ruff can
	$(BIN)/ruff format src tests bench migrations
	$(BIN)/ruff check --fix src tests bench migrations

fuzz: $(STAMP) ## Fuzz a local server's API against its OpenAPI (schemathesis; FUZZ_EXAMPLES=25)
	$(BIN)/python bench/fuzz.py

bench: $(STAMP) ## Load-test a local server with wrk; figures go to docs/benchmarks.md
	$(BIN)/python bench/run.py

bench-nodes: $(STAMP) ## One `laurel serve` against two on one PostgreSQL (wrk); to docs/benchmarks.md
	$(BIN)/python bench/nodes.py

clean: ## Remove .venv and the embedded database
	rm -rf $(VENV) .laurel
