"""The whole pipeline through Dagster on a small sample: loads, dbt build with tests, checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import PROJECT_DIR
from tests.python.subprocesses import isolated_env, touchpoint_bin

pytestmark = pytest.mark.slow

EXPECTED_MARTS = {
    "dim_customer", "dim_customer_history", "dim_product", "dim_date", "dim_channel", "dim_region",
    "dim_agent", "dim_campaign", "fct_usage_daily", "fct_billing_monthly", "fct_payments",
    "fct_subscription_events", "fct_contacts", "fct_ivr_sessions", "fct_campaign_offers",
    "fct_complaints", "fct_calls",
}


@pytest.fixture(scope="module")
def pipeline_run(small_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    tmp = tmp_path_factory.mktemp("e2e")
    env = isolated_env(tmp, small_landing)
    proc = subprocess.run([touchpoint_bin(), "run"], cwd=PROJECT_DIR, env=env, capture_output=True,
                          text=True, timeout=1200)
    assert proc.returncode == 0, f"pipeline failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
    return tmp, env


def test_full_job_materializes_every_mart(pipeline_run: tuple[Path, dict]) -> None:
    tmp, _ = pipeline_run
    with duckdb.connect(str(tmp / "touchpoint.duckdb"), read_only=True) as con:
        marts = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
        assert EXPECTED_MARTS <= marts, f"missing marts: {EXPECTED_MARTS - marts}"
        for name in EXPECTED_MARTS:
            assert con.execute(f"select count(*) from marts.{name}").fetchone()[0] > 0, f"{name} is empty"
        snap = con.execute("select count(*) from snapshots.snap_customers").fetchone()[0]
        assert snap > 0


def test_run_recorded_with_passing_checks(pipeline_run: tuple[Path, dict]) -> None:
    from dagster import DagsterEventType, DagsterInstance, EventRecordsFilter

    tmp, _ = pipeline_run
    instance = DagsterInstance.from_config(str(tmp / "dagster_home"))
    try:
        records = instance.get_run_records()
        assert len(records) == 1 and records[0].dagster_run.is_success
        evaluations = instance.get_event_records(
            EventRecordsFilter(event_type=DagsterEventType.ASSET_CHECK_EVALUATION), limit=100000)
        results = [e.event_log_entry.dagster_event.event_specific_data for e in evaluations]
        assert len(results) > 100, "dbt tests and load checks should surface as asset checks"
        failed = [f"{r.asset_key.to_user_string()}:{r.check_name}" for r in results
                  if not r.passed and r.severity.value == "ERROR"]
        assert not failed, f"blocking checks failed: {failed}"
    finally:
        instance.dispose()


def test_reloading_changes_nothing(pipeline_run: tuple[Path, dict]) -> None:
    tmp, env = pipeline_run
    db = tmp / "touchpoint.duckdb"

    def fingerprint() -> dict[str, tuple]:
        with duckdb.connect(str(db), read_only=True) as con:
            tables = [r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'").fetchall()]
            return {t: con.execute(
                f'select count(*), sum(hash(columns(* exclude (_loaded_at)))) from raw."{t}"').fetchone()
                if t not in ("_load_log", "_quarantine") else
                con.execute(f'select count(*) from raw."{t}"').fetchone() for t in tables}

    before = fingerprint()
    proc = subprocess.run([touchpoint_bin(), "load", "--force"], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    after = fingerprint()
    for table in before:
        if table == "_load_log":
            continue  # the log records each load attempt
        assert before[table] == after[table], f"reloading changed raw.{table}"


def test_full_build_of_usage_daily_is_a_query_per_month_and_counts_every_call(pipeline_run: tuple[Path, dict]) -> None:
    """fct_usage_daily's full build is a union of one query per month (macro month_ranges), each
    reading its month by ranges of plain columns: the compiled full build has an arm per month of
    daily usage, and the table built so counts every call and content visit of each customer-day."""
    tmp, env = pipeline_run
    with duckdb.connect(str(tmp / "touchpoint.duckdb"), read_only=True) as con:
        months = con.execute("select count(distinct date_trunc('month', usage_date)) "
                             "from staging.stg_usage__daily_usage").fetchone()[0]
        miscounted, rows = con.execute("""
            with calls as (
                select caller_customer_id as customer_id, call_date as usage_date, count(*) as calls,
                       count(case when is_three_way then 1 end) as three_way
                from staging.stg_usage__call_records group by all
            ),
            content as (
                select customer_id, visit_date as usage_date, sum(visit_count) as visits
                from staging.stg_usage__content_visits group by all
            )
            select count(*) filter (where f.call_count <> coalesce(calls.calls, 0)
                                       or f.three_way_call_count <> coalesce(calls.three_way, 0)
                                       or f.content_visit_count <> coalesce(content.visits, 0)),
                   count(*)
            from marts.fct_usage_daily as f
            left join calls using (customer_id, usage_date)
            left join content using (customer_id, usage_date)""").fetchone()
    assert months >= 2 and rows > 0 and miscounted == 0
    proc = subprocess.run([str(Path(sys.executable).with_name("dbt")), "compile", "--select", "fct_usage_daily",
                           "--full-refresh", "--target-path", str(tmp / "target_compile"), "--log-path",
                           str(tmp / "logs")], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    compiled = (tmp / "target_compile/compiled/touchpoint/models/marts/usage/fct_usage_daily.sql").read_text()
    assert compiled.count("union all") == months - 1
    assert compiled.count("started_at >= cast(") == months  # each arm's calls: a range of a plain column


def test_campaign_lists_are_in_the_serving_database(pipeline_run: tuple[Path, dict]) -> None:
    from orchestration.publish.serving import served_tables

    tmp, _ = pipeline_run
    served = served_tables(tmp / "serving.duckdb")  # published after the PII scan of every column
    assert served.get("campaigns.rpt_campaign_list", 0) > 0
    assert {"campaigns.campaign_evaluation", "campaigns.list_funnel", "marts.dim_customer"} <= set(served)


WINDOW_RUN = """
from pathlib import Path
from dagster import materialize
from orchestration.defs.assets.dbt import touchpoint_dbt_daily_assets
from orchestration.defs.project import dbt_cli
result = materialize([touchpoint_dbt_daily_assets], partition_key="2026-09-15", resources={"dbt": dbt_cli()})
assert result.success
# dagster-dbt runs dbt in target/<op>-<run id>-<uuid>/, from a copy of the prepared partial parse
logs = list(Path("target").glob(f"touchpoint_dbt_daily_assets-{result.run_id[:7]}-*/dbt.log"))
assert logs, "no dbt log of the partition run"
assert "Unable to do partial parsing" not in logs[0].read_text(), "the window re-parsed the project"
"""


def dbt_test(tmp: Path, env: dict, select: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("dbt")), "test", "--select", select, *args,
                           "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
                          cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)


def test_a_call_multiplied_by_the_number_lookup_fails_the_grain_of_the_resolved_calls(
        pipeline_run: tuple[Path, dict]) -> None:
    """int_call_records_resolved (a view) has its grain tested by counting (one_row_per_row_of
    stg_usage__call_records): a number twice in the lookup doubles its calls and fails it."""
    tmp, env = pipeline_run
    db = tmp / "touchpoint.duckdb"
    test = "int_call_records_resolved_one_row_per_call"
    assert dbt_test(tmp, env, test).returncode == 0
    lookup = "intermediate.int_callee_numbers_classified"
    with duckdb.connect(str(db)) as con:
        con.execute(f"create temp table twice as select * from {lookup} where callee_number = "
                    "(select min(callee_number) from staging.stg_usage__call_records)")
        con.execute(f"insert into {lookup} select * from twice")
    try:
        assert dbt_test(tmp, env, test).returncode == 1
    finally:
        with duckdb.connect(str(db)) as con:
            con.execute(f"create or replace table {lookup} as select distinct * from {lookup}")


def window(start: str, end: str) -> dict[str, str]:
    """A day window as the Dagster daily partition passes it to dbt (end exclusive)."""
    return {"TOUCHPOINT_WINDOW_START": start, "TOUCHPOINT_WINDOW_END": end}


def test_daily_partition_run_rewrites_only_its_day(pipeline_run: tuple[Path, dict]) -> None:
    """Last in the module: it changes the warehouse. The partitioned dbt asset passes the day to
    dbt (TOUCHPOINT_WINDOW_START/END); fct_usage_daily's delete+insert touches only that day, and
    its tests check only that day: a broken row on another day does not fail the run. The window in
    the environment keeps dbt's partial parsing; the same window as --vars works too, re-parsing."""
    tmp, env = pipeline_run
    db = tmp / "touchpoint.duckdb"
    with duckdb.connect(str(db)) as con:
        before = dict(con.execute("select usage_date, count(*) from marts.fct_usage_daily group by 1").fetchall())
        con.execute("update marts.fct_usage_daily set loaded_at = timestamp '2000-01-01'")  # a marker
        con.execute("update marts.fct_usage_daily set voice_in_minutes = -1 where customer_id = "
                    "(select min(customer_id) from marts.fct_usage_daily where usage_date = date '2026-09-10') "
                    "and usage_date = date '2026-09-10'")  # breaks not_negative on a day outside the window
    proc = subprocess.run([sys.executable, "-c", WINDOW_RUN], cwd=PROJECT_DIR, env=env, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    with duckdb.connect(str(db), read_only=True) as con:
        rewritten = dict(con.execute("select usage_date, count(*) from marts.fct_usage_daily "
                                     "where loaded_at <> timestamp '2000-01-01' group by 1").fetchall())
        after = dict(con.execute("select usage_date, count(*) from marts.fct_usage_daily group by 1").fetchall())
    assert {d.isoformat() for d in rewritten} == {"2026-09-15"}
    assert after == before

    # the broken day fails the same test when it is in the window, or when no window is given
    test = "not_negative_fct_usage_daily_voice_in_minutes"
    reparse = "Unable to do partial parsing"
    assert dbt_test(tmp, env, test).returncode == 1
    other_day = dbt_test(tmp, {**env, **window("2026-09-15", "2026-09-16")}, test)
    assert other_day.returncode == 0, other_day.stdout[-3000:]
    assert reparse not in other_day.stdout  # a new window in the environment: partial parsing holds
    broken_day = dbt_test(tmp, {**env, **window("2026-09-10", "2026-09-11")}, test)
    assert broken_day.returncode == 1
    as_vars = dbt_test(tmp, env, test, "--vars", '{"window_start": "2026-09-10", "window_end": "2026-09-11"}')
    assert as_vars.returncode == 1
    assert reparse in as_vars.stdout
    empty = dbt_test(tmp, {**env, **window("2026-09-10", "2026-09-10")}, test)  # the end is exclusive
    assert empty.returncode == 1  # the test errors: compilation refused
    assert "TOUCHPOINT_WINDOW_START/TOUCHPOINT_WINDOW_END: window_start 2026-09-10 must be before" in empty.stdout
