"""Dagster definitions for touchpoint, split by concern (project, resources, assets, jobs, schedules)."""
