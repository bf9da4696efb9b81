"""Writing mining results to the DuckDB schema ``mining``, as the dbt sources declare them.

``models/staging/mining/_mining__sources.yml`` is the one contract of every mining table: its
columns, their order and types. :func:`write_table` checks a result DataFrame against it (a
missing or unexpected column fails with its name), casts each column to the declared type,
stamps ``scored_at`` and replaces the table in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from orchestration.settings import PROJECT_DIR

SOURCES_FILE = PROJECT_DIR / "models" / "staging" / "mining" / "_mining__sources.yml"
SCHEMA = "mining"
STAMP = "scored_at"


@cache
def contracts(path: Path = SOURCES_FILE) -> dict[str, list[tuple[str, str]]]:
    """Table name → [(column, DuckDB type)] from the sources YAML."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    source = next(s for s in doc["sources"] if s["name"] == SCHEMA)
    return {t["name"]: [(c["name"], c["data_type"]) for c in t["columns"]] for t in source["tables"]}


def write_table(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame,
                scored_at: datetime | None = None) -> int:
    """Replace ``mining.<table>`` with ``frame`` (plus ``scored_at``); returns the row count."""
    known = contracts()
    if table not in known:
        raise ValueError(f"mining table {table!r} is not declared in {SOURCES_FILE.name}")
    columns = known[table]
    expected = [c for c, _ in columns if c != STAMP]
    missing = [c for c in expected if c not in frame.columns]
    extra = [c for c in frame.columns if c not in expected]
    if missing or extra:
        raise ValueError(f"mining.{table}: result columns differ from the contract "
                         f"(missing {missing}, not declared {extra})")
    data = frame[expected].copy()
    data[STAMP] = pd.Timestamp(scored_at or datetime.now()).floor("us")
    select = ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in columns)
    con.execute(f"create schema if not exists {SCHEMA}")
    con.register("_mining_result", data)
    try:
        con.execute("begin transaction")
        con.execute(f"create or replace table {SCHEMA}.{table} as select {select} from _mining_result")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("_mining_result")
    return len(data)
