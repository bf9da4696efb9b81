"""Jobs: the whole pipeline, and its layers on their own."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job
from dagster_dbt import build_dbt_asset_selection

from orchestration.defs.assets.dbt import touchpoint_dbt_assets, touchpoint_dbt_mining_assets

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

# --- day-to-day operation (quality gates and publish) -------------------------------------
# The daily run loads what landed (the loader skips unchanged partitions, so the load is
# incremental per partition), rebuilds the core layers, runs every check and publishes.
daily_load_and_build_job = define_asset_job(
    name="daily_load_and_build",
    selection=AssetSelection.groups("raw", "reference", "staging", "intermediate", "marts", "serving"),
    description="Load new or changed landing partitions, dbt build the core layers with every test "
    "and Great Expectations check, then publish the serving database.",
)

# Tags, segments and the customer 360 are the identification models (their dbt folders) and what
# BI reads of them; refreshed monthly, after the month's bills have landed.
_IDENTIFICATION_DBT = "path:models/intermediate/identification+ path:models/staging/knowledge+"

monthly_tags_and_segments_job = define_asset_job(
    name="monthly_tags_and_segments",
    # Everything built on the feature catalogue and the compiled knowledge: tags, rules, segments,
    # portraits and the customer 360 (which also reads the mining marts, hence both dbt assets).
    selection=build_dbt_asset_selection([touchpoint_dbt_assets], dbt_select=_IDENTIFICATION_DBT)
    | build_dbt_asset_selection([touchpoint_dbt_mining_assets], dbt_select=_IDENTIFICATION_DBT)
    | AssetSelection.groups("knowledge", "serving"),
    description="Monthly refresh of customer tags, segments and the customer 360, then publish.",
)

weekly_campaigns_job = define_asset_job(
    name="weekly_campaigns",
    selection=AssetSelection.groups("campaigns"),
    description="Weekly campaign run: target lists, control groups and contact policy (group campaigns).",
)
