"""Dagster assets: landing loads, the dbt project, and (later) mining and campaign lists."""
