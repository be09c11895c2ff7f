# Every target works on a fresh clone with Python 3.11 and the package registries.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_PATHS := wrapper scripts tests benchmarks

.PHONY: install generate check-generated lint check test soak demo bench clean mutation

install: $(STAMP)

# Reinstalls only when the project's dependencies change, so `make test` stays fast.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: run make PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

generate: install
	$(BIN)/python scripts/generate.py

check-generated: install
	$(BIN)/python scripts/generate.py --check

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

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist demo-output bench-results .mypy_cache .ruff_cache .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Mutation testing of the rule, media and error modules (minutes, not part of `make test`).
mutation: install
	$(BIN)/python tests/mutation/mutation_score.py
