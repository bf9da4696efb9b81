"""The benchmark harness (bench/): stage measurement, the dbt-overhead replay, the held-back day
and the results table. The benchmark itself is never timed here; these check it measures and
reports what it says it does."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import dbt_overhead  # noqa: E402
import landing_days  # noqa: E402
import measure  # noqa: E402
import report  # noqa: E402
import run as bench_run  # noqa: E402


def test_run_stage_measures_the_child_process(tmp_path: Path) -> None:
    # A child that holds ~300 MB: its peak RSS and CPU time are the stage's, not the parent's.
    code = "import time; b = bytearray(300 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); " \
           "t = time.process_time()\nwhile time.process_time() - t < 0.3: pass"
    result = measure.run_stage("alloc", [sys.executable, "-c", code], env={}, log_dir=tmp_path, cwd=tmp_path)
    assert result.ok
    assert result.peak_rss_mb >= 300
    assert result.cpu_seconds >= 0.3
    assert result.wall_seconds >= result.cpu_seconds * 0.5
    assert (tmp_path / "alloc.log").exists()


def test_run_stage_failure_names_the_stage_and_shows_its_log(tmp_path: Path) -> None:
    code = "import sys; print('the reason it broke'); sys.exit(3)"
    with pytest.raises(measure.StageFailed, match=r"stage 'boom' exited 3(.|\n)*the reason it broke"):
        measure.run_stage("boom", [sys.executable, "-c", code], env={}, log_dir=tmp_path, cwd=tmp_path)
    # an accepted exit code (dbt's "a test failed") is measured, not raised
    result = measure.run_stage("boom", [sys.executable, "-c", code], env={}, log_dir=tmp_path, cwd=tmp_path,
                               ok_codes=(0, 3))
    assert result.returncode == 3


def _event(name: str, **data: object) -> str:
    return json.dumps({"info": {"name": name}, "data": data}) + "\n"


def test_replay_runs_the_logged_statements_in_order_without_transaction_control(tmp_path: Path) -> None:
    log = tmp_path / "dbt.log"
    log.write_text(
        _event("NodeStart", node_info={})
        + _event("SQLQuery", sql="BEGIN")
        + _event("SQLQuery", sql="create table t as select range as x from range(10)")
        + _event("SQLQueryStatus", status="OK", elapsed=0.5)
        + _event("SQLQuery", sql="  insert into t select 100  ")
        + _event("SQLQueryStatus", status="OK", elapsed=0.25)
        + _event("SQLQuery", sql="commit;")
        + "not json: a plain text line dbt may write\n"
        + _event("SQLQuery", sql="select count(*) from t where x > 5")
    )
    sqls, seen = dbt_overhead.statements(log)
    assert sqls == ["create table t as select range as x from range(10)", "insert into t select 100",
                    "select count(*) from t where x > 5"]
    assert seen == pytest.approx(0.75)
    db = tmp_path / "w.duckdb"
    result = dbt_overhead.replay(db, sqls)
    assert result["statements"] == 3 and result["errors"] == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*), max(x) from t").fetchone() == (11, 100)


def test_replay_counts_statement_errors(tmp_path: Path) -> None:
    result = dbt_overhead.replay(tmp_path / "w.duckdb", ["select 1", "select * from no_such_table"])
    assert result["errors"] == 1
    assert "no_such_table" in result["first_errors"][0]


def test_hold_back_moves_only_the_last_delivered_day(tmp_path: Path) -> None:
    from orchestration.generator import GeneratorConfig, generate

    landing = tmp_path / "work" / "landing"
    generate(GeneratorConfig(customers=60, months=1, seed=3, out=landing, bad_row_share=0.0))
    before = {p.relative_to(landing) for p in landing.rglob("*") if p.is_file()}
    holdback = tmp_path / "work" / "holdback"
    day = landing_days.hold_back_last_day(landing, holdback)
    held = {p.relative_to(holdback) for p in holdback.rglob("*") if p.is_file()}
    assert day == "2026-08-31"
    assert held and all(day in p.name for p in held)
    assert {p.relative_to(landing) for p in landing.rglob("*") if p.is_file()} == before - held
    landing_days.deliver_held_back(landing, holdback)
    assert {p.relative_to(landing) for p in landing.rglob("*") if p.is_file()} == before
    assert not holdback.exists()


def _stage(name: str, wall: float, rss: float = 100.0, rows: int | None = None) -> dict:
    return measure.StageResult(name, ["x"], wall, wall * 0.8, rss, 0, 0.5, rows).to_json()


def test_results_md_reports_every_stage_and_judges_the_targets(tmp_path: Path) -> None:
    results = {
        "scale": "100k", "customers": 100_000, "months": 6, "seed": 42, "started_at": "s", "finished_at": "f",
        "machine": {"cpu": "Test CPU", "cores": 2, "memory_gib": 24.0, "os": "Linux", "python": "3.11",
                    "versions": {"duckdb": "2.0.0"}},
        "load_average_start": [0.1], "load_average_end": [0.2],
        "landing": {"files": 10, "bytes": 2e6, "rows_read_by_first_load": 5000},
        "stages": [_stage("generate", 5), _stage("load", 40, rows=5000), _stage("dbt_build", 30),
                   _stage("lists", 12, rss=7000)],
        "end_to_end": {"stages": ["load", "dbt_build", "lists"], "wall_seconds": 82.0, "cpu_seconds": 60.0,
                       "peak_rss_mb": 7000},
        "big_facts": [{"model": "fct_calls", "rows": 1000, "seconds": 2.0, "rows_per_second": 500}],
        "comparisons": {
            "dbt_overhead": {"dbt_build_seconds": 30, "replay_seconds": 20, "replay_statements": 900,
                             "replay_errors": 0, "sql_seconds_seen_by_dbt": 21, "ratio": 1.5},
            "incremental_one_day": {"day": "2027-01-31", "selection": "--selector daily_incremental",
                                    "load_one_day_seconds": 1, "dbt_incremental_seconds": 2,
                                    "full_build_seconds": 30, "ratio_to_full_build": 0.067},
        },
    }
    (tmp_path / "100k.json").write_text(json.dumps(results))
    text = report.write_results_md(tmp_path, tmp_path / "RESULTS.md").read_text()
    assert "Test CPU, 2 cores" in text
    assert "| load (landing → raw, validated) | 40.0 |" in text
    assert "**end to end** (load → publish) | **82.0**" in text
    assert "| end to end ≤ 90 s | 100k | 82.0 s | yes |" in text
    assert "| dbt overhead ≤ 1.3× (target at 1M) | 100k | 1.5× | no |" in text
    assert "| one-day incremental ≤ 10 % of full build (target at 1M) | 100k | 6.7% | yes |" in text
    assert "| all campaign lists ≤ 10 s (target at 1M) | 100k | 12.0 s (warehouse → files) | no |" in text


def test_scale_names() -> None:
    assert bench_run.scale_customers("1M") == ("1m", 1_000_000)
    assert bench_run.scale_customers("100k") == ("100k", 100_000)
    assert bench_run.scale_customers("5000") == ("5000", 5000)


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


def test_stopping_the_benchmark_kills_the_stage_and_everything_it_started(tmp_path: Path) -> None:
    import os
    import signal

    # The stage starts a grandchild; the benchmark is stopped (SIGALRM standing in for Ctrl-C).
    code = ("import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
            f"open({str(tmp_path / 'grandchild')!r}, 'w').write(str(p.pid)); time.sleep(60)")

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, 1.5)
    try:
        with pytest.raises(measure.StageInterrupted, match="stage 'slow' interrupted") as stopped:
            measure.run_stage("slow", [sys.executable, "-c", code], env={}, log_dir=tmp_path, cwd=tmp_path)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    result = stopped.value.result
    assert result.interrupted and result.name == "slow"
    assert 1.0 <= result.wall_seconds < 30
    grandchild = int((tmp_path / "grandchild").read_text())
    for _ in range(50):  # killed with its group; gone once init reaps it
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        import time

        time.sleep(0.1)
    else:
        pytest.fail("the stage's own child process outlived the stopped benchmark")


@pytest.fixture(scope="module")
def tiny_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from orchestration.generator import GeneratorConfig, generate

    work = tmp_path_factory.mktemp("bench_work")
    generate(GeneratorConfig(customers=60, months=1, seed=3, out=work / "landing", bad_row_share=0.0))
    return work


def test_until_stops_after_the_stage_and_reports_what_was_not_measured(tiny_landing: Path) -> None:
    before = sorted(p.relative_to(tiny_landing) for p in (tiny_landing / "landing").rglob("*") if p.is_file())
    bench = bench_run.Bench("t", 60, 1, 3, tiny_landing)
    bench.until = "load"
    results = bench.run(reuse_landing=True, skip_comparisons=True)
    assert [s["name"] for s in results["stages"]] == ["load"]
    assert results["stopped"] == {"reason": "until", "stage": "load"}
    assert results["end_to_end"]["not_measured"] == report.END_TO_END[1:]
    assert results["landing"]["rows_read_by_first_load"] == results["stages"][0]["rows"] > 0
    assert results["landing"]["files"] == len([p for p in before if "_truth" not in p.parts])
    # the held-back day is delivered again: the landing folder is as the generator left it
    assert sorted(p.relative_to(tiny_landing) for p in (tiny_landing / "landing").rglob("*")
                  if p.is_file()) == before


def test_reused_landing_files_carry_the_generation_measured_when_they_were_written(tmp_path: Path) -> None:
    first = bench_run.Bench("t", 60, 1, 5, tmp_path / "work")
    first.until = "generate"
    generated = first.run(reuse_landing=False, skip_comparisons=True)["stages"]
    assert [s["name"] for s in generated] == ["generate"] and generated[0]["returncode"] == 0

    again = bench_run.Bench("t", 60, 1, 5, tmp_path / "work")
    again.until = "load"
    results = again.run(reuse_landing=True, skip_comparisons=True)
    assert [s["name"] for s in results["stages"]] == ["generate", "load"]
    carried = results["stages"][0]
    assert carried["detail"]["reused"] is True and carried["detail"]["measured_at"]
    assert (carried["wall_seconds"], carried["peak_rss_mb"]) == (generated[0]["wall_seconds"],
                                                                 generated[0]["peak_rss_mb"])
    assert "generate" not in results["end_to_end"]["not_measured"]
    assert "measured when the reused files were written" in "\n".join(report._stage_table(results))

    # a different profile in the same folder is generated anew, not reused
    other = bench_run.Bench("t", 61, 1, 5, tmp_path / "work")
    other.until = "generate"
    regenerated = other.run(reuse_landing=True, skip_comparisons=True)["stages"]
    assert [s["name"] for s in regenerated] == ["generate"] and "reused" not in regenerated[0]["detail"]


def test_a_failing_stage_ends_the_run_with_what_was_measured(tiny_landing: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    bench = bench_run.Bench("t", 60, 1, 3, tiny_landing)
    real = bench.touchpoint
    monkeypatch.setattr(bench, "touchpoint", lambda *args: real("knowledge", "no-such-command"))
    results = bench.run(reuse_landing=True, skip_comparisons=True)
    assert [s["name"] for s in results["stages"]] == ["load", "knowledge"]
    stopped = results["stopped"]
    assert stopped["reason"] == "failed" and stopped["stage"] == "knowledge" and stopped["returncode"] != 0
    assert "stage 'knowledge' exited" in stopped["message"]
    assert "knowledge" in results["end_to_end"]["not_measured"]


def test_resume_carries_the_finished_stages_and_runs_the_rest_on_the_same_warehouse(
        tiny_landing: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = bench_run.Bench("t", 60, 1, 3, tiny_landing)
    first.until = "load"
    loaded = first.run(reuse_landing=True, skip_comparisons=True)
    with duckdb.connect(str(first.db)) as con:  # a mark the resumed run must find: it does not reload
        con.execute("create table main.resume_mark as select 1 as x")

    failing = bench_run.Bench("t", 60, 1, 3, tiny_landing)
    real = failing.touchpoint
    monkeypatch.setattr(failing, "touchpoint", lambda *args: real("knowledge", "no-such-command"))
    failed = failing.run(reuse_landing=True, skip_comparisons=True, resume=True)
    assert [s["name"] for s in failed["stages"]] == ["load", "knowledge"]
    assert failed["stopped"]["reason"] == "failed" and failed["resumed"]["carried_stages"] == ["load"]

    again = bench_run.Bench("t", 60, 1, 3, tiny_landing)  # the failed stage runs again
    again.until = "knowledge"
    results = again.run(reuse_landing=True, skip_comparisons=True, resume=True)
    load, knowledge = results["stages"]
    assert (load["name"], knowledge["name"], knowledge["returncode"]) == ("load", "knowledge", 0)
    assert load["wall_seconds"] == loaded["stages"][0]["wall_seconds"]
    assert load["detail"]["carried_from_run_started_at"] == loaded["started_at"]  # the run that measured it
    assert "carried_from_run_started_at" not in knowledge["detail"]
    assert results["resumed"] == {"first_started_at": loaded["started_at"], "carried_stages": ["load"]}
    assert results["landing"] == loaded["landing"] and results["stopped"] == {"reason": "until", "stage": "knowledge"}
    with duckdb.connect(str(again.db), read_only=True) as con:
        assert con.execute("select count(*) from main.resume_mark").fetchone() == (1,)
    assert "measured by the run started" in "\n".join(report._stage_table(results))
    assert json.loads(again.last_results.read_text())["stages"][1]["name"] == "knowledge"


def test_resume_refuses_without_an_earlier_run_or_for_another_profile(tiny_landing: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no earlier run to continue"):
        bench_run.Bench("t", 60, 1, 3, tmp_path / "empty").run(reuse_landing=True, skip_comparisons=True,
                                                                 resume=True)
    first = bench_run.Bench("t", 60, 1, 3, tiny_landing)
    first.until = "load"
    first.run(reuse_landing=True, skip_comparisons=True)
    with pytest.raises(SystemExit, match="was not"):
        bench_run.Bench("t", 61, 1, 3, tiny_landing).run(reuse_landing=True, skip_comparisons=True, resume=True)


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


def test_counting_the_big_facts_survives_a_model_the_build_did_not_create(tmp_path: Path) -> None:
    import argparse

    import stages

    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts; create table marts.fct_usage_daily as select range as x from range(7)")
    counts = stages._counts(argparse.Namespace(db=str(db), table=["marts.fct_usage_daily", "marts.fct_calls"]))
    assert counts == {"marts.fct_usage_daily": 7, "marts.fct_calls": None}


def test_results_md_shows_the_slowest_dbt_nodes_and_each_mining_step(tmp_path: Path) -> None:
    build, mining = _stage("dbt_build", 50.0), _stage("mining", 30.0)
    build["detail"] = {"slowest_nodes": {"model.touchpoint.fct_calls": 12.5, "test.touchpoint.unique_x.abc": 3.0}}
    mining["detail"] = {"steps": {"churn": {"seconds": 20.25, "rows": {"churn_scores": 900, "churn_drivers": 100},
                                            "peak_rss_mb_so_far": 2048.0}}}
    (tmp_path / "20k.json").write_text(json.dumps(_results("20k", 20_000, [_stage("load", 10.0), build, mining])))
    text = report.write_results_md(tmp_path, tmp_path / "RESULTS.md").read_text()
    assert "| `fct_calls` (model) | 12.5 |" in text and "| `unique_x.abc` (test) | 3.00 |" in text
    assert "| churn | 20.2 | 1,000 | 2,048 |" in text


class _RecordingBench:
    """Stands in for run.Bench in the comparisons: records the stages it is asked to run."""

    def __init__(self, work: Path, failing: str | None = None):
        self.landing, self.holdback, self.logs = work / "landing", work / "holdback", work / "logs"
        self.db, self.customers, self.failing, self.ran = work / "w.duckdb", 10, failing, []

    def python(self, script: str, *args: str) -> list[str]:
        return [script, *args]

    @staticmethod
    def has_selector(name: str) -> bool:
        return name == "daily_incremental"

    def stage(self, name: str, command: list[str], out: Path | None = None) -> measure.StageResult:
        self.ran.append(name)
        if name == self.failing:
            raise measure.StageFailed(f"stage {name!r} exited 1", measure.StageResult(name, command, 1, 1, 1, 1, 0))
        return measure.StageResult(name, command, 3.0, 2.0, 50.0, 0, 0.1, detail={"rows_read": 7, "seconds": 0.5})

    def dbt_stage(self, name: str, *args: str) -> measure.StageResult:
        return self.stage(name, ["dbt", *args])


def test_comparisons_run_only_those_chosen_and_keep_the_finished_ones_when_one_fails(tmp_path: Path) -> None:
    import comparisons

    held = tmp_path / "holdback" / "usage" / "daily_usage" / "2027-01-31.parquet"
    held.parent.mkdir(parents=True)
    held.write_bytes(b"day")
    build = measure.StageResult("dbt_build", ["dbt"], 30.0, 40.0, 900.0, 0, 0.1)
    bench = _RecordingBench(tmp_path)
    done = comparisons.run_comparisons(bench, "2027-01-31", build, tmp_path,
                                       ("campaign_engine", "incremental_one_day"))
    assert bench.ran == ["load_one_day", "dbt_incremental_one_day", "campaign_engine_synthetic"]
    assert list(done) == ["incremental_one_day", "campaign_engine"]  # in the harness's order
    one_day = done["incremental_one_day"]
    assert one_day["selection"] == "--selector daily_incremental" and one_day["ratio_to_full_build"] == 0.1
    assert (tmp_path / "landing" / "usage" / "daily_usage" / "2027-01-31.parquet").read_bytes() == b"day"
    assert not (tmp_path / "holdback").exists()  # the held-back day was delivered before its load

    failing, into = _RecordingBench(tmp_path, failing="rules_vs_mlxtend"), {}
    with pytest.raises(measure.StageFailed):
        comparisons.run_comparisons(failing, "2027-01-31", build, tmp_path, comparisons.COMPARISONS, into=into)
    assert failing.ran == ["dbt_rebuild_logged", "dbt_sql_replayed_in_duckdb", "load_one_day",
                           "dbt_incremental_one_day", "rules_vs_mlxtend"]
    assert list(into) == ["dbt_overhead", "incremental_one_day"] and into["dbt_overhead"]["ratio"] == 1.0
    with pytest.raises(ValueError, match="unknown comparison.*mlxtend_rules"):
        comparisons.run_comparisons(bench, "2027-01-31", build, tmp_path, ("mlxtend_rules",))


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
