# ESS Help Me — developer commands. `make help` lists them.

PYTHON ?= python3
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
# Touched after a successful install; older than pyproject.toml means "install again".
INSTALL_STAMP := $(VENV)/.installed
# npm writes this after installing what package-lock.json names.
NODE_STAMP := node_modules/.package-lock.json
DATA_DIR ?= .data
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="tests/devstack -x"`.
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run check test bench bench-office bench-sign-in record-histories clean-data

help: ## Show this list
	@echo "ESS Help Me — make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-11s %s\n", $$1, $$2}'

install: $(INSTALL_STAMP) $(NODE_STAMP) ## Create .venv, install the project, its test tools and the back office's front-end libraries (only what changed)

$(VENV_PYTHON):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

$(INSTALL_STAMP): pyproject.toml | $(VENV_PYTHON)
	$(VENV_PYTHON) -m pip install --quiet --disable-pip-version-check -e '.[local,test,lint]'
	@touch $@

# The back office serves these itself (charts, maps): no CDN at run time.
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

run: install ## Start everything (Temporal, PostgreSQL, worker, API) in this terminal; Ctrl-C stops it
	$(VENV_PYTHON) -m devstack

check: install ## Lint (ruff) and type-check (mypy) the code, as CI does before the tests
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: install ## Run the whole test suite, in parallel
	$(VENV_PYTHON) -m pytest -n auto $(PYTEST_ARGS)

bench: install ## Benchmark reports/s and latencies against the targets on a stack of its own (~6 min)
	$(VENV_PYTHON) -m bench.dispatch

bench-office: install ## Benchmark the back office (dashboard, case list, Excel) over 1,000,000 synthetic cases (~3 min)
	$(VENV_PYTHON) -m bench.back_office

bench-sign-in: install ## Benchmark the webhook's latency while 20 clients sign in without pause, on a stack of its own (~2 min)
	$(VENV_PYTHON) -m bench.sign_in

record-histories: install ## Re-record the workflow histories the replay test checks (after an intended workflow change)
	rm -f tests/workflows/histories/*.json
	ESS_RECORD_HISTORIES=1 $(VENV_PYTHON) -m pytest -q -m records_history tests/workflows

clean-data: ## Delete .data (local database, Temporal history, logs) without asking; stop `make run` first
	rm -rf $(DATA_DIR)
