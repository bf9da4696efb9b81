"""Jobs: the whole pipeline, and its layers on their own."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

full_pipeline_job = define_asset_job(
    name="full_pipeline",
    selection=AssetSelection.all(),
    description="Load every new or changed landing partition, then dbt build (seeds, models, "
    "snapshot, tests) through the marts.",
)

load_raw_job = define_asset_job(
    name="load_raw",
    selection=AssetSelection.groups("raw"),
    description="Load new or changed landing partitions into the raw schema only.",
)
