"""Reading the operations marts from the working DuckDB file, read-only.

DuckDB allows one writer *or* many readers: the connection is opened and closed inside each
call, so it is never held while dbt (or another asset) writes the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from orchestration.warehouse import connect as connect_duckdb

REPORTS_FOLDER = "reports"


def reports_dir(database: Path) -> Path:
    """Where the pictures go: ``reports/`` beside the database (``data/reports`` by default), so a
    temporary database gets temporary reports."""
    return Path(database).parent / REPORTS_FOLDER


@dataclass(frozen=True)
class KpiFrames:
    """The KPI marts: daily and monthly observations with bands, and the KPI catalogue."""

    daily: pd.DataFrame
    monthly: pd.DataFrame
    catalogue: pd.DataFrame


@dataclass(frozen=True)
class IvrFrames:
    """The IVR trajectory marts: one row per path, one row per menu node."""

    paths: pd.DataFrame
    funnel: pd.DataFrame


def _read(database: Path, queries: dict[str, str]) -> dict[str, pd.DataFrame]:
    if not Path(database).exists():
        raise FileNotFoundError(f"database not found: {database} (run the pipeline first)")
    with connect_duckdb(database, read_only=True) as con:
        missing = [name for name in queries if not con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = ?",
            [name]).fetchone()[0]]
        if missing:
            raise FileNotFoundError(f"{database} has no marts.{', marts.'.join(missing)} (run dbt build first)")
        return {name: con.execute(sql).df() for name, sql in queries.items()}


def read_kpis(database: Path) -> KpiFrames:
    frames = _read(database, {
        "fct_kpi_daily": "select * from marts.fct_kpi_daily order by kpi_name, date_day",
        "fct_kpi_monthly": "select * from marts.fct_kpi_monthly order by kpi_name, month_start_date",
        "dim_kpi": "select * from marts.dim_kpi order by kpi_area, kpi_name",
    })
    return KpiFrames(daily=frames["fct_kpi_daily"], monthly=frames["fct_kpi_monthly"], catalogue=frames["dim_kpi"])


def read_ivr(database: Path) -> IvrFrames:
    frames = _read(database, {
        "rpt_ivr_paths": "select * from marts.rpt_ivr_paths order by path_rank",
        "rpt_ivr_menu_funnel": "select * from marts.rpt_ivr_menu_funnel order by node_path",
    })
    return IvrFrames(paths=frames["rpt_ivr_paths"], funnel=frames["rpt_ivr_menu_funnel"])
