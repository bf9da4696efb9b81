"""Schedules. The nightly run is off until an operator turns it on in the UI."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.defs.jobs import full_pipeline_job

nightly_pipeline_schedule = ScheduleDefinition(
    name="nightly_full_pipeline",
    job=full_pipeline_job,
    cron_schedule="30 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Every night at 02:30 China time: load yesterday's deliveries and rebuild.",
)
