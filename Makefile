# Entry points for a newcomer: `make demo`, `make check` (fast: lint, format, imports, types, unit tests) and
# `make test` (what CI runs: the same static checks and the full suite). Each creates .venv if needed.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export HF_HUB_OFFLINE ?= 1

SOURCES := utr_assets utr_assets_tests speed_benchmarks scripts
# `make check` leaves out integration/ (whole graphs, servers), e2e/ (daemon, browser) and tests marked slow
FAST_TESTS := --ignore=utr_assets_tests/integration --ignore=utr_assets_tests/e2e -m 'not slow'
PIP_QUIET_FILTER := grep -v -e 'is ignored: it is neither a file nor a directory' -e 'does not provide the extra'

.PHONY: install demo lint static check test lock ui clean

# every transitive dependency comes from requirements.lock (`make lock` rewrites it)
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing utr-assets into $(VENV) (first time: ~2 minutes)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test,scale]' 2>&1 \
		| { $(PIP_QUIET_FILTER) || true; }
	@touch $@

install: $(STAMP)

# Dagster's instance config: without it every command warns "No dagster instance configuration file";
# telemetry off. An existing file (e.g. one pointing at PostgreSQL) is left as it is.
$(DAGSTER_HOME)/dagster.yaml:
	@mkdir -p $(DAGSTER_HOME)
	@printf 'telemetry:\n  enabled: false\n' > $@

demo: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	@$(BIN)/utr-assets demo

lint: $(STAMP)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

# lint, the import contract ([tool.importlinter] in pyproject.toml) and the type checker ([tool.mypy])
static: lint
	$(BIN)/lint-imports
	$(BIN)/mypy

check: static
	$(BIN)/pytest $(FAST_TESTS)

test: static
	$(BIN)/pytest

# Re-resolve every transitive dependency of .[test,scale] in a fresh virtualenv and pin it exactly.
# Local version labels (torch 2.13.0+cpu) are dropped so that a CUDA build of the same version satisfies it.
lock:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT \
	&& $(PYTHON) -m venv "$$tmp/venv" \
	&& echo "resolving .[test,scale] in a fresh virtualenv (a few minutes)" \
	&& { "$$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[test,scale]' 2>&1 \
		| { $(PIP_QUIET_FILTER) || true; }; } \
	&& { printf '%s\n' \
		"# Every transitive dependency of .[test,scale], pinned: pip constraints for \`make install\`" \
		"# (pip install -c requirements.lock -e '.[test,scale]'). Written by \`make lock\`: a fresh virtualenv," \
		"# pip install -e '.[test,scale]', pip freeze --exclude-editable, local version labels (+cpu) removed." \
		"# Resolved with $$("$$tmp/venv/bin/python" -V) on $$(uname -s)-$$(uname -m). Edit pyproject.toml, then run \`make lock\`."; \
		"$$tmp/venv/bin/python" -m pip freeze --exclude-editable --disable-pip-version-check \
		| sed -E 's/^([A-Za-z0-9._-]+==[^+ ]+)\+[A-Za-z0-9.]+$$/\1/' | LC_ALL=C sort -f; } > requirements.lock.new \
	&& mv requirements.lock.new requirements.lock && echo "wrote requirements.lock ($$(grep -vc '^#' requirements.lock) pins)"

ui: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

clean:
	rm -rf .utr_home .dagster_home .pytest_cache .mypy_cache .import_linter_cache
