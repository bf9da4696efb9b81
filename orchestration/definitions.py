"""The Dagster code location: `dagster dev -m orchestration.definitions`."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from orchestration.defs.assets.campaigns import campaign_assets, campaign_jobs, campaign_sensors
from orchestration.defs.assets.dbt import (
    touchpoint_dbt_assets,
    touchpoint_dbt_daily_assets,
    touchpoint_dbt_mining_assets,
)
from orchestration.defs.assets.knowledge import knowledge_assets
from orchestration.defs.assets.loads import load_assets
from orchestration.defs.assets.mining import mining_assets
from orchestration.defs.assets.operations import operations_assets
from orchestration.defs.jobs import full_pipeline_job, load_raw_job
from orchestration.defs.operations import operations_definitions
from orchestration.defs.resources import build_resources
from orchestration.defs.schedules import nightly_pipeline_schedule


def _pipeline() -> Definitions:
    """The pipeline: landing → raw → knowledge → dbt → mining → dbt on mining → operations → campaigns."""
    return Definitions(
        assets=[*load_assets, *knowledge_assets, touchpoint_dbt_assets, touchpoint_dbt_daily_assets, *mining_assets, touchpoint_dbt_mining_assets,
                *operations_assets, *campaign_assets],
        jobs=[full_pipeline_job, load_raw_job, *campaign_jobs],
        sensors=[*campaign_sensors],
        schedules=[nightly_pipeline_schedule],
        resources=build_resources(),
        # DuckDB takes one writer process at a time: run steps one after another in the run's own
        # process rather than in parallel subprocesses that would fight over the file lock.
        executor=in_process_executor,
    )


def _with_operations(pipeline: Definitions) -> Definitions:
    """Day-to-day operation on top: Great Expectations checks on the marts that exist, the audited
    serving database for BI, the daily/monthly/weekly schedules and the sensors."""
    return Definitions.merge(pipeline, operations_definitions(pipeline))


# The one Definitions object at module scope (dagster dev accepts only one).
defs = _with_operations(_pipeline())
