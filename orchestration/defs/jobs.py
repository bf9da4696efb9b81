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
# The daily run is partitioned by day: the day-grain loads load just the run's day(s) and the
# incremental daily facts rebuild just those days (dbt, window in TOUCHPOINT_WINDOW_START/_END); the
# month- and full-grain loads and the other dbt models are unpartitioned (month/full loads skip
# unchanged partitions). Then every check, then publish. A backfill over many days is one run.
daily_load_and_build_job = define_asset_job(
    name="daily_load_and_build",
    selection=AssetSelection.groups("raw", "reference", "staging", "intermediate", "marts", "serving"),
    # partitioned by DAILY_PARTITIONS, inferred from the day-grain loads and daily dbt facts it selects
    description="For the partition's day(s): load the day's landing files (and new or changed monthly "
    "and reference files), rebuild the daily incremental facts for those days and the core layers with "
    "every test and Great Expectations check, then publish the serving database.",
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
    # with the publish: the lists reach BI's serving database once their checks passed
    selection=AssetSelection.groups("campaigns", "serving"),
    description="Weekly campaign run: target lists, control groups and contact policy (group campaigns), "
    "then publish the serving database.",
)
