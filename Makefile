# Every target works on a fresh clone with Python 3.11, 3.12 or 3.13 and the package registries.
VENV := .venv
BIN := $(VENV)/bin
VERSION_PROBE := -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])'

# The newest python3.13/3.12/3.11 that runs (a pyenv shim of an unselected version is on PATH
# but fails), unless PYTHON is given.
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for candidate in python3.13 python3.12 python3.11; do \
	$$candidate -c '' >/dev/null 2>&1 && { echo $$candidate; break; }; done)
endif
PYTHON_VERSION := $(if $(PYTHON),$(shell $(PYTHON) $(VERSION_PROBE) 2>/dev/null))
PYTHON_SUPPORTED := $(shell echo '$(PYTHON_VERSION)' | \
	awk -F. '{ print ($$1 > 3 || ($$1 == 3 && $$2 >= 11)) ? "yes" : "" }')
VENV_VERSION := $(shell $(BIN)/python $(VERSION_PROBE) 2>/dev/null)
# Expanded in a recipe (also under make -n), so only targets that build the venv need Python.
require-python = $(if $(PYTHON),,$(error no python3.13, python3.12 or python3.11 runs here: \
	install one, or run make PYTHON=/path/to/python3.11-or-newer))$(if $(PYTHON_VERSION),,$(error \
	PYTHON=$(PYTHON) does not run))$(if $(PYTHON_SUPPORTED),,$(error PYTHON=$(PYTHON) is \
	Python $(PYTHON_VERSION); kling-edit needs Python 3.11 or newer (3.11-3.13 are supported): \
	run make PYTHON=/path/to/python3.11-or-newer))
STAMP := $(VENV)/.installed
LINT_PATHS := wrapper scripts tests benchmarks

.PHONY: install generate check-generated vendor lint check test soak demo bench clean mutation FORCE

install: $(STAMP)

# A venv made by another interpreter than the chosen one is rebuilt.
ifneq ($(VENV_VERSION),$(PYTHON_VERSION))
$(STAMP): FORCE
endif

# Otherwise reinstalls only when the project's dependencies change, so `make test` stays fast.
$(STAMP): pyproject.toml
	$(require-python)
	@if [ "$(VENV_VERSION)" != "$(PYTHON_VERSION)" ]; then \
		echo "creating $(VENV) with $(PYTHON) (Python $(PYTHON_VERSION))"; \
		rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

generate: install
	$(BIN)/python scripts/generate.py

check-generated: install
	$(BIN)/python scripts/generate.py --check

# Take a new revision of CometAPI's create-task page: re-applies the overlays, regenerates, and
# prints what changed in the API surface, breaking changes marked.
vendor: install
	@test -n "$(SRC)" || { echo "usage: make vendor SRC=path/to/new-upstream.yaml"; exit 2; }
	$(BIN)/python scripts/vendor.py "$(SRC)"

lint: install
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

check: install
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy
	$(BIN)/python scripts/generate.py --check

test: install
	$(BIN)/pytest

soak: install
	KLING_EDIT_SOAK=1 $(BIN)/pytest -m soak

demo: install
	$(BIN)/python scripts/demo.py

# Builds bench-results/runtime-venv (runtime dependencies only) on first use for the cold start;
# `make bench BENCH_ARGS=--quick` is a smaller smoke run.
bench: install
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist demo-output bench-results .mypy_cache .ruff_cache .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Mutation testing of the rule, media and error modules (minutes, not part of `make test`).
mutation: install
	$(BIN)/python tests/mutation/mutation_score.py
