"""Schedules. The nightly run is off until an operator turns it on in the UI."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.defs.jobs import (
    daily_load_and_build_job,
    full_pipeline_job,
    monthly_tags_and_segments_job,
    weekly_campaigns_job,
)

nightly_pipeline_schedule = ScheduleDefinition(
    name="nightly_full_pipeline",
    job=full_pipeline_job,
    cron_schedule="30 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Every night at 02:30 China time: load yesterday's deliveries and rebuild.",
)

# --- day-to-day operation (quality gates and publish); off until turned on in the UI ---------
daily_load_and_build_schedule = ScheduleDefinition(
    name="daily_load_and_build", job=daily_load_and_build_job, cron_schedule="0 3 * * *",
    execution_timezone="Asia/Shanghai", default_status=DefaultScheduleStatus.STOPPED,
    description="Every day at 03:00 China time: load yesterday's partitions, build, check, publish.",
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
