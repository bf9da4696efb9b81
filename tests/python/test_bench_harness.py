"""The benchmark harness (bench/): stage measurement, the dbt-overhead replay, the held-back day,
the comparisons, --until and --resume. The benchmark itself is never timed here; these check it
measures what it says it does (what RESULTS.md reports of it: test_bench_report.py)."""

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
import stages  # noqa: E402


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
        _event("ConcurrencyLine", num_threads=2, target_name="duckdb", node_count=3)
        + _event("NodeStart", node_info={})
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
    assert dbt_overhead.dbt_threads(log) == 2
    db = tmp_path / "w.duckdb"
    result = dbt_overhead.replay(db, sqls)
    assert result["statements"] == 3 and result["errors"] == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*), max(x) from t").fetchone() == (11, 100)


def test_the_speed_reference_times_its_fixed_query() -> None:
    with duckdb.connect() as con:  # the query counts what it should: every md5 differs
        assert con.execute(measure.SPEED_REFERENCE_SQL).fetchone()[0] == 3_000_000
    seconds = measure.speed_reference(repeats=1)
    assert isinstance(seconds, float) and seconds > 0


def test_a_log_without_its_concurrency_line_names_no_thread_count(tmp_path: Path) -> None:
    log = tmp_path / "dbt.log"
    log.write_text(_event("SQLQuery", sql="select 1"))
    assert dbt_overhead.dbt_threads(log) is None


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


def test_scale_names() -> None:
    assert bench_run.scale_customers("1M") == ("1m", 1_000_000)
    assert bench_run.scale_customers("100k") == ("100k", 100_000)
    assert bench_run.scale_customers("5000") == ("5000", 5000)


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


def test_the_dbt_build_stage_is_a_full_build_even_on_a_resumed_warehouse(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # resuming, the warehouse may hold the incremental models of the run it continues: without
    # --full-refresh they would run incrementally and the "full build" would be understated
    bench = bench_run.Bench("t", 60, 1, 3, tmp_path / "landing")
    commands: list[tuple[str, ...]] = []
    monkeypatch.setattr(bench, "dbt_stage", lambda name, *args, **kw: commands.append((name, *args)))
    monkeypatch.setattr(bench, "node_timing", {"dbt_build": {}})
    monkeypatch.setattr(bench, "_big_facts", lambda timing, out: [])
    bench._dbt_build(tmp_path)
    assert commands == [("dbt_build", "build", "--full-refresh", "--exclude", "source:mining+")]


def test_resume_refuses_without_an_earlier_run_or_for_another_profile(tiny_landing: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no earlier run to continue"):
        bench_run.Bench("t", 60, 1, 3, tmp_path / "empty").run(reuse_landing=True, skip_comparisons=True,
                                                                 resume=True)
    first = bench_run.Bench("t", 60, 1, 3, tiny_landing)
    first.until = "load"
    first.run(reuse_landing=True, skip_comparisons=True)
    with pytest.raises(SystemExit, match="was not"):
        bench_run.Bench("t", 61, 1, 3, tiny_landing).run(reuse_landing=True, skip_comparisons=True, resume=True)


def test_counting_the_big_facts_survives_a_model_the_build_did_not_create(tmp_path: Path) -> None:
    import argparse

    import stages

    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts; create table marts.fct_usage_daily as select range as x from range(7)")
    counts = stages._counts(argparse.Namespace(db=str(db), table=["marts.fct_usage_daily", "marts.fct_calls"]))
    assert counts == {"marts.fct_usage_daily": 7, "marts.fct_calls": None}


class _RecordingBench:
    """Stands in for run.Bench in the comparisons: records the stages it is asked to run."""

    def __init__(self, work: Path, failing: str | None = None):
        self.landing, self.holdback, self.logs = work / "landing", work / "holdback", work / "logs"
        self.db, self.customers, self.failing, self.ran = work / "w.duckdb", 10, failing, []
        self.dbt_env: dict[str, dict[str, str] | None] = {}

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

    def dbt_stage(self, name: str, *args: str, env: dict[str, str] | None = None) -> measure.StageResult:
        self.dbt_env[name] = env
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
    # the day's window as the Dagster partition passes it, in the environment (no --vars: no re-parse)
    assert bench.dbt_env["dbt_incremental_one_day"] == {"TOUCHPOINT_WINDOW_START": "2027-01-31",
                                                        "TOUCHPOINT_WINDOW_END": "2027-02-01"}
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


def test_lists_are_measured_on_a_day_the_campaigns_run() -> None:
    """A 6-month profile ends after every campaign's window: listing on its newest day would
    measure lists of nobody (every target outside_campaign_window)."""
    from datetime import date

    ends = [date(2026, 11, 30), date(2026, 12, 31)]
    assert stages.lists_run_date(date(2027, 1, 30), ends) == date(2026, 12, 31)
    assert stages.lists_run_date(date(2026, 10, 30), ends) == date(2026, 10, 30)
    assert stages.lists_run_date(date(2026, 10, 30), []) == date(2026, 10, 30)
