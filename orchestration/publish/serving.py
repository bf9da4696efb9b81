"""Write-audit-publish: the BI-facing marts go to a serving DuckDB file by an atomic swap.

Builds write the working database (``TOUCHPOINT_DB``); BI tools read only the serving file
(``TOUCHPOINT_SERVING_DB``). Publishing copies every table and view of the ``marts`` schema and the
BI-facing campaign tables (``SERVED_TABLES``: lists, funnel, suppressions, evaluation) into a
new file beside the serving file, scans it for raw personal data, checkpoints and closes it, and
then ``os.replace``s it over the serving file. Consequences:

- a reader holding the old serving file keeps reading the old, complete file (on POSIX the old
  inode lives until the reader closes it) and the next connection sees the new one — never a
  half-built state;
- a reader never blocks a build: builds and the publish step never open the serving file;
- anything that fails (a gate, the PII scan, a crash mid-copy) leaves the serving file untouched.

Raw, staging, intermediate, reference and snapshot schemas are never published.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.publish.pii_scan import build_pii_dictionary, scan_database
from orchestration.warehouse import connect as connect_duckdb

SERVED_SCHEMAS = ("marts", "campaigns")
# Per served schema, the tables BI gets (None: every table and view). Of the campaign tables
# (written by orchestration/campaigns, masked: no clear phone number) BI gets the lists, their
# funnel and suppressions, and the evaluation; not the event-offer outcomes' working tables.
SERVED_TABLES: dict[str, tuple[str, ...] | None] = {
    "marts": None,
    "campaigns": ("rpt_campaign_list", "list_funnel", "suppression_log", "campaign_evaluation"),
}


class PublishRefused(RuntimeError):
    """The candidate failed an audit; the serving file was left as it was."""

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message + ("\n  - " + "\n  - ".join(problems) if problems else ""))
        self.problems = problems


@dataclass
class PublishResult:
    serving_db: Path
    published_at: datetime
    tables: dict[str, int] = field(default_factory=dict)  # "schema.table" -> rows

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def bi_relations(con: duckdb.DuckDBPyConnection, catalog: str,
                 schemas: Iterable[str] = SERVED_SCHEMAS) -> list[tuple[str, str]]:
    """(schema, name) of every table and view in the served schemas of ``catalog``."""
    schemas = tuple(schemas)
    return [(s, t) for s, t in con.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = ? "
        f"and table_schema in ({', '.join('?' for _ in schemas)}) order by 1, 2", [catalog, *schemas]).fetchall()
        if SERVED_TABLES.get(s) is None or t in SERVED_TABLES[s]]


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def publish(db: Path, serving_db: Path, schemas: Iterable[str] = SERVED_SCHEMAS,
            exclude: Iterable[str] = ()) -> PublishResult:
    """Copy the marts of ``db`` into ``serving_db`` atomically, after the PII scan.

    Raises `PublishRefused` (serving file untouched) when raw personal data is found, and
    duckdb errors (also untouched) when the working database cannot be read, e.g. while a build
    holds its lock.
    """
    db, serving_db = Path(db).resolve(), Path(serving_db).resolve()
    if not db.exists():
        raise FileNotFoundError(f"working database {db} does not exist: build it first")
    serving_db.parent.mkdir(parents=True, exist_ok=True)
    candidate = serving_db.with_name(f".{serving_db.name}.{uuid.uuid4().hex}.tmp")
    excluded = set(exclude)
    result = PublishResult(serving_db, datetime.now(UTC).replace(tzinfo=None))
    try:
        con = connect_duckdb(str(candidate))
        try:
            con.execute(f"attach {_sql_string(str(db))} as work (read_only)")
            relations = [r for r in bi_relations(con, "work", schemas) if f"{r[0]}.{r[1]}" not in excluded]
            if not relations:
                raise PublishRefused(f"nothing to publish: no tables in {', '.join(schemas)} of {db}", [])
            for schema, name in relations:
                con.execute(f'create schema if not exists "{schema}"')
                con.execute(f'create table "{schema}"."{name}" as select * from work."{schema}"."{name}"')
                result.tables[f"{schema}.{name}"] = con.execute(
                    f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            build_pii_dictionary(con, "work")
            catalog = con.execute("select current_database()").fetchone()[0]
            offenders = scan_database(con, catalog, tuple(sorted({s for s, _ in relations})))
            if offenders:
                raise PublishRefused(f"refused to publish {db.name}: raw personal data found", offenders)
            con.execute("create schema if not exists serving_meta")
            con.execute("create table serving_meta.publications as select ?::timestamp as published_at, "
                        "?::varchar as source_database, ?::integer as table_count, ?::bigint as row_count",
                        [result.published_at, str(db), len(result.tables), result.total_rows])
            con.execute("detach work")
            con.execute("checkpoint")
        finally:
            con.close()
        with open(candidate, "rb") as f:  # the bytes are on disk before the name points at them
            os.fsync(f.fileno())
        os.replace(candidate, serving_db)
    finally:
        _remove(candidate)
    return result


def served_tables(serving_db: Path) -> dict[str, int]:
    """Rows per published table of the serving file (read-only), {} when it does not exist."""
    if not Path(serving_db).exists():
        return {}
    with connect_duckdb(str(serving_db), read_only=True) as con:
        catalog = con.execute("select current_database()").fetchone()[0]
        return {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]
                for s, t in bi_relations(con, catalog)}
