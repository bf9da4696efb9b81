"""The benchmark's results table (bench/report.py): what RESULTS.md says of the stages measured,
the targets judged, the scales projected and the runs that stopped early. Results files are
written here by hand in the shape `bench/run.py` gives them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import measure  # noqa: E402
import report  # noqa: E402
import run as bench_run  # noqa: E402


def _stage(name: str, wall: float, rss: float = 100.0, rows: int | None = None) -> dict:
    return measure.StageResult(name, ["x"], wall, wall * 0.8, rss, 0, 0.5, rows).to_json()


def test_results_md_reports_every_stage_and_judges_the_targets(tmp_path: Path) -> None:
    results = {
        "scale": "100k", "customers": 100_000, "months": 6, "seed": 42, "started_at": "s", "finished_at": "f",
        "machine": {"cpu": "Test CPU", "cores": 2, "memory_gib": 24.0, "os": "Linux", "python": "3.11",
                    "versions": {"duckdb": "2.0.0"}},
        "load_average_start": [0.1], "load_average_end": [0.2],
        "speed_reference_seconds": {"start": 2.134, "end": 2.2},
        "landing": {"files": 10, "bytes": 2e6, "rows_read_by_first_load": 5000},
        "stages": [_stage("generate", 5), {**_stage("load", 40, rows=5000), "speed_reference_seconds": 1.234},
                   _stage("dbt_build", 30),
                   {**_stage("lists", 12, rss=7000, rows=6069), "detail": {"rows": 6069, "run_date": "2026-12-31"}}],
        "end_to_end": {"stages": ["load", "dbt_build", "lists"], "wall_seconds": 82.0, "cpu_seconds": 60.0,
                       "peak_rss_mb": 7000},
        "big_facts": [{"model": "fct_calls", "rows": 1000, "seconds": 2.0, "rows_per_second": 500}],
        "comparisons": {
            "dbt_overhead": {"dbt_build_seconds": 30, "replay_seconds": 20, "replay_statements": 900,
                             "replay_errors": 0, "sql_seconds_seen_by_dbt": 21, "dbt_threads": 2, "ratio": 1.5},
            "incremental_one_day": {"day": "2027-01-31", "selection": "--selector daily_incremental",
                                    "load_one_day_seconds": 1, "dbt_incremental_seconds": 2,
                                    "full_build_seconds": 30, "ratio_to_full_build": 0.067},
        },
    }
    (tmp_path / "100k.json").write_text(json.dumps(results))
    text = report.write_results_md(tmp_path, tmp_path / "RESULTS.md").read_text()
    assert "Test CPU, 2 cores" in text
    assert "[0.2] at the end; speed reference 2.13 s at start, 2.20 s at the end. Landing:" in text
    assert "| load (landing → raw, validated) | 40.0 | 32.0 | 100 | — | 5,000 | 125 | 0.5 | 1.23 |" in text
    assert "| dbt build (seeds, models, snapshot, tests) | 30.0 | 24.0 | 100 | — | — | — | 0.5 | — |" in text
    assert "**end to end** (load → publish) | **82.0**" in text
    assert "| end to end ≤ 90 s | 100k | 82.0 s | yes |" in text
    assert "| dbt overhead ≤ 1.3× (target at 1M) | 100k | 1.5× | no |" in text
    assert ("- **dbt overhead**: `dbt build` (2 threads) 30.0 s vs the same 900 statements replayed one after "
            "another in one DuckDB connection 20.0 s → **1.5×**") in text
    assert "| one-day incremental ≤ 10 % of full build (target at 1M) | 100k | 6.7% | yes |" in text
    assert ("| all campaign lists ≤ 10 s (target at 1M) | 100k | 12.0 s (warehouse → files; 6,069 rows listed "
            "for 2026-12-31) | no |") in text


def _results(scale: str, customers: int, stages: list[dict], stopped: dict | None = None) -> dict:
    """A results file as `bench/run.py` writes it, for the stages given."""
    unfinished = stopped["stage"] if stopped and stopped["reason"] != "until" else None
    e2e = [s for s in stages if s["name"] in report.END_TO_END]
    return {"scale": scale, "customers": customers, "months": 6, "seed": 42, "started_at": "s",
            "finished_at": "f", "machine": {"cpu": "Test CPU", "cores": 2, "memory_gib": 24.0, "os": "Linux",
                                            "python": "3.11", "versions": {}},
            "load_average_start": [0.1], "load_average_end": [0.2],
            "landing": {"files": 10, "bytes": 2e6, "rows_read_by_first_load": customers * 1000},
            "stages": stages, "stopped": stopped,
            "end_to_end": {"stages": [s["name"] for s in e2e],
                           "not_measured": [n for n in report.END_TO_END
                                            if n not in {s["name"] for s in stages} - {unfinished}],
                           "wall_seconds": sum(s["wall_seconds"] for s in e2e), "cpu_seconds": 1,
                           "peak_rss_mb": max(s["peak_rss_mb"] for s in e2e)},
            "big_facts": [], "comparisons": {}}


def test_an_unmeasured_scale_is_projected_and_labelled_as_such(tmp_path: Path) -> None:
    def run(scale: str, customers: int, load: float, build: float) -> dict:
        walls = {"generate": 5.0, "load": load, "dbt_build": build}
        return _results(scale, customers, [_stage(n, walls.get(n, 0.0)) for n in bench_run.PIPELINE])

    (tmp_path / "20k.json").write_text(json.dumps(run("20k", 20_000, 30.0, 20.0)))
    (tmp_path / "100k.json").write_text(json.dumps(run("100k", 100_000, 110.0, 60.0)))
    text = report.write_results_md(tmp_path, tmp_path / "RESULTS.md").read_text()
    one_m = text[text.index("## 1m: 1,000,000 customers × 6 months — not measured"):]
    assert "Projection, not a measurement" in one_m
    # load: 110 s + 1 ms per customer × 900k more = 1,010 s; dbt build: 60 + 0.5 ms × 900k = 510 s
    assert "| load (landing → raw, validated) | 1,010.0 |" in one_m
    assert "| dbt build (seeds, models, snapshot, tests) | 510.0 |" in one_m
    assert "| **end to end** | **1,520.0** |" in one_m
    assert "## 20k: 20,000 customers" in text and "## 100k: 100,000 customers" in text
    assert "| end to end ≤ 600 s" not in text  # no target is judged on a projection


def test_a_run_that_stopped_early_is_a_lower_bound_and_its_missing_stages_are_projected(tmp_path: Path) -> None:
    def full(scale: str, customers: int, per_stage: float) -> dict:
        return _results(scale, customers, [_stage(n, per_stage) for n in bench_run.PIPELINE])

    (tmp_path / "20k.json").write_text(json.dumps(full("20k", 20_000, 10.0)))
    (tmp_path / "100k.json").write_text(json.dumps(full("100k", 100_000, 30.0)))
    interrupted = {**_stage("dbt_build", 250.0, rss=5000), "interrupted": True}
    (tmp_path / "1m.json").write_text(json.dumps(_results(
        "1m", 1_000_000, [_stage("generate", 300.0), _stage("load", 400.0, rss=2000), _stage("knowledge", 1.0),
                          interrupted],
        {"reason": "interrupted", "stage": "dbt_build", "after_seconds": 250.0})))
    text = report.write_results_md(tmp_path, tmp_path / "RESULTS.md").read_text()
    one_m = text[text.index("## 1m: 1,000,000 customers × 6 months (seed 42)"):]
    assert "| dbt build (seeds, models, snapshot, tests) — **stopped before it finished** | > 250.0 |" in one_m
    assert "not measured: dbt_build, checks, mining, dbt_mining_marts, lists, publish) | **> 651.0** |" in one_m
    assert "stopped by hand while `dbt_build` ran, after 250.0 s" in one_m
    # a lower bound already over the target fails it; under the target it would prove nothing
    assert "| end to end ≤ 600 s, peak RSS ≤ 6 GiB | 1m | > 651.0 s, > 4.88 GiB (2 of 8 stages measured) | no |" in text
    # the stages not measured: 30 s at 100k + 0.25 ms per customer × 900k more = 255 s each, six of them
    assert "| checks (Great Expectations suites) | 255.0 |" in one_m
    assert "| knowledge compile |" not in one_m.split("Projection of the stages not measured")[1]
    assert "| **measured 651.0 s + projected** | **2,181.0** |" in one_m
    assert "not measured\n" not in text and "## 1m: 1,000,000 customers × 6 months — not measured" not in text

    (tmp_path / "1m.json").write_text(json.dumps(_results(
        "1m", 1_000_000, [_stage("generate", 300.0), _stage("load", 400.0, rss=2000)],
        {"reason": "until", "stage": "load"})))
    text = report.write_results_md(tmp_path, tmp_path / "RESULTS.md").read_text()
    assert "| end to end ≤ 600 s, peak RSS ≤ 6 GiB | 1m | > 400.0 s, > 1.95 GiB (1 of 8 stages measured) | — |" in text
    assert "stopped as asked after `load` (`--until load`)" in text


def test_results_md_shows_the_slowest_dbt_nodes_and_each_mining_step(tmp_path: Path) -> None:
    build, mining = _stage("dbt_build", 50.0), _stage("mining", 30.0)
    build["detail"] = {"slowest_nodes": {"model.touchpoint.fct_calls": 12.5, "test.touchpoint.unique_x.abc": 3.0}}
    mining["detail"] = {"steps": {"churn": {"seconds": 20.25, "rows": {"churn_scores": 900, "churn_drivers": 100},
                                            "peak_rss_mb_so_far": 2048.0}}}
    (tmp_path / "20k.json").write_text(json.dumps(_results("20k", 20_000, [_stage("load", 10.0), build, mining])))
    text = report.write_results_md(tmp_path, tmp_path / "RESULTS.md").read_text()
    assert "| `fct_calls` (model) | 12.5 |" in text and "| `unique_x.abc` (test) | 3.00 |" in text
    assert "| churn | 20.2 | 1,000 | 2,048 |" in text
    assert "nodes at a time" not in text  # one thread: the nodes' seconds add up
    build["detail"]["threads"] = 2
    (tmp_path / "20k.json").write_text(json.dumps(_results("20k", 20_000, [_stage("load", 10.0), build, mining])))
    text = report.write_results_md(tmp_path, tmp_path / "RESULTS.md").read_text()
    assert "The build ran 2 nodes at a time" in text


def test_results_md_names_the_comparisons_not_run(tmp_path: Path) -> None:
    results = {
        "scale": "1m", "customers": 1_000_000, "months": 6, "seed": 42, "started_at": "s", "finished_at": "f",
        "machine": {"cpu": "Test CPU", "cores": 2, "memory_gib": 24.0, "os": "Linux", "python": "3.11",
                    "versions": {}},
        "load_average_start": [0.1], "load_average_end": [0.2],
        "landing": {"files": 10, "bytes": 2e6, "rows_read_by_first_load": 5000},
        "stages": [_stage("load", 40, rows=5000), _stage("dbt_build", 300)],
        "end_to_end": {"stages": ["load", "dbt_build"], "wall_seconds": 340.0, "cpu_seconds": 300.0,
                       "peak_rss_mb": 4000},
        "big_facts": [],
        "comparisons": {"incremental_one_day": {"day": "2027-01-31", "selection": "--selector daily_incremental",
                                                "load_one_day_seconds": 5, "dbt_incremental_seconds": 45,
                                                "full_build_seconds": 300, "ratio_to_full_build": 0.15}},
        "comparisons_not_run": ["dbt_overhead", "rules_vs_mlxtend", "campaign_engine"],
    }
    (tmp_path / "1m.json").write_text(json.dumps(results))
    text = report.write_results_md(tmp_path, tmp_path / "RESULTS.md").read_text()
    assert "| one-day incremental ≤ 10 % of full build (target at 1M) | 1m | 15.0% | no |" in text
    assert "not run (left out by `--comparisons`, or after the run stopped): `dbt_overhead`, " \
           "`rules_vs_mlxtend`, `campaign_engine`." in text
    assert "dbt overhead ≤ 1.3×" not in text


def test_notes_written_after_a_run_are_shown_with_it_and_a_run_without_notes_has_none(tmp_path: Path) -> None:
    results = _results("20k", 20_000, [_stage("load", 10.0), _stage("dbt_build", 50.0)])
    (tmp_path / "20k.json").write_text(json.dumps(results))
    assert "Notes on this run" not in report.write_results_md(tmp_path, tmp_path / "RESULTS.md").read_text()
    results["notes"] = ["fct_usage_daily ran incrementally in this build (37.2 s)."]
    (tmp_path / "20k.json").write_text(json.dumps(results))
    text = report.write_results_md(tmp_path, tmp_path / "RESULTS.md").read_text()
    assert ("### Notes on this run (added after it)\n\n"
            "- fct_usage_daily ran incrementally in this build (37.2 s).") in text
