"""The ``raw`` schema's tables: one per landing contract, the quarantine and the load log.

Every raw table exists from the start (empty until its first file arrives), so dbt sources always
resolve. A raw table holds the contract's columns with the contract's types, then lineage:

    _partition VARCHAR     partition of the file the row came from (YYYY-MM-DD, YYYY-MM, full)
    _source_file VARCHAR   that file, relative to the landing root
    _source_row BIGINT     CSV: line number in the file (header = line 1); Parquet: row index + 1
    _loaded_at TIMESTAMP   when the partition was loaded (UTC)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

from orchestration.landing.contracts import CONTRACTS, SourceTable
from orchestration.landing.validate import quote_ident
from orchestration.warehouse import connect as connect_duckdb

RAW_SCHEMA = "raw"
QUARANTINE_TABLE = "raw._quarantine"
LOAD_LOG_TABLE = "raw._load_log"
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_partition", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_source_row", "BIGINT"),
    ("_loaded_at", "TIMESTAMP"),
)
LOAD_STATUSES = ("loaded", "refused", "skipped_unchanged")

QUARANTINE_DDL = f"""
create table if not exists {QUARANTINE_TABLE} (
    table_name VARCHAR not null,     -- raw table the row was meant for (<source>__<table>)
    "partition" VARCHAR not null,
    source_file VARCHAR not null,    -- relative to the landing root
    source_row BIGINT not null,      -- CSV line number (header = 1) or Parquet row index + 1
    column_name VARCHAR,             -- offending column; key columns for duplicate_key; null for a bad line
    reason_code VARCHAR not null,    -- type_mismatch, null_not_allowed, not_accepted, ... (see validate.py)
    reason VARCHAR not null,         -- readable: column, bad value, what was expected
    raw_record VARCHAR,              -- the values as delivered (JSON) or the raw line
    quarantined_at TIMESTAMP not null
)"""

LOAD_LOG_DDL = f"""
create table if not exists {LOAD_LOG_TABLE} (
    table_name VARCHAR not null,
    "partition" VARCHAR,             -- null when the file name gives no valid partition
    source_file VARCHAR not null,
    file_sha256 VARCHAR,
    file_bytes BIGINT,
    status VARCHAR not null check (status in ({', '.join(f"'{s}'" for s in LOAD_STATUSES)})),
    rows_read BIGINT,                -- null when a refused file could not be counted
    rows_loaded BIGINT not null,
    rows_quarantined BIGINT not null,
    message VARCHAR,
    loaded_at TIMESTAMP not null,    -- UTC
    rules_sha256 VARCHAR             -- contract + seed codes the file was validated against
)"""


class RawSchemaMismatch(RuntimeError):
    """A raw table exists with columns other than its contract's (the contract changed)."""


def raw_table_ref(table: SourceTable) -> str:
    return f"{RAW_SCHEMA}.{quote_ident(table.name)}"


def raw_columns(table: SourceTable) -> list[tuple[str, str]]:
    """(name, DuckDB type) of every column of the raw table, lineage last."""
    return [(c.name, c.type) for c in table.columns] + list(LINEAGE_COLUMNS)


def raw_table_ddl(table: SourceTable) -> str:
    """CREATE TABLE IF NOT EXISTS for the raw table of ``table``."""
    required = {c.name for c in table.columns if c.key or not c.nullable} | {n for n, _ in LINEAGE_COLUMNS}
    columns = ",\n    ".join(
        f"{quote_ident(name)} {type_}{' not null' if name in required else ''}" for name, type_ in raw_columns(table))
    return f"create table if not exists {raw_table_ref(table)} (\n    {columns}\n)"


def ensure_tables(con: duckdb.DuckDBPyConnection, tables: Iterable[SourceTable]) -> None:
    """Create the raw schema, quarantine, load log and the raw tables of ``tables`` if missing."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(QUARANTINE_DDL)
    con.execute(LOAD_LOG_DDL)
    for table in tables:
        con.execute(raw_table_ddl(table))
        found = con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where database_name = current_database() and schema_name = ? and table_name = ? "
            "order by column_index", [RAW_SCHEMA, table.name]).fetchall()
        expected = raw_columns(table)
        if [(n, t.upper()) for n, t in found] != [(n, t.upper()) for n, t in expected]:
            raise RawSchemaMismatch(
                f"{raw_table_ref(table)} has columns {found} but its contract now gives {expected}: "
                f"drop the table and its rows in {LOAD_LOG_TABLE} and {QUARANTINE_TABLE}, then reload")


def ensure_raw_schema(db_path: Path, tables: Iterable[SourceTable] = CONTRACTS) -> None:
    """Create every contract's raw table plus ``raw._quarantine`` and ``raw._load_log``."""
    con = connect_duckdb(str(db_path))
    try:
        ensure_tables(con, tables)
    finally:
        con.close()
