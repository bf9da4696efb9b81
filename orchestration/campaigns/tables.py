"""The campaign engine's tables in DuckDB (``campaigns.*``), created from the frames written to them.

A table is created from the first frame written to it. A frame column holding no value (an empty
run: every customer suppressed, or a run date outside every campaign's window) has no type
DuckDB can infer, and ``create table … as select * from <frame> where false`` made it a column of
type NULL, into which no later run could insert a value ("Unimplemented type for cast (DATE ->
NULL)"). Here such a column takes its declared type, or VARCHAR; a table an earlier version left
with NULL columns gets them retyped (they hold only nulls, so nothing is lost).
"""

from __future__ import annotations

import duckdb

from orchestration.landing.validate import quote_ident


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe select * from {relation}").fetchall()]


def _is_null_type(type_name: str) -> bool:
    """DuckDB names the type of a column of untyped nulls "NULL" (with the quotes)."""
    return type_name.strip('"').upper() == "NULL"


def ensure_table(con: duckdb.DuckDBPyConnection, table: str, frame_view: str,
                 types: dict[str, str] | None = None) -> None:
    """Create ``table`` with the columns of the registered ``frame_view`` if it does not exist;
    columns the frame cannot type take ``types[name]`` or VARCHAR. An existing table's NULL-typed
    columns are retyped the same way (the frame's type when it has one)."""
    types = types or {}
    frame_columns = _columns(con, frame_view)

    def typed(name: str, frame_type: str | None) -> str:
        if frame_type is None or _is_null_type(frame_type):
            return types.get(name, "VARCHAR")
        return frame_type

    schema = table.split(".")[0]
    con.execute(f"create schema if not exists {schema}")
    exists = con.execute("select count(*) from information_schema.tables where table_schema || '.' || table_name = ?",
                         [table]).fetchone()[0]
    if not exists:
        columns = ", ".join(f"{quote_ident(n)} {typed(n, t)}" for n, t in frame_columns)
        con.execute(f"create table {table} ({columns})")
        return
    in_frame = dict(frame_columns)
    for name, type_name in _columns(con, table):
        if _is_null_type(type_name):
            con.execute(f"alter table {table} alter column {quote_ident(name)} set data type "
                        f"{typed(name, in_frame.get(name))}")
