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

# A release's histories are recorded once, into a folder of their own, and never rewritten: the
# replay test replays every release's folder on the current code.
HISTORIES_DIR := tests/workflows/histories

record-histories: install ## Record this release's workflow histories (pyproject.toml's version) for the replay test
	@set -eu; \
	version=$$($(VENV_PYTHON) -c 'from configuration.settings import release_version; print(release_version())'); \
	folder=$(HISTORIES_DIR)/$$version; \
	if [ -e "$$folder" ]; then \
		echo "$$folder exists: a release's histories are never rewritten: bump the version in pyproject.toml" >&2; \
		exit 1; \
	fi; \
	echo "recording release $$version's histories into $$folder"; \
	if ! ESS_RECORD_HISTORIES=1 $(VENV_PYTHON) -m pytest -q -m records_history $(PYTEST_ARGS) tests/workflows; then \
		rm -rf "$$folder"; echo "recording failed: $$folder removed" >&2; exit 1; \
	fi; \
	commit=$$(git rev-parse HEAD); \
	note="Recorded by make record-histories."; \
	if [ -n "$$(git status --porcelain -- workflows activities domain orchestration)" ]; then \
		note="Recorded by make record-histories, with uncommitted changes to the workflows' code."; \
	fi; \
	printf '{\n  "version": "%s",\n  "commit": "%s",\n  "recorded": "%s",\n  "note": "%s"\n}\n' \
		"$$version" "$$commit" "$$(date -u +%F)" "$$note" > "$$folder/release.json"; \
	echo "recorded $$(ls "$$folder" | grep -v '^release.json$$' | grep -c '\.json$$') histories; commit $$folder"

clean-data: ## Delete .data (local database, Temporal history, logs) without asking; stop `make run` first
	rm -rf $(DATA_DIR)
