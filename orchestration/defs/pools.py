"""Concurrency pools. DuckDB allows one writer process: every asset that writes the working
database runs in this pool, whose limit is 1 in the instance config (dagster.yaml)."""

DUCKDB_WRITER_POOL = "duckdb_writer"
