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
# Custom Jinja templates that override some of the generator's (faster model parsing, issue 7)
GENERATOR_TEMPLATES ?= spec/templates

PY_SOURCES := overlay emulator scripts tests
TYPED_PACKAGES := overlay/amazon_music emulator/amazon_music_emulator generated/amazon_music_generated scripts

.PHONY: help install generate check-generated errata check-errata lint-spec lint format typecheck test clean distclean

help:
	@echo "make demo             install, then a narrated tour of every operation through the CLI (fresh emulator)"
	@echo "make install          .venv with the package editable + [emulator] + the dev group; npm tools in $(NPM_DIR)"
	@echo "make generate         regenerate $(GENERATED) from $(SPEC)"
	@echo "make check-generated  fail if $(GENERATED) differs from what $(SPEC) generates"
	@echo "make errata           rebuild spec/ERRATA.md from the spec (check-errata: fail if stale)"
	@echo "make lint-spec        openapi-spec-validator + redocly lint"
	@echo "make lint             ruff check + ruff format --check (format: apply ruff format)"
	@echo "make typecheck        mypy --strict on the three packages"
	@echo "make test             all of the above checks, browser, publish-spec, then pytest"
	@echo "make publish-spec     dist/spec/*.yaml|json (bundled, versioned by spec/CHANGELOG.md), dist/docs/index.html"
	@echo "make check-typescript openapi-typescript types from the bundle; examples/typescript under tsc --strict"
	@echo "make browser          make sure chromium is installed for the browser checks (apt-get as root)"
	@echo "make java             make sure a Java runtime is installed for openapi-generator (apt-get as root)"
	@echo "make postgres         make sure PostgreSQL (initdb, pg_ctl) is installed for the store tests (apt-get as root)"
	@echo "make serve            run the emulator on 127.0.0.1:8080 (SERVE_ARGS=\"--reset --fault-rate 0.1 ...\")"
	@echo "make bench            benchmarks, one table and BENCHMARKS.md: client vs raw httpx, parsing, walk, users(ids),"
	@echo "                      emulator vs Prism, import and --help time, make generate, testing kit, sandbox on"
	@echo "                      SQLite and PostgreSQL (BENCH_*_ARGS)"
	@echo "make fuzz BASE_URL=.. schemathesis against any deployment, reports in reports/ (API_KEY, TOKEN, ALLOW_WRITES=1)"
	@echo "make fuzz-long        the in-process contract suite with many more cases and a new seed (SEED=N replays)"
	@echo "make docs-diff        what a docs snapshot changes against the spec (DOCS=path, FORMAT=json)"
	@echo "make docs-update      DOCS=path: replace the docs snapshot; prints spec fragments and a checklist"
	@echo "make check-version    fail if the spec changed since its last release without a changelog entry and bump"
	@echo "make release-spec     record the spec as released under its info.version (spec/releases/)"
	@echo "make clean            remove caches and build output (distclean: also .venv and node_modules)"

# ---------------------------------------------------------------------------------------------------------------
# install: idempotent; each half re-runs only when its inputs change (stamp files). The two halves download at once.
install:
	@# Under a jobserver (make -jN, or test's checks) the sub-make shares it; otherwise it runs two jobs.
	@$(MAKE) --no-print-directory $(if $(findstring jobserver,$(MAKEFLAGS)),,-j2) install-parts

.PHONY: install-parts
install-parts: $(VENV)/.installed $(NPM_DIR)/node_modules/.installed
	@:

$(VENV)/.installed: pyproject.toml
	@if [ ! -x $(BIN)/python ]; then \
		$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
			|| { echo "error: $(PYTHON) is older than 3.11; set PYTHON=python3.11" >&2; exit 1; }; \
		$(PYTHON) -m venv $(VENV); \
		$(BIN)/python -m pip install --quiet --upgrade pip; \
	fi
	@# The filter drops pip's notes about this machine's configured local indexes that are absent (noise only).
	@# pip >= 25.1 reads PEP 735 dependency groups (--group dev: the development tools, not a public extra).
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'pip>=25.1' 2>&1 \
		| { grep -v "^WARNING: Location 'file:" || true; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[emulator]' --group dev 2>&1 \
		| { grep -v "^WARNING: Location 'file:" || true; }
	@touch $@

$(NPM_DIR)/node_modules/.installed: $(NPM_DIR)/package.json $(NPM_DIR)/package-lock.json
	npm ci --prefix $(NPM_DIR) --no-audit --no-fund --loglevel=error
	@touch $@

# ---------------------------------------------------------------------------------------------------------------
# The generated client: one code path (scripts/check_generated.py) for writing and for checking.
generate: install
	$(BIN)/python scripts/check_generated.py --spec $(SPEC) --generated $(GENERATED) --config $(GENERATOR_CONFIG) \
		--templates $(GENERATOR_TEMPLATES) --write

check-generated: install
	$(BIN)/python scripts/check_generated.py --spec $(SPEC) --generated $(GENERATED) --config $(GENERATOR_CONFIG) \
		--templates $(GENERATOR_TEMPLATES)

# spec/ERRATA.md is built from the spec's x-doc-errata.
errata: install
	$(BIN)/python scripts/build_errata.py

check-errata: install
	$(BIN)/python scripts/build_errata.py --check

# The version guard (tests/docs/test_spec_version.py runs it in `make test`): the spec may differ from its newest
# release in spec/releases/ only with a new spec/CHANGELOG.md entry and an info.version bump as large as its largest
# change. release-spec records the spec as released under its info.version, once the guard passes.
.PHONY: check-version release-spec
check-version: install
	$(BIN)/python scripts/spec_version.py check

release-spec: install
	$(BIN)/python scripts/spec_version.py release

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
# The static checks run two at a time (each output kept whole), then the tests.
STATIC_CHECKS := lint-spec check-generated check-errata lint typecheck publish-spec
# The tests may cache bytecode even where PYTHONDONTWRITEBYTECODE is set (as on CI): otherwise every process they
# start compiles our packages anew, and every pytest process rewrites and compiles its plugins' modules anew (~3 s).
test: install browser java postgres
	@$(MAKE) --no-print-directory -j2 --output-sync=target $(STATIC_CHECKS)
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n 2

# ---------------------------------------------------------------------------------------------------------------
clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis .benchmarks reports dist build
	find . -path ./$(VENV) -prune -o -path ./$(NPM_DIR)/node_modules -prune -o -name __pycache__ -type d -print0 \
		| xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV) $(NPM_DIR)/node_modules

