"""Opening the DuckDB files from Python: one place for the settings every connection gets.

dbt reads the same limit in ``profiles.yml``: ``TOUCHPOINT_DUCKDB_MEMORY`` (default 4GB) caps
what DuckDB's buffer manager holds before it spills to ``<database>.tmp``, so a large run
stays inside the machine's memory whichever process is working. 4GB keeps a stage's peak
inside the 6 GiB the pipeline is allowed, with room for Python beside it; at 100k customers
the then largest model (fct_calls, before the call graph was built in month batches) took
60.5 s under it against 55.5 s under 8GB. DuckDB uses every core by default, which is what a
one-writer pipeline wants. Every connection of a process to one file
must share these settings: DuckDB refuses a second configuration for a file already open.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

DEFAULT_MEMORY_LIMIT = "4GB"


def duckdb_config() -> dict[str, str]:
    """Settings for a DuckDB connection (env ``TOUCHPOINT_DUCKDB_MEMORY``, e.g. ``8GB``)."""
    return {"memory_limit": os.environ.get("TOUCHPOINT_DUCKDB_MEMORY", DEFAULT_MEMORY_LIMIT)}


def connect(database: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to ``database`` with the project's memory limit."""
    return duckdb.connect(str(database), read_only=read_only, config=duckdb_config())


def release_cache(con: duckdb.DuckDBPyConnection, keep: str = "64MB") -> None:
    """Drop the table blocks DuckDB keeps cached after a read, leaving the memory to Python.

    DuckDB holds the blocks it has read up to its memory limit: after the mining reads of the
    1M warehouse about 2.1 GB stayed resident beside the DataFrames. Lowering the limit makes the
    buffer manager evict them (they are clean, so nothing is written); then the project's limit
    (`duckdb_config`, as `connect` set it) is put back: DuckDB shows its current limit only
    rounded. Memory DuckDB cannot evict (a running query's) stays: that is not an error."""
    limit = duckdb_config()["memory_limit"]
    try:
        con.execute(f"set memory_limit = '{keep}'")
    except duckdb.Error:
        pass
    finally:
        con.execute(f"set memory_limit = '{limit}'")
