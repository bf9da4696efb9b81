"""Benchmark stages that have no single CLI command of their own, run in a child process by
`bench/run.py` so each is measured alone. Each writes what it did as JSON to ``--out``.

    python bench/stages.py load     --db DB --landing DIR --out F
    python bench/stages.py checks   --db DB --out F
    python bench/stages.py lists    --db DB --lists DIR --out F
    python bench/stages.py publish  --db DB --serving DB --out F
    python bench/stages.py counts   --db DB --out F [--table schema.table ...]

They call the same plain functions as the CLI and the Dagster assets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _load(args: argparse.Namespace) -> dict:
    from orchestration.landing.load_landing import load_all

    reports = load_all(Path(args.db), Path(args.landing))
    tables = {r.table_name: {"rows_read": r.rows_read, "rows_loaded": r.rows_loaded,
                             "rows_quarantined": r.rows_quarantined, "seconds": round(r.elapsed_seconds, 3),
                             "partitions_loaded": len(r.partitions_loaded)} for r in reports}
    refused = sum(len(r.refused) for r in reports)
    return {"rows_read": sum(t["rows_read"] for t in tables.values()),
            "rows_loaded": sum(t["rows_loaded"] for t in tables.values()),
            "rows_quarantined": sum(t["rows_quarantined"] for t in tables.values()),
            "files_refused": refused, "tables": tables}


def _checks(args: argparse.Namespace) -> dict:
    from orchestration.quality.expectations import run_all

    outcomes = run_all(Path(args.db))
    rows = sum(o.row_count for o in outcomes)
    return {"rows": rows, "suites": {o.suite: {"success": o.success, "rows": o.row_count,
                                               "failed": o.failed} for o in outcomes}}


def lists_run_date(newest_day: dt.date, campaign_window_ends: list[dt.date]) -> dt.date:
    """The day the benchmark's lists are for: the newest day with data, unless the profile runs
    past every campaign's window (6 months from 2026-08 end in 2027-01; the campaigns in
    campaigns/ end by 2026-12-31): then the last day of the latest window. Listing on a day no
    campaign runs would measure lists of nobody."""
    return min([newest_day, max(campaign_window_ends)]) if campaign_window_ends else newest_day


def _lists(args: argparse.Namespace) -> dict:
    from orchestration.campaigns.build import CAMPAIGNS_DIR, run_build
    from orchestration.campaigns.definitions import load_campaigns
    from orchestration.campaigns.inputs import as_of_date
    from orchestration.warehouse import connect as connect_duckdb

    with connect_duckdb(args.db, read_only=True) as con:
        newest = as_of_date(con)
    run_date = lists_run_date(newest, [c.window.end for c in load_campaigns(CAMPAIGNS_DIR)])
    result = run_build(Path(args.db), lists_root=Path(args.lists), run_date=run_date)
    action, control = (int(result.result.funnel[group].sum()) for group in ("action", "control"))
    return {"rows": action + control, "run_date": run_date.isoformat(), "newest_day": newest.isoformat(),
            "action": action, "control": control, "seconds": {k: round(v, 3) for k, v in result.seconds.items()}}


def _publish(args: argparse.Namespace) -> dict:
    from orchestration.publish.serving import publish

    result = publish(Path(args.db), Path(args.serving))
    return {"rows": result.total_rows, "tables": len(result.tables)}


def _counts(args: argparse.Namespace) -> dict:
    from orchestration.warehouse import connect as connect_duckdb

    with connect_duckdb(args.db, read_only=True) as con:
        present = {f"{schema}.{name}" for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        # a model the build failed to create has no table: None, not a crash of the benchmark
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] if t in present else None
                for t in args.table}


STAGES = {"load": _load, "checks": _checks, "lists": _lists, "publish": _publish, "counts": _counts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("--db", required=True)
    parser.add_argument("--landing")
    parser.add_argument("--serving")
    parser.add_argument("--lists")
    parser.add_argument("--table", action="append", default=[])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    detail = STAGES[args.stage](args)
    Path(args.out).write_text(json.dumps(detail, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
