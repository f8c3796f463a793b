# Two entry points for a newcomer: `make demo` and `make test`. Both create .venv if needed.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export HF_HUB_OFFLINE ?= 1

.PHONY: install demo test lint ui bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing utr-assets into $(VENV) (first time: ~2 minutes)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,scale]' 2>&1 \
		| { grep -v -e 'is ignored: it is neither a file nor a directory' -e 'does not provide the extra' || true; }
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
	$(BIN)/ruff check utr_assets utr_assets_tests speed_benchmarks scripts

test: lint
	$(BIN)/pytest

ui: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

clean:
	rm -rf .utr_home .dagster_home .pytest_cache
