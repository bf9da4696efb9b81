"""What the pipeline produced, printed for a person: row counts, quarantine, where to look next."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from orchestration.settings import PROJECT_DIR, db_path, serving_db_path
from orchestration.warehouse import connect as connect_duckdb

SUMMARY_SCHEMAS = ("marts", "snapshots", "mining", "campaigns")


def print_load_reports(console: Console, reports: Iterable) -> None:
    table = Table(title="Landing → raw")
    for col in ("raw table", "read", "loaded", "quarantined", "partitions loaded", "skipped", "refused"):
        table.add_column(col, justify="left" if col == "raw table" else "right")
    for r in reports:
        table.add_row(r.table_name, f"{r.rows_read:,}", f"{r.rows_loaded:,}", f"{r.rows_quarantined:,}",
                      str(len(r.partitions_loaded)), str(len(r.partitions_skipped)), str(len(r.refused)))
    console.print(table)


def table_row_counts(db: Path, schemas: Iterable[str] = SUMMARY_SCHEMAS) -> list[tuple[str, str, int]]:
    """(schema, table, rows) for every table in the given schemas, read-only."""
    schemas = tuple(schemas)
    with connect_duckdb(str(db), read_only=True) as con:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in ({', '.join('?' for _ in schemas)}) order by 1, 2",
            list(schemas),
        ).fetchall()
        return [(s, t, con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]) for s, t in names]


def print_summary(console: Console, db: Path) -> None:
    if not db.exists():
        raise FileNotFoundError(f"no database at {db}: run `touchpoint run` (or `make demo`) first")
    table = Table(title=f"Rows per mart in {db}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for schema, name, rows in table_row_counts(db):
        table.add_row(f"{schema}.{name}", f"{rows:,}")
    console.print(table)
    with connect_duckdb(str(db), read_only=True) as con:
        totals = con.execute(
            "select coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0) "
            "from raw._load_log where status = 'loaded'"
        ).fetchone()
        reasons = con.execute(
            "select reason_code, count(*) from raw._quarantine group by 1 order by 2 desc"
        ).fetchall()
    console.print(f"Landing rows read {totals[0]:,} = loaded {totals[1]:,} + quarantined {totals[2]:,}"
                  + (f" (reasons: {', '.join(f'{r} {n}' for r, n in reasons)})" if reasons else ""))
    _print_campaign_funnel(console, db)


def _print_campaign_funnel(console: Console, db: Path) -> None:
    """The latest campaign run's funnel, when campaign lists have been built."""
    with connect_duckdb(str(db), read_only=True) as con:
        has_funnel = con.execute("select count(*) from information_schema.tables "
                                 "where table_schema = 'campaigns' and table_name = 'list_funnel'").fetchone()[0]
        if not has_funnel:
            return
        frame = con.execute("select * from campaigns.list_funnel "
                            "where run_id = (select max(run_id) from campaigns.list_funnel) order by campaign_id").df()
    if frame.empty:
        return
    table = Table(title=f"Campaign lists, run {frame['run_id'].iloc[0]} (funnel per contact-policy step)")
    steps = [c for c in frame.columns if c not in ("campaign_id", "run_id")]
    table.add_column("campaign")
    for step in steps:
        table.add_column(step.replace("_", " "), justify="right")
    for row in frame.itertuples(index=False):
        table.add_row(row.campaign_id, *(f"{getattr(row, s):,}" for s in steps))
    console.print(table)


def print_demo_epilogue(console: Console, elapsed_seconds: float) -> None:
    db = db_path()
    shown = db.relative_to(PROJECT_DIR) if db.is_relative_to(PROJECT_DIR) else db
    serving, lists, reports = serving_db_path(), db.parent / "lists", db.parent / "reports"
    console.print(f"""
[bold green]Done in {elapsed_seconds:.0f} s.[/bold green]
The warehouse is [bold]{db}[/bold] (schemas raw, knowledge, reference, staging, intermediate, marts, snapshots, mining, campaigns); BI reads the audited copy [bold]{serving}[/bold].
Campaign list files: {lists}   KPI dashboard: {reports}
  Python:      .venv/bin/python -c "import duckdb; print(duckdb.connect('{shown}', read_only=True).sql('from marts.dim_customer limit 5'))"
  Quarantine:  select * from raw._quarantine      Load log: select * from raw._load_log
The run is recorded in .dagster/; open the Dagster UI to see the graph, the run and its checks:
  make ui      then browse http://127.0.0.1:3000
""")
