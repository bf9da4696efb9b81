"""What `touchpoint summary` / `make demo` print: row counts per mart, reconciliation, campaign funnel."""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console

from orchestration.reporting import print_summary


def _warehouse(path: Path, with_campaigns: bool) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema raw; create schema campaigns")
        con.execute("create table marts.dim_customer as select range as customer_id from range(7)")
        con.execute("create table raw._load_log as select 'loaded' as status, 10 as rows_read, "
                    "9 as rows_loaded, 1 as rows_quarantined")
        con.execute("create table raw._quarantine as select 'below_min' as reason_code")
        if with_campaigns:
            con.execute("""
                create table campaigns.list_funnel as
                select * from (values ('CMP_A', 100, 80, 5, 4, 'run_1'), ('CMP_A', 50, 40, 3, 1, 'run_0'))
                    as t(campaign_id, targeted, eligible, action, control, run_id)""")
    return path


def _printed(db: Path) -> str:
    console = Console(record=True, width=200)
    print_summary(console, db)
    return console.export_text()


def test_summary_prints_marts_reconciliation_and_latest_campaign_funnel(tmp_path: Path) -> None:
    text = _printed(_warehouse(tmp_path / "w.duckdb", with_campaigns=True))
    assert "marts.dim_customer" in text and "7" in text
    assert "Landing rows read 10 = loaded 9 + quarantined 1" in text
    assert "run run_1" in text and "CMP_A" in text and "100" in text
    assert "run_0" not in text  # only the latest run's funnel


def test_summary_without_campaign_lists_skips_the_funnel(tmp_path: Path) -> None:
    text = _printed(_warehouse(tmp_path / "w.duckdb", with_campaigns=False))
    assert "marts.dim_customer" in text
    assert "Campaign lists" not in text
