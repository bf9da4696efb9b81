"""The dbt project as Dagster assets: seeds, staging, intermediate, marts and the snapshot.

dbt tests become asset checks (source tests too). dbt sources map onto the load assets'
keys (`raw/<source>__<table>`), so the graph runs landing → raw → staging → marts. The models
built on the mining results (`source:mining+`) are a second dbt asset: their sources map onto the
mining assets' keys (`mining/<table>`), so they run after mining, which runs after the marts.
The incremental daily facts (`daily_incremental`) are a third dbt asset, partitioned by day like
the day-grain loads: a partition run passes its days to dbt in the environment variables
TOUCHPOINT_WINDOW_START / TOUCHPOINT_WINDOW_END (macro incremental_window), which, unlike new
`--vars`, leave dbt's partial parsing valid.
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.defs.partitions import DAILY_BACKFILL_POLICY, DAILY_PARTITIONS, partition_days
from orchestration.defs.pools import DUCKDB_WRITER_POOL
from orchestration.defs.project import touchpoint_project

MINING_SOURCE = "mining"
MINING_SELECTION = f"source:{MINING_SOURCE}+"
# The append-shaped incremental daily facts, partitioned by day: the dbt selector
# `daily_incremental` (selectors.yml, also for the dbt CLI). It takes everything downstream of the
# facts too (the daily KPI models; the models on mining are the mining asset's): were a core node
# downstream of this asset, Dagster would split the core asset around it, and dbt's tests spanning
# the split would run before their models exist. The core asset excludes the same nodes:
DAILY_INCREMENTAL_SELECTOR = "daily_incremental"
DAILY_INCREMENTAL_SELECTION = "fct_usage_daily+"
_LAYER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}


class TouchpointDbtTranslator(DagsterDbtTranslator):
    """Asset keys and groups that follow the project's layers."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            if dbt_resource_props.get("source_name") == MINING_SOURCE:
                return AssetKey(["mining", dbt_resource_props["name"]])  # written by the mining assets
            if dbt_resource_props.get("source_name") == "knowledge":
                return AssetKey(["knowledge", dbt_resource_props["name"]])  # compiled by the knowledge assets
            # The relation identifier is the raw table's name, `<source>__<table>`.
            identifier = dbt_resource_props.get("identifier") or dbt_resource_props["name"]
            return AssetKey(["raw", identifier])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "seed":
            return "reference"
        if resource_type == "snapshot":
            return "marts"
        fqn = dbt_resource_props.get("fqn", [])
        for part in fqn[1:-1]:
            if part in _LAYER_GROUPS:
                return _LAYER_GROUPS[part]
        return super().get_group_name(dbt_resource_props)


translator = TouchpointDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True)
)


@dbt_assets(
    manifest=touchpoint_project.manifest_path,
    project=touchpoint_project,
    dagster_dbt_translator=translator,
    exclude=f"{MINING_SELECTION} {DAILY_INCREMENTAL_SELECTION}",
    pool=DUCKDB_WRITER_POOL,
)
def touchpoint_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """`dbt build` of the selected models, seeds, snapshot and tests."""
    yield from dbt.cli(["build"], context=context).stream()


@dbt_assets(
    manifest=touchpoint_project.manifest_path,
    project=touchpoint_project,
    dagster_dbt_translator=translator,
    select=MINING_SELECTION,
    name="touchpoint_dbt_mining_assets",
    pool=DUCKDB_WRITER_POOL,
)
def touchpoint_dbt_mining_assets(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """`dbt build` of the staging views and marts on the mining results, with their tests."""
    yield from dbt.cli(["build"], context=context).stream()


WINDOW_START_ENV = "TOUCHPOINT_WINDOW_START"
WINDOW_END_ENV = "TOUCHPOINT_WINDOW_END"


def window_env(days: tuple[date, date] | None) -> dict[str, str]:
    """The environment of dbt for the daily incremental models: the run's days [start, end) as ISO
    days; empty values (no window: the lookback) when the run has no partition, so a window left in
    the calling environment does not leak into it."""
    start, end = (days[0].isoformat(), days[1].isoformat()) if days else ("", "")
    return {WINDOW_START_ENV: start, WINDOW_END_ENV: end}


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` with ``values`` while the block runs (dagster-dbt gives its dbt process a copy
    of ``os.environ`` when the invocation starts), restored afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dbt_assets(
    manifest=touchpoint_project.manifest_path,
    project=touchpoint_project,
    dagster_dbt_translator=translator,
    selector=DAILY_INCREMENTAL_SELECTOR,
    name="touchpoint_dbt_daily_assets",
    partitions_def=DAILY_PARTITIONS,
    backfill_policy=DAILY_BACKFILL_POLICY,
    pool=DUCKDB_WRITER_POOL,
)
def touchpoint_dbt_daily_assets(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """`dbt build` of the incremental daily facts for the run's day(s): delete+insert of exactly
    those days (window in the environment, see window_env); the first build creates the whole table."""
    window = window_env(partition_days(context))
    context.log.info(" ".join(f"{name}={value}" for name, value in window.items()) + " dbt build")
    with environment(window):
        invocation = dbt.cli(["build"], context=context)  # starts dbt with the window in its environment
    yield from invocation.stream()