# ---------------------------------------------------------------------------------------------------------------
# How a docs text snapshot differs from the spec, recorded errata aside: prints "no drift" (exit 0) or the drift
# (docs_diff exit 1), or refuses a file that is not the User v1 page (docs_diff exit 2, naming the file and line).
# make docs-diff DOCS=path/to/snapshot.txt [FORMAT=json]. make fails either way; the line before its own says which.
DOCS ?= tests/fixtures/docs_user_v1.txt
FORMAT ?= text
.PHONY: docs-diff docs-update
docs-diff: install
	@status=0; $(BIN)/python scripts/docs_diff.py $(DOCS) --spec $(SPEC) --format $(FORMAT) || status=$$?; \
	case $$status in \
		0) ;; \
		1) echo "docs-diff: DRIFT: $(DOCS) differs from $(SPEC) (exit 1); make docs-update DOCS=$(DOCS) says what to do" >&2 ;; \
		2) echo "docs-diff: REFUSED: $(DOCS) was not compared (exit 2): see the reason above" >&2 ;; \
		*) echo "docs-diff: scripts/docs_diff.py failed (exit $$status)" >&2 ;; \
	esac; exit $$status

# A docs update in one command: checks the snapshot (refused: exit 2, nothing replaced), shows the drift, replaces
# tests/fixtures/docs_user_v1.txt with it and prints, per change, the spec fragment to paste, the erratum to retire
# and the checklist to a green `make test`. make docs-update DOCS=path/to/snapshot.txt
docs-update: install
	@test -n "$(filter-out tests/fixtures/docs_user_v1.txt,$(DOCS))" \
		|| { echo "usage: make docs-update DOCS=path/to/new-snapshot.txt" >&2; exit 2; }
	$(BIN)/python scripts/docs_update.py $(DOCS) --spec $(SPEC)

# ---------------------------------------------------------------------------------------------------------------
# Publishing the spec for other languages (issue 8). The bundle (YAML + JSON, no external $ref, errata appended to
# descriptions) and the offline Redoc page; tests/publish/ checks both, the page in headless Chromium.
DIST ?= dist
.PHONY: publish-spec check-typescript browser java postgres
publish-spec: install
	$(BIN)/python scripts/publish_spec.py --spec $(SPEC) --out $(DIST)

# examples/typescript/tsconfig.json reads the types from dist/typescript/ (DIST=dist).
check-typescript: publish-spec
	$(NPM_BIN)/openapi-typescript $(DIST)/spec/$(notdir $(SPEC)) -o $(DIST)/typescript/$(basename $(notdir $(SPEC))).d.ts
	$(NPM_BIN)/tsc --noEmit --strict -p examples/typescript

# Tools some checks need, from Debian: scripts/ensure_debian_package.sh PACKAGE CHECK-COMMAND HINT installs PACKAGE
# with apt-get as root when CHECK-COMMAND fails, else prints one line with the install command and exits 1.
ENSURE_PACKAGE := scripts/ensure_debian_package.sh

# Browser checks (tests/browser.py) need chromium; $$CHROMIUM overrides the executable, as in tests/browser.py.
browser:
	@$(ENSURE_PACKAGE) chromium '"$${CHROMIUM:-/usr/bin/chromium}" --version' \
		"the browser checks need chromium ($${CHROMIUM:-/usr/bin/chromium} not found)"

# openapi-generator (the consumer matrix, tests/publish/test_consumer_*.py) needs Java; $$JAVA overrides it.
java:
	@$(ENSURE_PACKAGE) default-jre-headless '"$${JAVA:-java}" -version' \
		"openapi-generator needs a Java runtime ($${JAVA:-java} not found)"

