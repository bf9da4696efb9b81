"""`touchpoint export-raw`: the source schemas as Parquet folders, the Spark target's sources."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.cli import main
from orchestration.landing.export_parquet import export_parquet


def _warehouse(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw; create schema knowledge; create schema marts")
        con.execute("create table raw.crm__customers as select 'CU' || i as customer_id, date '2026-08-01' as extract_month, "
                    "timestamp '2026-09-01 10:00:00' as _loaded_at, cast(i as decimal(12, 2)) as amount_yuan "
                    "from range(3) t(i)")
        con.execute("create table knowledge.tag_tree (node_id varchar)")
        con.execute("create table marts.dim_customer as select 1 as x")


def test_every_source_table_is_written_with_its_columns_and_rows(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _warehouse(db)
    exported = export_parquet(db, tmp_path / "parquet")
    assert {(t.schema, t.table, t.rows) for t in exported} == {("raw", "crm__customers", 3), ("knowledge", "tag_tree", 0)}
    with duckdb.connect() as con:
        con.execute(f"attach '{db}' as w (read_only)")
        folder = tmp_path / "parquet" / "raw" / "crm__customers"
        got = con.execute(f"select * from read_parquet('{folder}/*.parquet') order by customer_id").fetchall()
        assert got == con.execute("select * from w.raw.crm__customers order by customer_id").fetchall()
    assert not (tmp_path / "parquet" / "marts").exists(), "only the source schemas are exported"


def test_export_replaces_a_folder_and_the_cli_runs_it(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _warehouse(db)
    stale = tmp_path / "parquet" / "raw" / "crm__customers" / "old.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"stale")
    assert main(["export-raw", "--format", "parquet", "--db", str(db), "--out", str(tmp_path / "parquet")]) == 0
    assert not stale.exists()
    assert (stale.parent / "data.parquet").exists()
    assert main(["export-raw", "--db", str(tmp_path / "missing.duckdb"), "--out", str(tmp_path / "p")]) == 2
