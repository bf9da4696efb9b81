"""Dagster operation: blocking Great Expectations checks gate the serving database; schedules,
sensors and jobs are defined; the landing sensor launches loads of changed tables only; failed
runs are recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance, asset, build_sensor_context, materialize

from orchestration.defs.assets.quality import build_gx_checks
from orchestration.defs.assets.serving import ServingResource, build_serving_asset
from orchestration.defs.resources import WarehouseResource
from orchestration.quality.expectations import load_suites
from tests.python import mini_warehouse as mw
from tests.python.landing_files import valid_row, write_csv


def run_gated_publish(tmp_path: Path, break_it: bool) -> tuple[object, Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    db, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving.duckdb"

    @asset(key=AssetKey(["marts", "dim_customer"]))
    def dim_customer() -> None:
        """Stands in for the dbt model: (re)builds the mini warehouse, broken or not."""
        mw.build(db)
        if break_it:
            mw.execute(db, "update marts.dim_customer set member_tier = 'platinum' where customer_id = 'CU00000001'")

    suites = [s for s in load_suites() if s.model == "dim_customer"]
    checks = build_gx_checks([dim_customer.key], suites)
    assert checks and all(spec.blocking for c in checks for spec in c.check_specs)
    result = materialize(
        [dim_customer, *checks, build_serving_asset([dim_customer])],
        resources={"warehouse": WarehouseResource(database=str(db), landing=str(tmp_path)),
                   "serving": ServingResource(serving_database=str(serving), gx_root=str(tmp_path / "gx"))},
        raise_on_error=False,
    )
    return result, serving


def test_passing_checks_publish_and_link_data_docs(tmp_path: Path) -> None:
    result, serving = run_gated_publish(tmp_path, break_it=False)
    assert result.success and serving.exists()
    evaluations = result.get_asset_check_evaluations()
    assert evaluations and all(e.passed for e in evaluations)
    docs = [e.metadata["data_docs_path"].value for e in evaluations]
    assert all(Path(d).exists() and d.endswith(".html") for d in docs)


def test_a_broken_expectation_blocks_the_serving_database(tmp_path: Path) -> None:
    _, serving = run_gated_publish(tmp_path / "first", break_it=False)
    before = serving.read_bytes()
    # the next build breaks an expectation: the serving database is not materialized again
    result, _ = run_gated_publish(tmp_path / "first", break_it=True)

    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert {e.check_name for e in failed} == {"gx_dim_customer", "gx_dim_customer_tiers"}  # unknown tier
    materialized = {m.asset_key for m in result.get_asset_materialization_events() for m in [m.materialization]}
    assert AssetKey(["serving", "serving_database"]) not in materialized
    assert serving.read_bytes() == before


def test_code_location_has_the_operations() -> None:
    from orchestration.definitions import defs

    schedules = {s.name for s in defs.schedules}
    assert {"daily_load_and_build", "monthly_tags_and_segments", "weekly_campaigns"} <= schedules
    assert {"landing_files_sensor", "run_failure_recorder"} <= {s.name for s in defs.sensors}
    for job in ("daily_load_and_build", "monthly_tags_and_segments", "weekly_campaigns", "full_pipeline"):
        defs.resolve_job_def(job)
    graph = defs.resolve_asset_graph()
    serving = graph.get(AssetKey(["serving", "serving_database"]))
    marts = {k for k in graph.get_all_asset_keys() if k.path[0] == "marts" and k.path[1] != "snap_customers"}
    assert marts and marts <= set(serving.parent_keys)
    gx_checks = {k.name for k in graph.asset_check_keys if k.name.startswith("gx_")}
    assert {"gx_dim_customer", "gx_fct_billing_monthly", "gx_billing_reconciliation"} <= gx_checks


def test_landing_sensor_loads_only_new_or_changed_tables(tmp_path: Path, monkeypatch) -> None:
    from orchestration.defs.sensors.landing_files import landing_files_sensor

    monkeypatch.setenv("TOUCHPOINT_LANDING", str(tmp_path))
    write_csv(tmp_path, "halls__hall_visits", "2025-01-02", [valid_row("halls__hall_visits", "2025-01-02")])
    with DagsterInstance.ephemeral() as instance:
        first = landing_files_sensor(build_sensor_context(instance=instance))
        [request] = first.run_requests
        assert request.asset_selection == [AssetKey(["raw", "halls__hall_visits"])]
        again = landing_files_sensor(build_sensor_context(instance=instance, cursor=first.cursor))
        assert not getattr(again, "run_requests", None)  # nothing new: a skip
        write_csv(tmp_path, "crm__customers", "2025-01", [valid_row("crm__customers", "2025-01")])
        third = landing_files_sensor(build_sensor_context(instance=instance, cursor=first.cursor))
        [request] = third.run_requests
        assert request.asset_selection == [AssetKey(["raw", "crm__customers"])]
        assert set(json.loads(third.cursor)) == {"halls__hall_visits", "crm__customers"}


def test_failed_runs_are_recorded(tmp_path: Path, monkeypatch) -> None:
    from orchestration.defs.sensors.run_failures import failure_log_path, record_failure

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    record_failure("r1", "daily_load_and_build", "dbt test failed", ["touchpoint_dbt_assets"])
    [line] = failure_log_path().read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["failed_steps"] == ["touchpoint_dbt_assets"]


@pytest.mark.parametrize("name", ["daily_load_and_build", "monthly_tags_and_segments", "weekly_campaigns"])
def test_schedules_are_off_until_turned_on(name: str) -> None:
    from dagster import DefaultScheduleStatus

    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def(name)  # the daily one is built from the partitioned job
    assert schedule.default_status == DefaultScheduleStatus.STOPPED and schedule.execution_timezone
