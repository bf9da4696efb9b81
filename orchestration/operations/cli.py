"""`touchpoint dashboard`: the KPI dashboard and the IVR path chart from the built marts, without
Dagster (the same functions the operations assets call)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from orchestration.settings import db_path

console = Console()


def _cmd_dashboard(args: argparse.Namespace) -> int:
    import pandas as pd

    from orchestration.operations.ivr_chart import build_ivr_chart
    from orchestration.operations.kpi_dashboard import build_kpi_dashboard

    out = Path(args.out) if args.out else None
    kpis = build_kpi_dashboard(Path(args.db), out)
    ivr = build_ivr_chart(Path(args.db), out)
    console.print(f"KPI dashboard {kpis.first_day} to {kpis.last_day}: {kpis.daily_kpis} daily and "
                  f"{kpis.monthly_kpis} monthly KPIs, {kpis.daily_anomalies} daily and {kpis.monthly_anomalies} "
                  f"monthly anomalies")
    for row in kpis.anomalies.head(args.show).itertuples():
        console.print(f"  {row.period_start:%Y-%m-%d} {row.grain:<5} {row.kpi_name:<26} {row.anomaly_direction:<4} "
                      f"{row.kpi_value:>12,.2f} vs {row.baseline_value:>12,.2f}"
                      + ("" if pd.isna(row.deviation_pct) else f" ({row.deviation_pct:+.0%})"))
    console.print(f"[green]wrote[/green] {kpis.html_path}, {kpis.daily_png.name}, {kpis.monthly_png.name}, "
                  f"{ivr.png_path.name}")
    return 0


def add_operations_commands(sub: argparse._SubParsersAction) -> None:
    """Register `touchpoint dashboard` on the CLI's subparsers."""
    p = sub.add_parser("dashboard", help="draw the KPI dashboard and the IVR path chart from the marts")
    p.add_argument("--db", default=str(db_path()), help="DuckDB file with the built marts")
    p.add_argument("--out", default=None, help="output folder (default: reports/ beside the database)")
    p.add_argument("--show", type=int, default=15, help="newest anomalies to print")
    p.set_defaults(func=_cmd_dashboard)
