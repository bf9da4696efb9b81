"""The Dagster code location: `dagster dev -m orchestration.definitions`."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from orchestration.defs.assets.dbt import touchpoint_dbt_assets
from orchestration.defs.assets.loads import load_assets
from orchestration.defs.jobs import full_pipeline_job, load_raw_job
from orchestration.defs.resources import build_resources
from orchestration.defs.schedules import nightly_pipeline_schedule

defs = Definitions(
    assets=[*load_assets, touchpoint_dbt_assets],
    jobs=[full_pipeline_job, load_raw_job],
    schedules=[nightly_pipeline_schedule],
    resources=build_resources(),
    # DuckDB takes one writer process at a time: run steps one after another in the run's own
    # process rather than in parallel subprocesses that would fight over the file lock.
    executor=in_process_executor,
)
