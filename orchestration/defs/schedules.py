"""Schedules. The nightly run is off until an operator turns it on in the UI."""

from __future__ import annotations

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    build_schedule_from_partitioned_job,
    schedule,
)

from orchestration.defs.jobs import (
    daily_load_and_build_job,
    full_pipeline_job,
    monthly_tags_and_segments_job,
    weekly_campaigns_job,
)
from orchestration.defs.partitions import delivered_range_tags
from orchestration.settings import landing_dir


@schedule(
    name="nightly_full_pipeline",
    job=full_pipeline_job,
    cron_schedule="30 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Every night at 02:30 China time: load every delivery (one run over the delivered days) "
    "and rebuild.",
)
def nightly_pipeline_schedule(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    # full_pipeline holds the day-partitioned assets: one run over the whole delivered range
    try:
        tags = delivered_range_tags(landing_dir())
    except ValueError as error:
        return SkipReason(str(error))
    return RunRequest(run_key=None, tags=tags)

# --- day-to-day operation (quality gates and publish); off until turned on in the UI ---------
# Built from the partitioned job: each tick at 03:00 China time (the partitions' timezone) runs
# the newest complete day, i.e. yesterday's partition.
daily_load_and_build_schedule = build_schedule_from_partitioned_job(
    daily_load_and_build_job, name="daily_load_and_build", hour_of_day=3, minute_of_hour=0,
    default_status=DefaultScheduleStatus.STOPPED,
    description="Every day at 03:00 China time: load yesterday's partition, build, check, publish.",
)

monthly_tags_and_segments_schedule = ScheduleDefinition(
    name="monthly_tags_and_segments", job=monthly_tags_and_segments_job, cron_schedule="0 6 3 * *",
    execution_timezone="Asia/Shanghai", default_status=DefaultScheduleStatus.STOPPED,
    description="On the 3rd of each month at 06:00 (the month's bills have landed): tags, segments, 360.",
)

weekly_campaigns_schedule = ScheduleDefinition(
    name="weekly_campaigns", job=weekly_campaigns_job, cron_schedule="0 7 * * 1",
    execution_timezone="Asia/Shanghai", default_status=DefaultScheduleStatus.STOPPED,
    description="Mondays at 07:00 China time: the week's campaign lists for the channels.",
)
