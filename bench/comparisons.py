"""The side-by-side comparisons of a benchmark run, each a ratio, run after the pipeline's stages.

- ``dbt_overhead``: a second full `dbt build` (JSON debug log) against the replay of every SQL
  statement it sent, directly in DuckDB (`bench/dbt_overhead.py`);
- ``incremental_one_day``: the held-back day is delivered, loaded, and refreshed with
  `dbt build --selector daily_incremental` and the day as the window, against the full build;
- ``rules_vs_mlxtend``: rule mining against mlxtend on the warehouse's baskets (`bench_rules.py --db`);
- ``campaign_engine``: the campaign engine alone on as many synthetic customers
  (`bench_campaign_lists.py`).

`--comparisons` picks some of them (at 1M the dbt overhead alone is two more full builds); the
results say which were not run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from landing_days import deliver_held_back

if TYPE_CHECKING:
    from measure import StageResult
    from run import Bench

COMPARISONS = ("dbt_overhead", "incremental_one_day", "rules_vs_mlxtend", "campaign_engine")


def run_comparisons(bench: Bench, new_day: str, build: StageResult, out: Path,
                    wanted: tuple[str, ...] = COMPARISONS, into: dict | None = None) -> dict:
    """The ``wanted`` comparisons, in the order of COMPARISONS, as {name: figures}, written into
    ``into`` as each finishes (so a comparison that fails keeps those before it)."""
    unknown = sorted(set(wanted) - set(COMPARISONS))
    if unknown:
        raise ValueError(f"unknown comparison(s) {', '.join(unknown)}; expected some of {', '.join(COMPARISONS)}")
    steps = {"dbt_overhead": lambda: dbt_overhead(bench, out),
             "incremental_one_day": lambda: incremental_one_day(bench, new_day, build, out),
             "rules_vs_mlxtend": lambda: bench.stage("rules_vs_mlxtend", bench.python(
                 "bench_rules.py", "--db", str(bench.db), "--json-out", str(out / "rules.json")),
                 out / "rules.json").detail,
             "campaign_engine": lambda: bench.stage("campaign_engine_synthetic", bench.python(  # JSON: last line
                 "bench_campaign_lists.py", "--customers", str(bench.customers)), out / "engine.json").detail}
    done = {} if into is None else into
    for name in COMPARISONS:
        if name in wanted:
            done[name] = steps[name]()
    return done


def dbt_overhead(bench: Bench, out: Path) -> dict:
    """The same build again, every statement logged, then replayed directly in DuckDB."""
    rebuild = bench.dbt_stage("dbt_rebuild_logged", "build", "--exclude", "resource_type:seed", "source:mining+",
                              "--log-format-file", "json", "--log-level-file", "debug",
                              "--log-file-max-bytes", "0")
    replay = bench.stage("dbt_sql_replayed_in_duckdb", bench.python(
        "dbt_overhead.py", "replay", "--db", str(bench.db), "--log",
        str(bench.logs / "dbt_dbt_rebuild_logged" / "dbt.log"),
        "--out", str(out / "replay.json")), out / "replay.json")
    return {"dbt_build_seconds": rebuild.wall_seconds, "replay_seconds": replay.wall_seconds,
            "replay_statements": replay.detail.get("statements"),
            "replay_errors": replay.detail.get("errors"),
            "sql_seconds_seen_by_dbt": replay.detail.get("seconds_in_duckdb_seen_by_dbt"),
            "dbt_threads": replay.detail.get("dbt_threads"),
            "ratio": round(rebuild.wall_seconds / replay.wall_seconds, 2)}


def incremental_one_day(bench: Bench, new_day: str, build: StageResult, out: Path) -> dict:
    """Deliver the held-back day, load it, refresh the incremental facts for it."""
    deliver_held_back(bench.landing, bench.holdback)
    day_load = bench.stage("load_one_day", bench.python("stages.py", "load", "--db", str(bench.db), "--landing",
                                                        str(bench.landing), "--out", str(out / "load_day.json")),
                           out / "load_day.json")
    day_load.rows = day_load.detail["rows_read"]
    next_day = (dt.date.fromisoformat(new_day) + dt.timedelta(days=1)).isoformat()
    # the window as the Dagster daily partition passes it (end exclusive): in the environment,
    # which keeps dbt's partial parsing (new --vars would re-parse the whole project)
    window = {"TOUCHPOINT_WINDOW_START": new_day, "TOUCHPOINT_WINDOW_END": next_day}
    selection = (["--selector", "daily_incremental"] if bench.has_selector("daily_incremental")
                 else ["--select", "config.materialized:incremental"])
    incremental = bench.dbt_stage("dbt_incremental_one_day", "build", *selection, env=window)
    return {"day": new_day, "selection": " ".join(selection),
            "load_one_day_seconds": day_load.wall_seconds,
            "dbt_incremental_seconds": incremental.wall_seconds,
            "full_build_seconds": build.wall_seconds,
            "ratio_to_full_build": round(incremental.wall_seconds / build.wall_seconds, 3)}
