# touchpoint: `make demo` and `make test` are all a fresh machine needs (Python 3.11).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster

DEMO_CUSTOMERS ?= 20000
DEMO_MONTHS ?= 3

.PHONY: env demo test test-spark lint ui lock clean bench

env: $(STAMP)

# The environment is created from the lockfile (every dependency pinned), then the project
# itself is installed in editable mode without resolving anything again. Dependencies are
# compiled to bytecode once here: uv does not by default, and where PYTHONDONTWRITEBYTECODE is
# set every process (each dbt call, each pipeline stage) would compile pandas, scikit-learn, dbt
# and Great Expectations from source again — about 2 s per import of scikit-learn and pandas.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

demo: env
	$(BIN)/touchpoint demo --customers $(DEMO_CUSTOMERS) --months $(DEMO_MONTHS)

test: env
	$(BIN)/python -m pytest

# Scale-out check (README "Scaling out"): dbt-spark and PySpark from their own lockfile (kept out
# of requirements.lock: a ~300 MB download `make test` does not need), then the same dbt project
# built on local Spark and on DuckDB from the small sample, key marts compared.
SPARK_STAMP := $(VENV)/.installed-spark
$(SPARK_STAMP): $(STAMP) requirements-spark.lock
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements-spark.lock
	touch $(SPARK_STAMP)

test-spark: $(SPARK_STAMP)
	$(BIN)/python -m pytest tests/spark -p no:cacheprovider -s

lint: env
	$(BIN)/sqlfluff lint models macros snapshots tests/dbt

ui: env
	$(BIN)/touchpoint ui

# Benchmark one scale profile (20k, 100k, 1m customers × 6 months): every stage measured on its
# own, the ratios, and bench/RESULTS.md rewritten. Working files go to data/bench/<scale>.
SCALE ?= 20k
BENCH_ARGS ?=
bench: env
	$(BIN)/python bench/run.py --scale $(SCALE) $(BENCH_ARGS)

# Re-resolve the lockfile after changing dependencies in pyproject.toml.
lock: env
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --extra spark --python-version 3.11 \
		-c requirements.lock -o requirements-spark.lock

clean:
	rm -rf target logs .dagster data .pytest_cache
