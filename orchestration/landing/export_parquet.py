"""Export the loaded source schemas as Parquet, for engines that do not read the DuckDB file (Spark).

The scale-out path (README "Scaling out") builds the same dbt project on Spark: there the dbt
sources resolve to Parquet folders instead of DuckDB tables (``macros/spark_sources.sql``). This
module writes those folders from a loaded warehouse, one folder per table:

    <out>/raw/crm__customers/data.parquet        every raw table, lineage columns included
    <out>/knowledge/tag_definitions/data.parquet the compiled tag library and rules
    <out>/mining/<table>/data.parquet            mining results, when the mining assets have run

Columns and values are the DuckDB table's exactly. Timestamps are written as plain Parquet
timestamps (``isAdjustedToUTC=false``); the Spark target reads them in session time zone UTC, so
the wall-clock values are unchanged. A table that already has a folder is replaced.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from orchestration.landing.validate import quote_ident
from orchestration.warehouse import connect as connect_duckdb

# The schemas dbt reads as sources: the loaded landing files, the compiled knowledge YAML and the
# mining results written by Python. raw._quarantine and raw._load_log are no dbt source but go
# along, so the Parquet copy is a complete picture of the load.
SOURCE_SCHEMAS: tuple[str, ...] = ("raw", "knowledge", "mining")


@dataclass(frozen=True)
class ExportedTable:
    schema: str
    table: str
    rows: int
    path: Path


def export_parquet(db_path: Path, out: Path, schemas: tuple[str, ...] = SOURCE_SCHEMAS) -> list[ExportedTable]:
    """Write every table of ``schemas`` in the DuckDB file ``db_path`` to ``out/<schema>/<table>/``.

    Opens the file read-only (a running dbt build is never disturbed, but a writer holding the
    lock makes this fail). Schemas missing from the file are skipped.
    """
    if not Path(db_path).exists():
        raise FileNotFoundError(f"no DuckDB file at {db_path}: load the landing files first (touchpoint load)")
    out = Path(out).resolve()
    exported: list[ExportedTable] = []
    con = connect_duckdb(str(db_path), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database() and schema_name in "
            f"({', '.join('?' for _ in schemas)}) order by schema_name, table_name", list(schemas)).fetchall()
        for schema, table in tables:
            folder = out / schema / table
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            target = folder / "data.parquet"
            con.execute(f"copy (select * from {quote_ident(schema)}.{quote_ident(table)}) "
                        f"to '{target.as_posix()}' (format parquet, compression zstd)")
            rows = con.execute(f"select count(*) from {quote_ident(schema)}.{quote_ident(table)}").fetchone()[0]
            exported.append(ExportedTable(schema, table, rows, folder))
    finally:
        con.close()
    return exported
