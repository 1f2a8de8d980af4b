# The one entry point. `make test` is the test command everywhere (README, .ci/run).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# Targets run in the order written (install first); -j would break that.
.NOTPARALLEL:
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NPM_DIR := tools/npm
NPM_BIN := $(NPM_DIR)/node_modules/.bin

# Redocly CLI: no usage data sent, no update check (the network reaches package registries only).
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true

SPEC ?= spec/amazon-music-user-v1.yaml
GENERATED ?= generated/amazon_music_generated
GENERATOR_CONFIG ?= spec/generator.yaml

PY_SOURCES := overlay emulator scripts tests
TYPED_PACKAGES := overlay/amazon_music emulator/amazon_music_emulator generated/amazon_music_generated scripts

.PHONY: help install generate check-generated errata check-errata lint-spec lint format typecheck test clean distclean

help:
	@echo "make install          .venv with the package editable + [emulator,dev]; npm tools in $(NPM_DIR)"
	@echo "make generate         regenerate $(GENERATED) from $(SPEC)"
	@echo "make check-generated  fail if $(GENERATED) differs from what $(SPEC) generates"
	@echo "make errata           rebuild spec/ERRATA.md from the spec (check-errata: fail if stale)"
	@echo "make lint-spec        openapi-spec-validator + redocly lint"
	@echo "make lint             ruff check + ruff format --check (format: apply ruff format)"
	@echo "make typecheck        mypy --strict on the three packages"
	@echo "make test             all of the above checks, then pytest"
	@echo "make clean            remove caches and build output (distclean: also .venv and node_modules)"

# ---------------------------------------------------------------------------------------------------------------
# install: idempotent; each half re-runs only when its inputs change (stamp files).
install: $(VENV)/.installed $(NPM_DIR)/node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@if [ ! -x $(BIN)/python ]; then \
		$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
			|| { echo "error: $(PYTHON) is older than 3.11; set PYTHON=python3.11" >&2; exit 1; }; \
		$(PYTHON) -m venv $(VENV); \
		$(BIN)/python -m pip install --quiet --upgrade pip; \
	fi
	@# The filter drops pip's notes about this machine's configured local indexes that are absent (noise only).
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[emulator,dev]' 2>&1 \
		| { grep -v "^WARNING: Location 'file:" || true; }
	@touch $@

$(NPM_DIR)/node_modules/.installed: $(NPM_DIR)/package.json $(NPM_DIR)/package-lock.json
	npm ci --prefix $(NPM_DIR) --no-audit --no-fund --loglevel=error
	@touch $@

# ---------------------------------------------------------------------------------------------------------------
# The generated client: one code path (scripts/check_generated.py) for writing and for checking.
generate: install
	$(BIN)/python scripts/check_generated.py --spec $(SPEC) --generated $(GENERATED) --config $(GENERATOR_CONFIG) --write

check-generated: install
	$(BIN)/python scripts/check_generated.py --spec $(SPEC) --generated $(GENERATED) --config $(GENERATOR_CONFIG)

# spec/ERRATA.md is built from the spec's x-doc-errata.
errata: install
	$(BIN)/python scripts/build_errata.py

check-errata: install
	$(BIN)/python scripts/build_errata.py --check

# ---------------------------------------------------------------------------------------------------------------
lint-spec: install
	$(BIN)/openapi-spec-validator $(SPEC)
	$(NPM_BIN)/redocly lint $(SPEC) --config redocly.yaml

lint: install
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)

format: install
	$(BIN)/ruff check --fix $(PY_SOURCES)
	$(BIN)/ruff format $(PY_SOURCES)

typecheck: install
	$(BIN)/mypy $(TYPED_PACKAGES)

# pytest's exit 5 (no tests collected) fails the recipe like any other non-zero exit.
test: install lint-spec check-generated check-errata lint typecheck
	$(BIN)/pytest -n 2

# ---------------------------------------------------------------------------------------------------------------
clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis .benchmarks reports dist build
	find . -path ./$(VENV) -prune -o -path ./$(NPM_DIR)/node_modules -prune -o -name __pycache__ -type d -print0 \
		| xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV) $(NPM_DIR)/node_modules

# ---------------------------------------------------------------------------------------------------------------
# How a docs text snapshot differs from the spec, recorded errata aside: prints "no drift" (exit 0) or the drift
# (exit 1). make docs-diff DOCS=path/to/snapshot.txt [FORMAT=json]
DOCS ?= tests/fixtures/docs_user_v1.txt
FORMAT ?= text
.PHONY: docs-diff
docs-diff: install
	@$(BIN)/python scripts/docs_diff.py $(DOCS) --spec $(SPEC) --format $(FORMAT)
