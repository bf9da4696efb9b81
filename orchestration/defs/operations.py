"""Day-to-day operation of the code location: quality gates, publish, schedules and sensors.

`operations_definitions(base)` adds to the base definitions (loads, dbt, mining …): the Great
Expectations asset checks on the marts that exist, the `serving_database` asset downstream of
every mart, the daily / monthly / weekly jobs and schedules, the landing-files sensor and the
run-failure recorder. Built from `base` so it follows whatever marts the project has.
"""

from __future__ import annotations

from dagster import AssetsDefinition, Definitions

from orchestration.defs.assets.quality import build_gx_checks
from orchestration.defs.assets.serving import build_serving_asset, serving_resource
from orchestration.defs.jobs import daily_load_and_build_job, monthly_tags_and_segments_job, weekly_campaigns_job
from orchestration.defs.schedules import (
    daily_load_and_build_schedule,
    monthly_tags_and_segments_schedule,
    weekly_campaigns_schedule,
)
from orchestration.defs.sensors.landing_files import landing_files_sensor
from orchestration.defs.sensors.run_failures import run_failure_recorder


def operations_definitions(base: Definitions) -> Definitions:
    assets_defs = [a for a in (base.assets or []) if isinstance(a, AssetsDefinition)]
    keys = {k for a in assets_defs for k in a.keys}
    return Definitions(
        assets=[build_serving_asset(assets_defs)],
        asset_checks=build_gx_checks(keys),
        jobs=[daily_load_and_build_job, monthly_tags_and_segments_job, weekly_campaigns_job],
        schedules=[daily_load_and_build_schedule, monthly_tags_and_segments_schedule, weekly_campaigns_schedule],
        sensors=[landing_files_sensor, run_failure_recorder],
        resources={"serving": serving_resource()},
    )
