# touchpoint: `make demo` and `make test` are all a fresh machine needs (Python 3.11).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster

DEMO_CUSTOMERS ?= 20000
DEMO_MONTHS ?= 3

.PHONY: env demo test lint ui lock clean

env: $(STAMP)

# The environment is created from the lockfile (every dependency pinned), then the project
# itself is installed in editable mode without resolving anything again.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

demo: env
	$(BIN)/touchpoint demo --customers $(DEMO_CUSTOMERS) --months $(DEMO_MONTHS)

test: env
	$(BIN)/python -m pytest

lint: env
	$(BIN)/sqlfluff lint models macros snapshots tests/dbt

ui: env
	$(BIN)/touchpoint ui

# Re-resolve the lockfile after changing dependencies in pyproject.toml.
lock: env
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf target logs .dagster data .pytest_cache
