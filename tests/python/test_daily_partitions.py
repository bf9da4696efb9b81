"""Daily partitions: a partitioned load loads just its day(s), the daily dbt asset passes its window
to dbt, and the daily job and schedule are built on the shared daily partitions."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, materialize

from orchestration.defs.partitions import DAILY_PARTITIONS, RANGE_END_TAG, RANGE_START_TAG
from orchestration.landing.contracts import contract
from orchestration.landing.load_landing import load_table

DAY_TABLE = "usage__daily_usage"


def raw_days(db: Path, table: str) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute(f'select _partition, count(*) from raw."{table}" group by 1').fetchall())


def test_windowed_load_loads_only_its_days_and_rows_reconcile(small_landing: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    one = load_table(db, small_landing, DAY_TABLE, days=(date(2026, 8, 5), date(2026, 8, 6)))
    assert [p.partition for p in one.partitions] == ["2026-08-05"]
    assert one.rows_read == one.rows_loaded + one.rows_quarantined > 0
    assert raw_days(db, DAY_TABLE) == {"2026-08-05": one.rows_loaded}

    three = load_table(db, small_landing, DAY_TABLE, days=(date(2026, 8, 5), date(2026, 8, 8)))
    assert three.partitions_skipped == ["2026-08-05"]  # already loaded, unchanged
    assert three.partitions_loaded == ["2026-08-06", "2026-08-07"]
    assert set(raw_days(db, DAY_TABLE)) == {"2026-08-05", "2026-08-06", "2026-08-07"}

    with pytest.raises(ValueError, match="day-grain"):
        load_table(db, small_landing, "crm__customers", days=(date(2026, 8, 1), date(2026, 8, 2)))


def test_load_asset_of_a_day_table_is_partitioned_and_loads_its_partition(small_landing: Path,
                                                                           tmp_path: Path) -> None:
    from orchestration.defs.assets.loads import load_assets
    from orchestration.defs.resources import WarehouseResource

    by_key = {a.key: a for a in load_assets}
    daily = by_key[AssetKey(["raw", DAY_TABLE])]
    assert daily.partitions_def == DAILY_PARTITIONS
    assert by_key[AssetKey(["raw", "crm__customers"])].partitions_def is None  # month grain
    for table_asset in load_assets:
        grain = contract(table_asset.key.path[-1]).grain
        assert (table_asset.partitions_def is not None) == (grain == "day"), table_asset.key

    db = tmp_path / "p.duckdb"
    resources = {"warehouse": WarehouseResource(database=str(db), landing=str(small_landing))}
    result = materialize([daily], partition_key="2026-08-10", resources=resources)
    assert result.success
    assert set(raw_days(db, DAY_TABLE)) == {"2026-08-10"}
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks["rows_reconcile"] and checks["raw_matches_load_log"]

    ranged = materialize([daily], resources=resources, tags={RANGE_START_TAG: "2026-08-10",
                                                             RANGE_END_TAG: "2026-08-12"})
    assert ranged.success  # one run for the range (BackfillPolicy.single_run)
    assert set(raw_days(db, DAY_TABLE)) == {"2026-08-10", "2026-08-11", "2026-08-12"}


def test_delivered_range_covers_every_delivered_day(small_landing: Path) -> None:
    from orchestration.defs.partitions import delivered_range_tags

    tags = delivered_range_tags(small_landing)
    assert tags == {RANGE_START_TAG: "2026-08-01", RANGE_END_TAG: "2026-09-30"}


def test_daily_dbt_asset_is_partitioned_and_passes_its_window_in_the_environment(defs, monkeypatch) -> None:
    # defs: the manifest is prepared
    from orchestration.defs.assets.dbt import environment, touchpoint_dbt_daily_assets, window_env

    assert touchpoint_dbt_daily_assets.partitions_def == DAILY_PARTITIONS
    assert AssetKey(["marts", "fct_usage_daily"]) in touchpoint_dbt_daily_assets.keys
    window = window_env((date(2026, 10, 30), date(2026, 10, 31)))
    assert window == {"TOUCHPOINT_WINDOW_START": "2026-10-30", "TOUCHPOINT_WINDOW_END": "2026-10-31"}
    # an unpartitioned run blanks a window left in the calling environment
    assert window_env(None) == {"TOUCHPOINT_WINDOW_START": "", "TOUCHPOINT_WINDOW_END": ""}

    monkeypatch.setenv("TOUCHPOINT_WINDOW_START", "2026-01-01")
    monkeypatch.delenv("TOUCHPOINT_WINDOW_END", raising=False)
    with environment(window):
        assert os.environ["TOUCHPOINT_WINDOW_START"] == "2026-10-30"
        assert os.environ["TOUCHPOINT_WINDOW_END"] == "2026-10-31"
    assert os.environ["TOUCHPOINT_WINDOW_START"] == "2026-01-01"  # restored
    assert "TOUCHPOINT_WINDOW_END" not in os.environ


@pytest.fixture(scope="module")
def defs():
    from orchestration.defs.project import prepare_manifest

    prepare_manifest()
    from orchestration.definitions import defs as definitions

    return definitions


def test_every_dbt_node_is_in_exactly_one_dbt_asset(defs) -> None:
    from orchestration.defs.assets.dbt import (
        touchpoint_dbt_assets,
        touchpoint_dbt_daily_assets,
        touchpoint_dbt_mining_assets,
    )

    parts = [set(a.keys) for a in (touchpoint_dbt_assets, touchpoint_dbt_daily_assets, touchpoint_dbt_mining_assets)]
    assert all(parts)
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    # nothing of the core asset is downstream of the daily one (else Dagster splits the core asset)
    graph = defs.resolve_asset_graph()
    downstream = set().union(*(graph.get(k).child_keys for k in parts[1]))
    assert not downstream & parts[0]


def test_definitions_module_has_exactly_one_definitions_object() -> None:
    import orchestration.definitions as module
    from dagster import Definitions

    assert [n for n, v in vars(module).items() if isinstance(v, Definitions)] == ["defs"]


def test_daily_schedule_runs_the_partitioned_job(defs) -> None:
    schedule = defs.resolve_schedule_def("daily_load_and_build")
    assert schedule.job_name == "daily_load_and_build"
    assert schedule.default_status.value == "STOPPED"
    assert schedule.execution_timezone == "Asia/Shanghai"
    job = defs.resolve_job_def("daily_load_and_build")
    assert job.partitions_def == DAILY_PARTITIONS
    keys = job.asset_layer.executable_asset_keys if hasattr(job.asset_layer, "executable_asset_keys") else None
    if keys is not None:
        assert AssetKey(["marts", "fct_usage_daily"]) in keys and AssetKey(["raw", DAY_TABLE]) in keys
    for name in ("full_pipeline", "monthly_tags_and_segments", "weekly_campaigns"):
        assert defs.resolve_job_def(name) is not None


def test_campaign_list_is_checked_and_published_after(defs) -> None:
    graph = defs.resolve_asset_graph()
    serving = graph.get(AssetKey(["serving", "serving_database"]))
    assert {AssetKey(["campaigns", "rpt_campaign_list"]), AssetKey(["campaigns", "campaign_evaluation"])} \
        <= set(serving.parent_keys)
    check = next(c for c in graph.asset_check_keys if c.name == "gx_rpt_campaign_list")
    assert check.asset_key == AssetKey(["campaigns", "rpt_campaign_list"])
    assert graph.get_check_spec(check).blocking


def test_nightly_full_pipeline_runs_over_the_delivered_days(small_landing: Path, monkeypatch) -> None:
    from dagster import build_schedule_context

    from orchestration.defs.schedules import nightly_pipeline_schedule

    monkeypatch.setenv("TOUCHPOINT_LANDING", str(small_landing))
    request = nightly_pipeline_schedule(build_schedule_context())
    assert request.tags == {RANGE_START_TAG: "2026-08-01", RANGE_END_TAG: "2026-09-30"}


def test_landing_sensor_gives_day_tables_a_partition_range(tmp_path: Path, monkeypatch) -> None:
    from dagster import DagsterInstance, build_sensor_context

    from orchestration.defs.sensors.landing_files import landing_files_sensor
    from tests.python.landing_files import valid_row, write_csv

    monkeypatch.setenv("TOUCHPOINT_LANDING", str(tmp_path))
    for day in ("2025-01-02", "2025-01-05"):
        write_csv(tmp_path, "halls__hall_visits", day, [valid_row("halls__hall_visits", day)])
    with DagsterInstance.ephemeral() as instance:
        [request] = landing_files_sensor(build_sensor_context(instance=instance)).run_requests
    assert request.tags[RANGE_START_TAG] == "2025-01-02" and request.tags[RANGE_END_TAG] == "2025-01-05"