# The emulator's tests on PostgreSQL start a throwaway cluster (tests/postgres_cluster.py): initdb and pg_ctl from
# $$PG_BIN, else from PATH, else Debian's newest /usr/lib/postgresql/N/bin (the order postgres_bin() looks in).
POSTGRES_CHECK := bin=$${PG_BIN:-$$(dirname "$$(command -v initdb || ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")}; \
	"$$bin/initdb" --version && "$$bin/pg_ctl" --version
postgres:
	@$(ENSURE_PACKAGE) postgresql '$(POSTGRES_CHECK)' \
		"the PostgreSQL tests need initdb and pg_ctl (not found; PG_BIN names their folder)"

# ---------------------------------------------------------------------------------------------------------------
# Fuzzing with schemathesis (issue 6). `make test` already runs the in-process contract suite (tests/contract/).
# make fuzz BASE_URL=URL [API_KEY=... TOKEN=...] [ALLOW_WRITES=1] [FUZZ_ARGS="--max-examples 100 ..."]
#   the schemathesis CLI against any deployment (a running emulator, the live API); JUnit + HTML in reports/.
#   Credentials: API_KEY/TOKEN, else AMAZON_MUSIC_API_KEY/AMAZON_MUSIC_ACCESS_TOKEN from the environment. They reach
#   the script through its environment, never on a command line make echoes. A host that is not loopback gets GET
#   requests only, unless ALLOW_WRITES=1.
# make fuzz-long [FUZZ_LONG_EXAMPLES=1000] [SEED=N]
#   the in-process contract suite with many more cases and a new seed each run (printed, to replay with SEED=N).
FUZZ_LONG_EXAMPLES ?= 1000
.PHONY: fuzz fuzz-long
fuzz: export AMAZON_MUSIC_API_KEY := $(or $(API_KEY),$(AMAZON_MUSIC_API_KEY))
fuzz: export AMAZON_MUSIC_ACCESS_TOKEN := $(or $(TOKEN),$(AMAZON_MUSIC_ACCESS_TOKEN))
fuzz: install
	@test -n "$(BASE_URL)" || { echo "usage: make fuzz BASE_URL=http://127.0.0.1:8080 [API_KEY=... TOKEN=...] [ALLOW_WRITES=1]" >&2; exit 2; }
	$(BIN)/python scripts/fuzz.py --base-url "$(BASE_URL)" $(if $(filter 1 true yes,$(ALLOW_WRITES)),--allow-writes) $(FUZZ_ARGS)

fuzz-long: install
	@seed="$(or $(SEED),$$(date +%s))"; echo "fuzz-long: seed $$seed (replay with SEED=$$seed)"; \
	CONTRACT_SEED=$$seed CONTRACT_MAX_EXAMPLES=$(FUZZ_LONG_EXAMPLES) \
	CONTRACT_STATEFUL_EXAMPLES=$(FUZZ_LONG_EXAMPLES) CONTRACT_STATEFUL_STEPS=20 \
		$(BIN)/pytest -n 2 tests/contract/test_schemathesis.py

# ---------------------------------------------------------------------------------------------------------------
# The emulator (issue 3). `make serve` prints the base URL and demo credentials; state persists in the user's data
# directory (SERVE_ARGS="--db PATH", "--reset", "--port N", "--fault-rate F", ...).
# `make bench` is not part of `make test`: each benchmark is bounded in count and time and targets 127.0.0.1 only.
SERVE_ARGS ?=
# scripts/bench.py runs every benchmark below, prints one table and writes BENCHMARKS.md (figures as JSON in
# reports/bench/); each script's options pass through:
# scripts/bench_emulator.py: the emulator against Prism's mock over loopback (e.g. "--rounds 5 --max-seconds 10")
BENCH_ARGS ?= --max-seconds 6
# scripts/bench_client.py: client overhead vs raw httpx, parsing, walk, memory, users(ids) (e.g. "--rounds 30")
BENCH_CLIENT_ARGS ?=
# scripts/bench_testing_kit.py: per-test cost of the testing kit's fixture, median and spread (e.g. "--runs 500")
BENCH_KIT_ARGS ?=
# scripts/bench_sandbox.py: 10 tenants, mixed workload, SQLite / PostgreSQL / two processes (e.g. "--rounds 3")
BENCH_SANDBOX_ARGS ?=
.PHONY: serve bench
serve: install
	$(BIN)/amazon-music-emulator serve $(SERVE_ARGS)

bench: install
	$(BIN)/python scripts/bench.py --emulator-args="$(BENCH_ARGS)" --client-args="$(BENCH_CLIENT_ARGS)" \
		--kit-args="$(BENCH_KIT_ARGS)" --sandbox-args="$(BENCH_SANDBOX_ARGS)"

# ---------------------------------------------------------------------------------------------------------------
# The demo (issue 5): a fresh emulator on a free port (temporary database, rate limit 5/s), then every operation
# through the amazon-music command, narrated; the emulator is stopped and the folder removed. DEMO_ARGS="--keep".
DEMO_ARGS ?=
.PHONY: demo
demo: install
	@$(BIN)/python scripts/demo.py $(DEMO_ARGS)
